import { randomUUID } from 'node:crypto';
import { GENESIS_HASH } from '@accord/audit';
import {
  CheckpointCosigned,
  CheckpointSigned,
  Cosignatures,
  cosignaturesDecider,
  cosignaturesStreamId,
  initiativeIdOf,
  LOG_CHECKPOINTS_STREAM,
  LOG_EVENT_SCHEMA_VERSION,
  logEventOf,
  RecordCosignature,
} from '@accord/domain';
import { chainEvents, DecisionHandler, EventStore, StoredEvent } from '@accord/event-store';
import {
  COSIGNATURE_V1,
  cosigner,
  formatCheckpoint,
  formatSignatureLine,
  generateSignerKey,
  leafInputOfChainHash,
  noteSigner,
  signNote,
  treeHash,
} from '@accord/tlog';

/** The log itself, as the actor of its checkpoints (libs/runtime/src/checkpoint-signer.ts). */
const LOG_ACTOR = { sub: 'accord-log', role: 'system', country: null } as const;

/**
 * The transparency log's own streams, written as the runtime writes them: each checkpoint signed as the checkpoint
 * signer signs it, over the tree of the initiative events stored so far, into `log-checkpoints`; each witness's
 * cosignature, a real tlog-cosignature/v1 line, recorded through the cosignatures decider into
 * `log-cosignatures-<treeSize>`.
 */
export class TestTransparencyLog {
  private readonly signer = noteSigner(generateSignerKey('accord.test/log'));
  private readonly witnessKeys = new Map<string, string>();
  private readonly cosignatures: DecisionHandler<RecordCosignature, CheckpointCosigned, Cosignatures>;

  constructor(private readonly store: EventStore) {
    this.cosignatures = new DecisionHandler(store, cosignaturesDecider, {
      newEventId: randomUUID,
      read: (stored) => logEventOf<CheckpointCosigned>(stored),
      schemaVersion: LOG_EVENT_SCHEMA_VERSION,
    });
  }

  /** Signs the tree of every initiative event stored so far and appends the checkpoint. */
  async signCheckpoint(): Promise<CheckpointSigned['data']> {
    const leaves = (await readEverything(this.store))
      .filter((event) => initiativeIdOf(event.streamId) !== null)
      .map((event) => leafInputOfChainHash(event.hash));
    const root = treeHash(leaves);
    const text = formatCheckpoint({ origin: this.signer.name, size: leaves.length, rootHash: root });
    const data: CheckpointSigned['data'] = {
      note: signNote(text, [this.signer]),
      treeSize: leaves.length,
      rootHash: root.toString('base64'),
    };
    const checkpoints = await this.store.readStream(LOG_CHECKPOINTS_STREAM);
    const last = checkpoints.at(-1);
    const events = chainEvents(
      LOG_CHECKPOINTS_STREAM,
      { revision: checkpoints.length, prevHash: last?.hash ?? GENESIS_HASH },
      [
        {
          eventId: randomUUID(),
          type: 'CheckpointSigned',
          occurredAt: new Date().toISOString(),
          actor: LOG_ACTOR,
          data,
        },
      ],
      {
        correlationId: `checkpoint-${leaves.length}`,
        causationId: null,
        schemaVersion: LOG_EVENT_SCHEMA_VERSION,
        idempotencyKey: null,
      },
    );
    await this.store.append(LOG_CHECKPOINTS_STREAM, events, last?.revision ?? 'no-stream');
    return data;
  }

  /** A witness of `country` cosigns the checkpoint: one event of `log-cosignatures-<treeSize>`. */
  async cosign(checkpoint: CheckpointSigned['data'], country: string): Promise<void> {
    const witness = cosigner(this.witnessKeyOf(country));
    const text = checkpoint.note.slice(0, checkpoint.note.indexOf('\n\n') + 1);
    const signature = witness.sign(Buffer.from(text, 'utf8'));
    const data: CheckpointCosigned['data'] = {
      treeSize: checkpoint.treeSize,
      rootHash: checkpoint.rootHash,
      country,
      witness: witness.name,
      cosignature: formatSignatureLine({ name: witness.name, keyId: witness.keyId, signature }),
      timestamp: Number(signature.readBigUInt64BE(0)),
    };
    const actor = { sub: `witness-${country.toLowerCase()}`, role: 'witness' as const, country };
    const result = await this.cosignatures.handle(
      cosignaturesStreamId(checkpoint.treeSize),
      { type: 'RecordCosignature', data, metadata: { actor, now: new Date() } },
      { correlationId: `cosign-${checkpoint.treeSize}-${country}`, causationId: null, idempotencyKey: null },
    );
    if (result.kind !== 'decided' || result.appended !== 1)
      throw new Error(`the cosignature of ${country} was not recorded`);
  }

  private witnessKeyOf(country: string): string {
    const key =
      this.witnessKeys.get(country) ?? generateSignerKey(`witness.${country.toLowerCase()}`, COSIGNATURE_V1);
    this.witnessKeys.set(country, key);
    return key;
  }
}

async function readEverything(store: EventStore): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for (let after = 0; ;) {
    const batch = await store.readAll(after, 5000);
    if (batch.length === 0) return events;
    events.push(...batch);
    after = batch[batch.length - 1].position;
  }
}
