import { createHash } from 'node:crypto';
import {
  AllStreamResolvedEvent,
  AllStreamSubscription,
  BACKWARDS,
  CancelledError,
  DeadlineExceededError,
  END,
  EventStoreDBClient,
  FORWARDS,
  jsonEvent,
  NO_STREAM,
  NotLeaderError,
  Position,
  ResolvedEvent,
  START,
  StreamingRead,
  StreamNotFoundError,
  streamNameFilter,
  TimeoutError,
  UnavailableError,
  UnknownError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { INITIATIVE_STREAM_PREFIX } from '@accord/domain';
import { AppendWaiters } from '../append-waiters';
import { NewEvent, RecordedActor, StoredEvent } from '../event-record';
import {
  ConcurrencyError,
  CorruptEventError,
  DuplicateEventError,
  EventStoreUnavailableError,
} from '../errors';
import { AppendOptions, AppendResult, EventStore, ExpectedRevision, IdempotencyRecord } from '../event-store';
import { idempotentRepeat } from '../stream-rules';
import { readAllFilteredByStreamPrefix } from './filtered-read';

/** One stream per idempotency key: `accord-idempotency-<sha256 of [sub, key]>`. Outside the global log. */
export const IDEMPOTENCY_STREAM_PREFIX = 'accord-idempotency-';
const IDEMPOTENCY_EVENT_TYPE = 'IdempotencyKeyTaken';

export interface EventStoreDbEventStoreOptions {
  /**
   * Upper bound of every call to the server, connection included. The client puts no deadline on
   * reads and none of its own on batch appends, so without this a silent server would hang callers.
   */
  operationTimeoutMs?: number;
  /** How often `waitForAppend` looks at the head while it has no live subscription to wake it. */
  pollIntervalMs?: number;
  /**
   * A key record whose events are still not stored this long after it was written is taken to be left
   * over from an append that failed without an answer, and is released for the next request.
   */
  orphanedKeyAfterMs?: number;
}

/** What an idempotency key stream holds: the remembered response and, for an append, where its first event goes. */
interface KeyRecord {
  record: IdempotencyRecord;
  appended: { streamId: string; revision: number; eventId: string } | null;
}

interface Connection {
  client: EventStoreDBClient;
  inFlight: number;
  retired: boolean;
}

type Cancel = () => void;

interface WakeUpSubscription {
  stream: AllStreamSubscription;
  /** Settles true once the server confirmed it, false when it failed or went unconfirmed. */
  live: Promise<boolean>;
  connection: Connection;
}
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The EventStore port on EventStoreDB (gRPC, `@eventstore/db-client`).
 *
 * Streams map one to one: the port's stream `initiative-<id>` is the EventStoreDB stream of that name,
 * revisions are EventStoreDB's 0-based event numbers, the event id is the record's `eventId` (so a
 * retried append is answered idempotently by the server), the event data is the record's `data` (JSON)
 * and the event metadata (JSON) carries the rest of the record: `actor`, `occurredAt`, `metadata`,
 * `prevHash`, `hash`, plus `$correlationId` / `$causationId` for EventStoreDB's own projections.
 *
 * Global log positions. The port's position is a JS number that grows strictly in log order, 0 meaning
 * "before the first event". It is the event's `$all` prepare position. Every event Accord writes goes
 * through gRPC appends, which EventStoreDB writes as self-committed prepares: each event has its own log
 * position and commit == prepare == that position, also when one append writes several events (they do
 * not share a commit position, unlike events of the legacy TCP explicit transactions, which Accord never
 * writes). Prepare positions are byte offsets into the transaction log: unique, increasing in `$all`
 * order, not contiguous, far below 2^53. `readAll(after)` reads `$all` forwards from
 * `{commit: after, prepare: after}`, which EventStoreDB treats as inclusive, and drops events at or
 * before `after`; had events of one commit shared a commit position, reading from their own prepare
 * position would still start at or before them, so the skip keeps the resume exact either way.
 * Stream reads carry the same `$all` position since EventStoreDB 22.6 (earlier servers send none there,
 * and this adapter refuses to make one up).
 *
 * The global log is `$all` filtered on the server by the stream prefix `initiative-`: system events,
 * `$$` metadata streams and the idempotency key streams stay out of it.
 */
export class EventStoreDbEventStore implements EventStore {
  private connection: Connection;
  private readonly waiters = new AppendWaiters();
  private readonly timeoutMs: number;
  private readonly pollIntervalMs: number;
  private readonly orphanedKeyAfterMs: number;
  private subscription: WakeUpSubscription | null = null;
  /** Subscriptions that ended before the server confirmed them, in a row: the back-off before the next try. */
  private failedSubscriptions = 0;
  private serverSideFilter = true;
  private closed = false;
  private readonly singleNode: boolean;

  constructor(
    private readonly connectionString: string,
    options: EventStoreDbEventStoreOptions = {},
  ) {
    this.timeoutMs = options.operationTimeoutMs ?? 10_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.orphanedKeyAfterMs = options.orphanedKeyAfterMs ?? 60_000;
    this.singleNode = isSingleNode(connectionString);
    this.connection = this.connect();
  }

  async append(
    streamId: string,
    events: NewEvent[],
    expected: ExpectedRevision,
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    // Read first: EventStoreDB only answers a repeated append idempotently at the revisions it names and
    // would store an event id a second time at any other revision, so duplicates are caught here.
    const stream = await this.readStream(streamId);
    const repeat = idempotentRepeat(stream, events, expected);
    if (repeat) return repeat;
    const actual = stream.length === 0 ? 'no-stream' : stream.length - 1;
    if (actual !== expected) throw new ConcurrencyError(streamId, expected, actual);
    const ids = new Set(stream.map((event) => event.eventId));
    for (const event of events) {
      if (ids.has(event.eventId)) throw new DuplicateEventError(event.eventId);
      ids.add(event.eventId);
    }
    if (events.length === 0) {
      if (options.idempotency && (await this.takeKey(options.idempotency, null)) === 'taken')
        throw new ConcurrencyError(streamId, expected, actual);
      return { revision: stream.length - 1, position: stream.at(-1)?.position ?? 0 };
    }

    const firstRevision = stream.length;
    // The key first, and only once the revision was seen to fit: a key already taken refuses the append
    // before any of its events is written.
    const key = options.idempotency
      ? await this.takeKey(options.idempotency, {
          streamId,
          revision: firstRevision,
          eventId: events[0].eventId,
        })
      : null;
    if (key === 'taken') throw new ConcurrencyError(streamId, expected, actual);

    try {
      const result = await this.run(`an append to ${streamId}`, (client) =>
        client.appendToStream(streamId, events.map(toEventData), {
          expectedRevision: expected === 'no-stream' ? NO_STREAM : BigInt(expected),
          deadline: this.timeoutMs,
        }),
      );
      const revision = Number(result.nextExpectedRevision);
      // Older servers leave the position out of the answer: the last event appended carries it.
      const stored =
        result.position ??
        (await this.readRaw(streamId, { fromRevision: BigInt(revision), maxCount: 1 }))[0]?.event?.position;
      const position = stored ? logPosition(stored) : 0;
      this.waiters.notify(position);
      return { revision, position };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        // Another writer got in between: the events are not stored, so the key goes back.
        if (key) await this.releaseKey(key).catch(() => undefined);
        throw new ConcurrencyError(streamId, expected, currentRevision(error));
      }
      // No answer: the events may or may not be stored. The key stays; `findIdempotencyRecord` only
      // answers from it once its events are found, and `takeKey` releases it if they never come.
      throw error;
    }
  }

  async readStream(streamId: string): Promise<StoredEvent[]> {
    const resolved = await this.readRaw(streamId, {});
    const events: StoredEvent[] = [];
    for (const item of resolved) {
      const event = decode(item);
      if (!event)
        throw new CorruptEventError(streamId, Number(item.event?.revision ?? events.length), events);
      events.push(event);
    }
    return events;
  }

  async readAll(after: number, limit: number): Promise<StoredEvent[]> {
    if (limit <= 0) return [];
    const from = after > 0 ? { commit: BigInt(after), prepare: BigInt(after) } : START;
    // One more than asked: the read starts at `after` itself, which is not part of the answer.
    const resolved = await this.scanGlobalLog('forwards', from, limit + 1);
    const events: StoredEvent[] = [];
    for (const item of resolved) {
      const event = decode(item);
      if (!event)
        throw new CorruptEventError(item.event?.streamId ?? '$all', Number(item.event?.revision ?? -1), []);
      if (event.position > after) events.push(event);
      if (events.length === limit) break;
    }
    return events;
  }

  async headPosition(): Promise<number> {
    const [last] = await this.scanGlobalLog('backwards', END, 1);
    return last?.event?.position ? logPosition(last.event.position) : 0;
  }

  /**
   * Wakes on a filtered `subscribeToAll` from the end of `$all` (one per adapter, started on first use,
   * started again after it drops), and on this adapter's own appends. The subscription is confirmed
   * before the head is read, so an append landing in between is seen either way. While no subscription
   * is live (server away, subscription refused) it looks at the head every `pollIntervalMs`. Never
   * throws, and never outlasts `timeoutMs`, even on a server that does not answer.
   */
  async waitForAppend(position: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.closed || signal?.aborted) return;
    let timer: NodeJS.Timeout | undefined;
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
      timer = setTimeout(resolve, timeoutMs);
      signal?.addEventListener('abort', stop);
    });
    try {
      await Promise.race([this.waitUntil(position, Date.now() + timeoutMs, signal), stopped]);
    } catch {
      // Looking failed: the caller's next read will say why.
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
    }
  }

  private async waitUntil(position: number, until: number, signal?: AbortSignal): Promise<void> {
    while (!this.closed && !signal?.aborted) {
      const subscription = await this.subscribe();
      const head = await this.headPosition().catch(() => null);
      if (head !== null && head > position) return;
      const remaining = until - Date.now();
      if (remaining <= 0) return;
      // Trust the subscription to wake this wait only while it is still the current one and the
      // server answers; otherwise look again soon.
      const live = subscription !== null && subscription === this.subscription && head !== null;
      const sleep = live ? remaining : Math.min(remaining, this.pollIntervalMs, this.resubscribeDelay());
      await this.waiters.wait(position, head ?? 0, sleep, signal);
    }
  }

  async findIdempotencyRecord(sub: string, key: string): Promise<IdempotencyRecord | null> {
    const found = await this.readKey(keyStreamOf(sub, key));
    if (!found) return null;
    if (found.key.appended && !(await this.landed(found.key.appended))) return null;
    return found.key.record;
  }

  async saveIdempotencyRecord(record: IdempotencyRecord): Promise<void> {
    await this.takeKey(record, null);
  }

  async ping(): Promise<void> {
    // A read of a stream that does not exist: cheap, and it needs the server to answer.
    await this.readRaw('accord-ping', { maxCount: 1 });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.waiters.wakeAll();
    const subscription = this.subscription;
    this.subscription = null;
    if (subscription) await subscription.stream.unsubscribe().catch(() => undefined);
    this.connection.retired = true;
    await disposeClient(this.connection.client, this.singleNode);
  }

  // --- idempotency keys -------------------------------------------------------------------------

  /**
   * Takes a key by writing its stream with expected revision `no_stream`: EventStoreDB lets exactly one
   * writer create a stream. Answers the written position for a later release, or 'taken'.
   */
  private async takeKey(
    record: IdempotencyRecord,
    appended: KeyRecord['appended'],
  ): Promise<{ stream: string; revision: bigint } | 'taken'> {
    const stream = keyStreamOf(record.sub, record.key);
    const data: KeyRecord = { record, appended };
    const write = () =>
      this.run(`a write of idempotency key ${stream}`, (client) =>
        client.appendToStream(stream, jsonEvent({ type: IDEMPOTENCY_EVENT_TYPE, data: { ...data } }), {
          expectedRevision: NO_STREAM,
          deadline: this.timeoutMs,
        }),
      );
    try {
      const result = await write();
      return { stream, revision: result.nextExpectedRevision };
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
    }
    const holder = await this.readKey(stream);
    if (!holder?.key.appended) return 'taken';
    const age = Date.now() - holder.created.getTime();
    if (age < this.orphanedKeyAfterMs || (await this.landed(holder.key.appended))) return 'taken';
    // Left over from an append that failed without an answer and never landed: release it, then retry once.
    try {
      await this.releaseKey({ stream, revision: holder.revision });
      const result = await write();
      return { stream, revision: result.nextExpectedRevision };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) return 'taken';
      throw error;
    }
  }

  /** A soft delete at the revision the key was written at: a later `no_stream` write takes the key again. */
  private async releaseKey(key: { stream: string; revision: bigint }): Promise<void> {
    await this.run(`a release of idempotency key ${key.stream}`, (client) =>
      client.deleteStream(key.stream, { expectedRevision: key.revision, deadline: this.timeoutMs }),
    );
  }

  private async readKey(stream: string): Promise<{ key: KeyRecord; revision: bigint; created: Date } | null> {
    const [first] = await this.readRaw(stream, { maxCount: 1 });
    const event = first?.event;
    if (!event || !isObject(event.data) || !isObject(event.data.record)) return null;
    return { key: event.data as unknown as KeyRecord, revision: event.revision, created: event.created };
  }

  /** Whether the first event of the append a key answered for is stored where it was going. */
  private async landed(appended: NonNullable<KeyRecord['appended']>): Promise<boolean> {
    const [event] = await this.readRaw(appended.streamId, {
      fromRevision: BigInt(appended.revision),
      maxCount: 1,
    });
    return event?.event?.id === appended.eventId;
  }

  // --- reading ----------------------------------------------------------------------------------

  private readRaw(
    streamId: string,
    options: { fromRevision?: bigint; maxCount?: number },
  ): Promise<ResolvedEvent[]> {
    return this.run(`a read of ${streamId}`, async (client, onCancel) => {
      try {
        return await collect(
          client.readStream(streamId, {
            fromRevision: options.fromRevision ?? START,
            maxCount: options.maxCount ?? Number.MAX_SAFE_INTEGER,
            direction: FORWARDS,
          }),
          onCancel,
        );
      } catch (error) {
        if (error instanceof StreamNotFoundError) return [];
        throw error;
      }
    });
  }

  /**
   * Up to `count` events of the global log from `from`, in `direction`. Filtered on the server
   * (EventStoreDB ≥ 21.10); a server that refuses filtered reads is read unfiltered, page by page,
   * and filtered here.
   */
  private async scanGlobalLog(
    direction: 'forwards' | 'backwards',
    from: typeof START | typeof END | Position,
    count: number,
  ): Promise<AllStreamResolvedEvent[]> {
    if (this.serverSideFilter) {
      try {
        const events = await this.run('a filtered read of $all', (client, onCancel) => {
          const read = readAllFilteredByStreamPrefix(client, {
            direction,
            fromPosition: from,
            maxCount: count,
            prefixes: [INITIATIVE_STREAM_PREFIX],
          });
          return read ? collect(read, onCancel) : Promise.resolve(null);
        });
        if (events) return events;
        // This client version no longer has what the filtered read needs: read unfiltered from now on.
        this.serverSideFilter = false;
      } catch (error) {
        if (!filterRefused(error)) throw error;
        // 20.10 answers an unknown error without saying why: only if a plain read works is it the filter.
        const events = await this.scanUnfiltered(direction, from, count);
        this.serverSideFilter = false;
        return events;
      }
    }
    return this.scanUnfiltered(direction, from, count);
  }

  private async scanUnfiltered(
    direction: 'forwards' | 'backwards',
    from: typeof START | typeof END | Position,
    count: number,
  ): Promise<AllStreamResolvedEvent[]> {
    const pageSize = Math.max(count, 256);
    const found: AllStreamResolvedEvent[] = [];
    let position = from;
    let last: Position | null = null;
    for (;;) {
      const page = await this.run('a read of $all', (client, onCancel) =>
        collect(
          client.readAll({
            direction: direction === 'forwards' ? FORWARDS : BACKWARDS,
            fromPosition: position,
            maxCount: pageSize,
          }),
          onCancel,
        ),
      );
      for (const item of page) {
        const at = item.event?.position;
        // Forward reads include their start: skip what the previous page already gave.
        if (!at || (last && direction === 'forwards' && comparePositions(at, last) <= 0)) continue;
        if (item.event?.streamId.startsWith(INITIATIVE_STREAM_PREFIX)) found.push(item);
        if (found.length >= count) return found;
      }
      const end = page.at(-1)?.event?.position;
      if (page.length < pageSize || !end) return found;
      last = end;
      position = end;
    }
  }

  // --- the connection ---------------------------------------------------------------------------

  private connect(): Connection {
    return {
      client: EventStoreDBClient.connectionString(this.connectionString),
      inFlight: 0,
      retired: false,
    };
  }

  /**
   * Runs one call against the server within `operationTimeoutMs`. Unreachable server, dropped
   * connection, deadline and server-side timeouts become `EventStoreUnavailableError`. The client
   * reconnects by itself on the next call after an unavailable / cancelled error; after a call that got
   * no answer at all the connection is replaced, since the channel it used may be wedged.
   */
  private async run<T>(
    operation: string,
    action: (client: EventStoreDBClient, onCancel: (cancel: Cancel) => void) => Promise<T>,
  ): Promise<T> {
    if (this.closed) throw new EventStoreUnavailableError('The event store is closed');
    const connection = this.connection;
    connection.inFlight += 1;
    const cancels: Cancel[] = [];
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        action(connection.client, (cancel) => cancels.push(cancel)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            for (const cancel of cancels) cancel();
            this.replace(connection);
            reject(
              new EventStoreUnavailableError(
                `EventStoreDB did not answer ${operation} within ${this.timeoutMs} ms`,
              ),
            );
          }, this.timeoutMs);
        }),
      ]);
      // A read cut short by close() ends quietly with part of its events: never answer with those.
      if (this.closed) throw new EventStoreUnavailableError('The event store was closed during the call');
      return result;
    } catch (error) {
      if (this.closed && !(error instanceof EventStoreUnavailableError))
        throw new EventStoreUnavailableError('The event store was closed during the call', { cause: error });
      throw unavailable(error, operation) ?? error;
    } finally {
      clearTimeout(timer);
      connection.inFlight -= 1;
      if (connection.retired && connection.inFlight === 0 && connection !== this.connection)
        void disposeClient(connection.client, this.singleNode);
    }
  }

  private replace(connection: Connection): void {
    if (connection !== this.connection || this.closed) return;
    connection.retired = true;
    this.connection = this.connect();
    if (this.subscription?.connection === connection) this.dropSubscription();
  }

  /** The wake-up subscription once the server confirmed it; starts one if none runs; null when none is live. */
  private async subscribe(): Promise<WakeUpSubscription | null> {
    const current = this.subscription ?? this.startSubscription();
    if (!current) return null;
    return (await current.live) ? current : null;
  }

  private startSubscription(): WakeUpSubscription | null {
    if (this.closed) return null;
    const connection = this.connection;
    const stream = connection.client.subscribeToAll({
      fromPosition: END,
      filter: streamNameFilter({ prefixes: [INITIATIVE_STREAM_PREFIX] }),
    });
    let settle: (live: boolean) => void = () => undefined;
    const entry: WakeUpSubscription = {
      stream,
      connection,
      live: new Promise<boolean>((resolve) => (settle = resolve)),
    };
    const timer = setTimeout(() => ended(), this.timeoutMs);
    let over = false;
    const ended = () => {
      // Dropped (server away or restarted), or never confirmed: followers look again, and the next
      // wait subscribes anew. A failed stream reports both `error` and `close`: one failure counts once.
      if (over) return;
      over = true;
      clearTimeout(timer);
      settle(false);
      if (!confirmed) this.failedSubscriptions += 1;
      if (this.subscription === entry) this.dropSubscription();
      this.waiters.wakeAll();
    };
    let confirmed = false;
    stream.once('confirmation', () => {
      confirmed = true;
      this.failedSubscriptions = 0;
      clearTimeout(timer);
      settle(true);
    });
    stream.on('data', (resolved: AllStreamResolvedEvent) => {
      if (resolved.event?.position) this.waiters.notify(logPosition(resolved.event.position));
    });
    stream.on('error', ended);
    stream.once('end', ended);
    stream.once('close', ended);
    this.subscription = entry;
    return entry;
  }

  /** 50 ms after the first failed subscription, doubling up to 5 s. */
  private resubscribeDelay(): number {
    return Math.min(5_000, 50 * 2 ** Math.min(this.failedSubscriptions, 7));
  }

  private dropSubscription(): void {
    const subscription = this.subscription;
    this.subscription = null;
    if (subscription) void subscription.stream.unsubscribe().catch(() => undefined);
  }
}

