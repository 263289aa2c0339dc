import { Actor } from '../initiative/types';

interface LogEventMetadata {
  actor: Actor;
  occurredAt: string;
}

/** The checkpoint the log signed: the signed note, and what its text says, for readers that do not parse notes. */
export type CheckpointSigned = {
  type: 'CheckpointSigned';
  data: { note: string; treeSize: number; rootHash: string };
  metadata: LogEventMetadata;
};

/** A member state's witness cosigned a checkpoint (tlog-cosignature/v1), verified before it was recorded. */
export type CheckpointCosigned = {
  type: 'CheckpointCosigned';
  data: {
    treeSize: number;
    rootHash: string;
    country: string;
    /** The witness key's name. */
    witness: string;
    /** The signature line, `— <name> <base64(key ID ‖ time ‖ signature)>`. */
    cosignature: string;
    /** The cosignature's time, Unix seconds. */
    timestamp: number;
  };
  metadata: LogEventMetadata;
};

export type LogEvent = CheckpointSigned | CheckpointCosigned;

/** Events of the log's streams are stored at this schema version. */
export const LOG_EVENT_SCHEMA_VERSION = 1;

/** A stored event of a log stream as the log's deciders read it. */
export function logEventOf<Event extends LogEvent = LogEvent>(stored: {
  type: string;
  data: object;
  actor: { sub: string; role: string; country: string | null };
  occurredAt: string;
}): Event {
  return {
    type: stored.type,
    data: stored.data,
    metadata: { actor: stored.actor as Actor, occurredAt: stored.occurredAt },
  } as Event;
}
