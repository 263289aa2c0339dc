import { eventHash, GENESIS_HASH } from '@accord/audit';
import { Decider } from '@accord/decider';
import { NewEvent, RecordedActor, StoredEvent } from './event-record';
import { ConcurrencyError } from './errors';
import { EventStore, IdempotencyRecord } from './event-store';
import { KeyedLock } from './keyed-lock';

/** The shape a decider's events take: the actor and the time travel with each event. */
export interface DecidedEvent {
  type: string;
  data: object;
  metadata: { actor: RecordedActor; occurredAt: string };
}

export interface CommandContext<State, Answer> {
  correlationId: string;
  causationId: string | null;
  idempotencyKey: string | null;
  /**
   * `If-Match`: the revisions the caller accepts (`'any'`: the stream exists); a stream elsewhere fails with
   * `RevisionMismatchError`, unretried, once the actor is known to be allowed the command.
   */
  expectedRevision?: readonly number[] | 'any';
  /** Looked up before each attempt: an answer already given for this request ends it without deciding again. */
  recall?: () => Promise<Answer | null>;
  /** The response to remember with the appended events, in the same transaction where the store allows it. */
  remember?: (outcome: CommandOutcome<State>) => IdempotencyRecord;
}

export interface CommandOutcome<State> {
  state: State;
  /** Stream revision after the command: of the last event written, or the current one if nothing was written. */
  revision: number;
  appended: number;
}

export type HandleResult<State, Answer> =
  ({ kind: 'decided' } & CommandOutcome<State>) | { kind: 'recalled'; answer: Answer };

export class RevisionMismatchError extends Error {
  /** The stable code the API answers it with (412) and counts it under. */
  readonly code = 'revision-mismatch';

  constructor(
    readonly expected: readonly number[] | 'any',
    readonly actual: number,
  ) {
    super(
      expected === 'any'
        ? 'The stream does not exist'
        : `The stream is at revision ${actual}, which If-Match does not name`,
    );
    this.name = 'RevisionMismatchError';
  }
}

export class TooMuchContentionError extends Error {
  constructor(
    readonly streamId: string,
    attempts: number,
  ) {
    super(`Gave up on ${streamId} after ${attempts} concurrent attempts`);
    this.name = 'TooMuchContentionError';
  }
}

export interface DecisionHandlerOptions<Event> {
  newEventId: () => string;
  /** How the decider reads a stored event: the domain's upcasters bring an older schema version up to date. */
  read: (stored: StoredEvent) => Event;
  /** The schema version the events decided now are stored at. */
  schemaVersion: number;
  maxAttempts?: number;
}

/**
 * The one way a command changes a stream: read the stream, fold it, decide, chain the new events
 * to the last hash and append them at the expected revision. A concurrent writer makes the append
 * fail; the command is then decided again against the fresh state.
 */
export class DecisionHandler<Command, Event extends DecidedEvent, State> {
  private readonly lock = new KeyedLock();
  private readonly maxAttempts: number;

  constructor(
    private readonly store: EventStore,
    private readonly decider: Decider<Command, Event, State>,
    private readonly options: DecisionHandlerOptions<Event>,
  ) {
    this.maxAttempts = options.maxAttempts ?? 20;
  }

  private fold(events: readonly StoredEvent[]): State {
    return events.reduce(
      (state, event) => this.decider.evolve(state, this.options.read(event)),
      this.decider.initialState(),
    );
  }

  handle<Answer>(
    streamId: string,
    command: Command,
    context: CommandContext<State, Answer>,
  ): Promise<HandleResult<State, Answer>> {
    // Writers in this process take turns per stream, so that only writers elsewhere cause retries.
    return this.lock.run(streamId, () => this.attempt(streamId, command, context));
  }