export function openEventStoreDb(
  connectionString: string,
  options?: EventStoreDbEventStoreOptions,
): EventStoreDbEventStore {
  return new EventStoreDbEventStore(connectionString, options);
}

// --- mapping ----------------------------------------------------------------------------------------

function toEventData(event: NewEvent) {
  const { actor, occurredAt, metadata, prevHash, hash } = event;
  return jsonEvent({
    id: event.eventId,
    type: event.type,
    data: event.data,
    metadata: {
      actor,
      occurredAt,
      metadata,
      prevHash,
      hash,
      $correlationId: metadata.correlationId,
      ...(metadata.causationId ? { $causationId: metadata.causationId } : {}),
    },
  });
}

/** The stored record, or null when the bytes are not what this adapter writes. */
function decode(resolved: ResolvedEvent | AllStreamResolvedEvent): StoredEvent | null {
  const recorded = resolved.event;
  if (!recorded || !recorded.isJson || !isObject(recorded.data) || !isObject(recorded.metadata)) return null;
  const { actor, occurredAt, metadata, prevHash, hash } = recorded.metadata;
  if (!isObject(actor) || typeof occurredAt !== 'string' || !isObject(metadata)) return null;
  if (typeof prevHash !== 'string' || typeof hash !== 'string') return null;
  return {
    streamId: recorded.streamId,
    revision: Number(recorded.revision),
    position: logPosition(recorded.position),
    eventId: recorded.id,
    type: recorded.type,
    occurredAt,
    actor: actor as unknown as RecordedActor,
    data: recorded.data,
    metadata: metadata as unknown as StoredEvent['metadata'],
    prevHash,
    hash,
  };
}

