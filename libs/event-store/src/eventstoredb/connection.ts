import {
  CancelledError,
  DeadlineExceededError,
  EventStoreDBClient,
  NotLeaderError,
  StreamingRead,
  TimeoutError,
  UnavailableError,
} from '@eventstore/db-client';
import { EventStoreUnavailableError } from '../errors';
import { isObject } from './event-codec';
import { closeClientChannel } from './filtered-read';

/** One client and the calls running on it. */
export interface ClientHandle {
  client: EventStoreDBClient;
  inFlight: number;
  retired: boolean;
}

export type Cancel = () => void;

/**
 * The adapter's connection to the server: one client at a time, every call bounded by `timeoutMs`, the
 * client replaced after a call that got no answer, and closed once for good.
 */
export class EventStoreDbConnection {
  private current: ClientHandle;
  private isClosed = false;
  private readonly singleNode: boolean;
  private readonly replacedListeners: ((old: ClientHandle) => void)[] = [];

  constructor(
    private readonly connectionString: string,
    /** Upper bound of every call to the server, connection included. */
    readonly timeoutMs: number,
  ) {
    this.singleNode = isSingleNode(connectionString);
    this.current = this.connect();
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** The client new calls go to: for what runs outside `run`, such as a subscription. */
  get handle(): ClientHandle {
    return this.current;
  }

  /** Called with the retired client each time it is replaced by a new one. */
  onReplaced(listener: (old: ClientHandle) => void): void {
    this.replacedListeners.push(listener);
  }

  /**
   * Runs one call against the server within `operationTimeoutMs`. Unreachable server, dropped
   * connection, deadline and server-side timeouts become `EventStoreUnavailableError`. The client
   * reconnects by itself on the next call after an unavailable / cancelled error; after a call that got
   * no answer at all the connection is replaced, since the channel it used may be wedged.
   */
  async run<T>(
    operation: string,
    action: (client: EventStoreDBClient, onCancel: (cancel: Cancel) => void) => Promise<T>,
  ): Promise<T> {
    if (this.isClosed) throw new EventStoreUnavailableError('The event store is closed');
    const connection = this.current;
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
      if (this.isClosed) throw new EventStoreUnavailableError('The event store was closed during the call');
      return result;
    } catch (error) {
      if (this.isClosed && !(error instanceof EventStoreUnavailableError))
        throw new EventStoreUnavailableError('The event store was closed during the call', { cause: error });
      throw unavailable(error, operation) ?? error;
    } finally {
      clearTimeout(timer);
      connection.inFlight -= 1;
      if (connection.retired && connection.inFlight === 0 && connection !== this.current)
        void disposeClient(connection.client, this.singleNode);
    }
  }

  /** Refuses every call from now on; `dispose` then lets the client go. */
  markClosed(): void {
    this.isClosed = true;
  }

  async dispose(): Promise<void> {
    this.current.retired = true;
    await disposeClient(this.current.client, this.singleNode);
  }

  private connect(): ClientHandle {
    return {
      client: EventStoreDBClient.connectionString(this.connectionString),
      inFlight: 0,
      retired: false,
    };
  }

  private replace(connection: ClientHandle): void {
    if (connection !== this.current || this.isClosed) return;
    connection.retired = true;
    this.current = this.connect();
    for (const listener of this.replacedListeners) listener(connection);
  }
}

/** Every item of a read, which `run` can cancel through `onCancel` when its deadline passes. */
export async function collect<E>(read: StreamingRead<E>, onCancel: (cancel: Cancel) => void): Promise<E[]> {
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
 * Cancels the client's calls and closes its gRPC channel: `dispose()` leaves the channel open. Only for
 * a single-node connection string: on a cluster (`esdb+discover://` or several hosts) asking the client
 * for its channel could start a gossip discovery just to close the result.
 */
async function disposeClient(client: EventStoreDBClient, closeChannel: boolean): Promise<void> {
  await client.dispose().catch(() => undefined);
  if (closeChannel) await closeClientChannel(client);
}

function isSingleNode(connectionString: string): boolean {
  const match = /^esdb:\/\/(?:[^@/?]*@)?([^/?]*)/.exec(connectionString.trim());
  return match !== null && !match[1].includes(',');
}
