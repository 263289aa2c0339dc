/** The stream is not at the revision the writer expected: someone else appended first. */
export class ConcurrencyError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: number | 'no-stream',
    readonly actual: number | 'no-stream',
  ) {
    super(`Stream ${streamId} is at ${actual}, expected ${expected}`);
    this.name = 'ConcurrencyError';
  }
}

/** An event id that is already stored, in a different place than this append would put it. */
export class DuplicateEventError extends Error {
  constructor(readonly eventId: string) {
    super(`Event ${eventId} is already stored`);
    this.name = 'DuplicateEventError';
  }
}

/** The store cannot be reached or used right now. */
export class EventStoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventStoreUnavailableError';
  }
}

/** A stored event that can no longer be decoded: the store was damaged or altered outside Accord. */
export class CorruptEventError extends Error {
  constructor(
    readonly streamId: string,
    readonly revision: number,
    /** The stream's events before the damaged one, as far as they could be read. */
    readonly readBefore: import('./event-record').StoredEvent[],
  ) {
    super(`Event at revision ${revision} of ${streamId} cannot be decoded`);
    this.name = 'CorruptEventError';
  }
}
