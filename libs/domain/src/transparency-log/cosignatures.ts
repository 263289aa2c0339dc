import { Decider } from '../decider';
import { DomainError } from '../errors';
import { Actor } from '../initiative/types';
import { CheckpointCosigned } from './log-events';

/** Record a witness's cosignature; its signature was verified against the state's witness keys before. */
export type RecordCosignature = {
  type: 'RecordCosignature';
  data: CheckpointCosigned['data'];
  metadata: { actor: Actor; now: Date };
};

/** The cosignatures of one tree size: which witness keys cosigned which root. */
export interface Cosignatures {
  recorded: ReadonlySet<string>;
}

const recordedKey = (rootHash: string, witness: string) => `${rootHash} ${witness}`;

/**
 * A stream of cosignatures per tree size. A witness key cosigns a checkpoint once: a repeat (a witness that retries
 * after a lost response) records nothing and succeeds. Only a witness of the cosignature's state records it.
 */
export const cosignaturesDecider: Decider<RecordCosignature, CheckpointCosigned, Cosignatures> = {
  initialState: () => ({ recorded: new Set() }),
  authorize({ data, metadata: { actor } }) {
    if (actor.role !== 'witness' || actor.country !== data.country)
      throw new DomainError('forbidden', `Only a witness of ${data.country} cosigns for it`);
  },
  decide(command, state) {
    this.authorize?.(command, state);
    const { data, metadata } = command;
    if (state.recorded.has(recordedKey(data.rootHash, data.witness))) return [];
    return [
      {
        type: 'CheckpointCosigned',
        data: { ...data },
        metadata: { actor: metadata.actor, occurredAt: metadata.now.toISOString() },
      },
    ];
  },
  evolve(state, { data }) {
    return { recorded: new Set([...state.recorded, recordedKey(data.rootHash, data.witness)]) };
  },
};
