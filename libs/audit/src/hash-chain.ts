import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

export const GENESIS_HASH = '0'.repeat(64);

/** The fields of an event that its hash covers (events.md, "The audit chain"). */
export interface HashedFields {
  streamId: string;
  revision: number;
  eventId: string;
  type: string;
  schemaVersion: number;
  occurredAt: string;
  actor: unknown;
  data: unknown;
  prevHash: string;
}

/** An event as the chain sees it: the record shape of the HTTP API and of audit bundles. */
export interface ChainedEvent {
  revision: number;
  eventId: string;
  type: string;
  occurredAt: string;
  actor: unknown;
  data: unknown;
  metadata: { schemaVersion: number };
  prevHash: string;
  hash: string;
}

export function eventHash(fields: HashedFields): string {
  return createHash('sha256').update(canonicalJson(fields), 'utf8').digest('hex');
}

export interface ChainVerification {
  verified: boolean;
  eventCount: number;
  /** The hash of the last event when the chain holds, else of the last event before the break. */
  headHash: string;
  brokenAtRevision: number | null;
}

/** Re-computes every link of a stream's chain; reports the first revision where it breaks. */
export function verifyChain(streamId: string, events: readonly ChainedEvent[]): ChainVerification {
  let prevHash = GENESIS_HASH;
  for (const [index, event] of events.entries()) {
    if (!linkHolds(streamId, index, prevHash, event))
      return { verified: false, eventCount: events.length, headHash: prevHash, brokenAtRevision: index };
    prevHash = event.hash;
  }
  return { verified: true, eventCount: events.length, headHash: prevHash, brokenAtRevision: null };
}

function linkHolds(streamId: string, index: number, prevHash: string, event: ChainedEvent): boolean {
  try {
    const { revision, eventId, type, occurredAt, actor, data, metadata } = event;
    if (revision !== index || event.prevHash !== prevHash) return false;
    const fields = {
      streamId,
      revision,
      eventId,
      type,
      schemaVersion: metadata.schemaVersion,
      occurredAt,
      actor,
      data,
      prevHash,
    };
    return eventHash(fields) === event.hash;
  } catch {
    // A record too damaged to canonicalise is a broken link, not a crash.
    return false;
  }
}
