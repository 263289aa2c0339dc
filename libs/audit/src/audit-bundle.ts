import { ChainedEvent, ChainVerification, GENESIS_HASH, verifyChain } from './hash-chain';

export const BUNDLE_FORMAT = 'accord-audit-bundle/1';

/** A self-contained export of one stream that an auditor verifies offline. */
export interface AuditBundle<Event extends ChainedEvent = ChainedEvent> {
  format: typeof BUNDLE_FORMAT;
  streamId: string;
  exportedAt: string;
  eventCount: number;
  headHash: string;
  hashAlgorithm: string;
  events: Event[];
}

export function exportBundle<Event extends ChainedEvent>(
  streamId: string,
  events: Event[],
  exportedAt: Date,
): AuditBundle<Event> {
  return {
    format: BUNDLE_FORMAT,
    streamId,
    exportedAt: exportedAt.toISOString(),
    eventCount: events.length,
    headHash: events.length > 0 ? events[events.length - 1].hash : GENESIS_HASH,
    hashAlgorithm:
      'sha256 over RFC 8785 JSON of {streamId, revision, eventId, type, schemaVersion, occurredAt, actor, data, prevHash}',
    events,
  };
}

export type BundleVerification =
  | ({ kind: 'chain' } & ChainVerification & { headHashMatches: boolean })
  | { kind: 'unreadable'; reason: string };

/** Checks a parsed bundle: its shape, every link of its chain, and the head hash it claims. */
export function verifyBundle(bundle: unknown): BundleVerification {
  if (typeof bundle !== 'object' || bundle === null)
    return { kind: 'unreadable', reason: 'not a JSON object' };
  const candidate = bundle as Partial<AuditBundle>;
  if (candidate.format !== BUNDLE_FORMAT)
    return { kind: 'unreadable', reason: `format is not ${BUNDLE_FORMAT}` };
  if (typeof candidate.streamId !== 'string' || !Array.isArray(candidate.events))
    return { kind: 'unreadable', reason: 'streamId or events missing' };
  const verification = verifyChain(candidate.streamId, candidate.events);
  // The head the bundle names ties it to the server's /audit: a bundle without one could have lost its last events.
  const headHashMatches = candidate.headHash === verification.headHash;
  return { kind: 'chain', ...verification, headHashMatches };
}
