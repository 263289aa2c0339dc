import { randomBytes, randomUUID } from 'node:crypto';
import { NewEvent } from '@accord/event-store';

const hex = () => randomBytes(32).toString('hex');

/**
 * A sign-off event as the command handler writes it (the same fields and about the same size), for the append
 * benchmarks, which measure the store and not the decider: one event per append.
 */
export function signOffEvent(initiativeId: string, state: string, prevHash = hex()): NewEvent {
  return {
    eventId: randomUUID(),
    type: 'NationalSignOffRecorded',
    occurredAt: new Date().toISOString(),
    actor: { sub: `focal-${state}`, role: 'focal-point', country: state },
    data: { initiativeId, state, decision: 'approve', proposalVersion: 1, comment: null },
    metadata: {
      correlationId: randomUUID(),
      causationId: randomUUID(),
      schemaVersion: 1,
      idempotencyKey: null,
    },
    prevHash,
    hash: hex(),
  };
}