  private async attempt<Answer>(
    streamId: string,
    command: Command,
    context: CommandContext<State, Answer>,
  ): Promise<HandleResult<State, Answer>> {
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const answer = await context.recall?.();
      if (answer) return { kind: 'recalled', answer };
      const stored = await this.store.readStream(streamId);
      const current = stored.length - 1;
      const state = this.fold(stored);
      this.decider.authorize?.(command, state);
      requireExpectedRevision(context.expectedRevision, current);
      const decided = notBefore(stored[current]?.occurredAt, this.decider.decide(command, state));
      if (decided.length === 0) return { kind: 'decided', state, revision: current, appended: 0 };

      const outcome = {
        state: decided.reduce(this.decider.evolve, state),
        revision: current + decided.length,
        appended: decided.length,
      };
      const lastHash = stored.length > 0 ? stored[stored.length - 1].hash : GENESIS_HASH;
      const events = this.chain(streamId, current + 1, lastHash, decided, context);
      try {
        await this.store.append(streamId, events, current < 0 ? 'no-stream' : current, {
          idempotency: context.remember?.(outcome),
        });
        return { kind: 'decided', ...outcome };
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
        await backOff(attempt);
      }
    }
    throw new TooMuchContentionError(streamId, this.maxAttempts);
  }

  private chain(
    streamId: string,
    firstRevision: number,
    lastHash: string,
    decided: Event[],
    context: CommandContext<State, unknown>,
  ): NewEvent[] {
    return chainEvents(
      streamId,
      { revision: firstRevision, prevHash: lastHash },
      decided.map((event) => ({
        eventId: this.options.newEventId(),
        type: event.type,
        occurredAt: event.metadata.occurredAt,
        actor: event.metadata.actor,
        data: event.data as Record<string, unknown>,
      })),
      {
        correlationId: context.correlationId,
        causationId: context.causationId,
        schemaVersion: this.options.schemaVersion,
        idempotencyKey: context.idempotencyKey,
      },
    );
  }
}

/** An event to chain: everything of a stored event but its place in the stream and its links. */
export type UnchainedEvent = Pick<NewEvent, 'eventId' | 'type' | 'occurredAt' | 'actor' | 'data'>;

/**
 * Links events into their stream's audit chain (events.md, "The audit chain"): each one's hash covers it and the
 * hash before it, starting at the stream's last hash (GENESIS_HASH for a new stream). Every append goes through it.
 */
export function chainEvents(
  streamId: string,
  after: { revision: number; prevHash: string },
  events: readonly UnchainedEvent[],
  metadata: NewEvent['metadata'],
): NewEvent[] {
  let prevHash = after.prevHash;
  return events.map((event, index) => {
    const hash = eventHash({
      streamId,
      revision: after.revision + index,
      eventId: event.eventId,
      type: event.type,
      schemaVersion: metadata.schemaVersion,
      occurredAt: event.occurredAt,
      actor: event.actor,
      data: event.data,
      prevHash,
    });
    const record: NewEvent = { ...event, metadata, prevHash, hash };
    prevHash = hash;
    return record;
  });
}

function requireExpectedRevision(expected: readonly number[] | 'any' | undefined, current: number): void {
  if (expected === undefined) return;
  if (expected === 'any' ? current < 0 : !expected.includes(current))
    throw new RevisionMismatchError(expected, current);
}

/**
 * A stream's time never goes backwards, so that "as it stood at an instant" is always a prefix of it: an event
 * decided with an earlier clock than the stream's last event (a retried command keeps its time; several processes'
 * clocks differ) takes that event's time.
 */
function notBefore<Event extends DecidedEvent>(
  lastOccurredAt: string | undefined,
  decided: Event[],
): Event[] {
  if (lastOccurredAt === undefined) return decided;
  const floor = Date.parse(lastOccurredAt);
  return decided.map((event) =>
    Date.parse(event.metadata.occurredAt) < floor
      ? { ...event, metadata: { ...event.metadata, occurredAt: lastOccurredAt } }
      : event,
  );
}

function backOff(attempt: number): Promise<void> {
  const ceiling = Math.min(50, 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}
