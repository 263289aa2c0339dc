import { NewEvent, StoredEvent } from './event-record';
import { AppendResult, ExpectedRevision } from './event-store';

/**
 * A retried append (the same event ids at the same revisions) succeeds again without writing,
 * as EventStoreDB answers it: the caller may not have seen the first answer.
 */
export function idempotentRepeat(
  stream: readonly StoredEvent[],
  events: readonly NewEvent[],
  expected: ExpectedRevision,
): AppendResult | null {
  const first = expected === 'no-stream' ? 0 : expected + 1;
  const written = stream.slice(first, first + events.length);
  if (events.length === 0 || written.length !== events.length) return null;
  if (!written.every((stored, index) => stored.eventId === events[index].eventId)) return null;
  const last = written[written.length - 1];
  return { revision: last.revision, position: last.position };
}