/** The port's global position of an event: its `$all` prepare position (see the class comment). */
function logPosition(position: Position | undefined): number {
  if (!position || position.prepare < 0n || position.prepare > MAX_SAFE) {
    throw new Error(
      'EventStoreDB sent no $all position with this event; the adapter needs EventStoreDB 22.6 or later, which sends it on stream reads too',
    );
  }
  return Number(position.prepare);
}

function comparePositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  return a.prepare === b.prepare ? 0 : a.prepare < b.prepare ? -1 : 1;
}

function currentRevision(error: WrongExpectedVersionError): number | 'no-stream' {
  const actual = error.actualVersion;
  return typeof actual === 'bigint' && actual >= 0n ? Number(actual) : 'no-stream';
}

export function keyStreamOf(sub: string, key: string): string {
  return (
    IDEMPOTENCY_STREAM_PREFIX +
    createHash('sha256')
      .update(JSON.stringify([sub, key]))
      .digest('hex')
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}

async function collect<E>(read: StreamingRead<E>, onCancel: (cancel: Cancel) => void): Promise<E[]> {
  onCancel(() => void read.cancel().catch(() => undefined));
  const events: E[] = [];
  for await (const event of read) events.push(event as E);
  return events;
}

const GRPC_CANCELLED = 1;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_RESOURCE_EXHAUSTED = 8;
const GRPC_ABORTED = 10;
const GRPC_UNAVAILABLE = 14;

/** The server could not be reached or did not answer in time: the port's `EventStoreUnavailableError`. */
function unavailable(error: unknown, operation: string): EventStoreUnavailableError | null {
  if (error instanceof EventStoreUnavailableError) return error;
  const transient =
    error instanceof UnavailableError ||
    error instanceof DeadlineExceededError ||
    error instanceof TimeoutError ||
    error instanceof CancelledError ||
    error instanceof NotLeaderError ||
    (error instanceof Error && /^Failed to discover/.test(error.message)) ||
    (isObject(error) &&
      [
        GRPC_CANCELLED,
        GRPC_DEADLINE_EXCEEDED,
        GRPC_RESOURCE_EXHAUSTED,
        GRPC_ABORTED,
        GRPC_UNAVAILABLE,
      ].includes(error.code as number));
  if (!transient) return null;
  const message = error instanceof Error ? error.message : String(error);
  return new EventStoreUnavailableError(`EventStoreDB is unavailable for ${operation}: ${message}`, {
    cause: error,
  });
}

/**
 * EventStoreDB before 21.10 refuses a filtered read of `$all` that is not a subscription: 21.x-era
 * servers with INVALID_ARGUMENT ("The combination of (All, Count, Forwards, Filter) is invalid."), 20.10
 * with an UNKNOWN "Exception was thrown by handler." The client reports both as `UnknownError`.
 */
function filterRefused(error: unknown): boolean {
  const code = (error as { code?: number }).code;
  return error instanceof UnknownError && (code === 2 || code === 3);
}

/**
 * Cancels the client's calls and closes its gRPC channel: `dispose()` leaves the channel open. Only for
 * a single-node connection string: on a cluster (`esdb+discover://` or several hosts) asking the client
 * for its channel could start a gossip discovery just to close the result.
 */
async function disposeClient(client: EventStoreDBClient, closeChannel: boolean): Promise<void> {
  await client.dispose().catch(() => undefined);
  if (!closeChannel) return;
  try {
    const channel = await (client as unknown as { getChannel(): Promise<{ close(): void }> }).getChannel();
    channel.close();
  } catch {
    // Never connected, or the address never resolved: nothing to close.
  }
}

function isSingleNode(connectionString: string): boolean {
  const match = /^esdb:\/\/(?:[^@/?]*@)?([^/?]*)/.exec(connectionString.trim());
  return match !== null && !match[1].includes(',');
}
