import {
  AllStreamResolvedEvent,
  BACKWARDS,
  END,
  FORWARDS,
  Position,
  START,
  UnknownError,
} from '@eventstore/db-client';
import { CorruptEventError } from '../errors';
import { StoredEvent } from '../event-record';
import { collect, EventStoreDbConnection } from './connection';
import { decode, logPosition } from './event-codec';
import { readAllFilteredByStreamPrefix } from './filtered-read';

/**
 * The global log: `$all` filtered by stream prefixes, read in pages of the port's positions (see
 * `EventStoreDbEventStore` for how those map to `$all` positions).
 */
export class GlobalLog {
  private serverSideFilter = true;

  constructor(
    private readonly connection: EventStoreDbConnection,
    /** Streams whose name starts with one of these are the global log; all others stay out of it. */
    readonly streamPrefixes: readonly string[],
  ) {}

  async readAll(after: number, limit: number): Promise<StoredEvent[]> {
    if (limit <= 0) return [];
    const from = after > 0 ? { commit: BigInt(after), prepare: BigInt(after) } : START;
    // One more than asked: the read starts at `after` itself, which is not part of the answer.
    const resolved = await this.scan('forwards', from, limit + 1);
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

  private holds(streamId: string | undefined): boolean {
    return streamId !== undefined && this.streamPrefixes.some((prefix) => streamId.startsWith(prefix));
  }

  async headPosition(): Promise<number> {
    const [last] = await this.scan('backwards', END, 1);
    return last?.event?.position ? logPosition(last.event.position) : 0;
  }

  /**
   * Up to `count` events of the global log from `from`, in `direction`. Filtered on the server
   * (EventStoreDB ≥ 21.10); a server that refuses filtered reads is read unfiltered, page by page,
   * and filtered here.
   */
  private async scan(
    direction: 'forwards' | 'backwards',
    from: typeof START | typeof END | Position,
    count: number,
  ): Promise<AllStreamResolvedEvent[]> {
    if (this.serverSideFilter) {
      try {
        const events = await this.connection.run('a filtered read of $all', (client, onCancel) => {
          const read = readAllFilteredByStreamPrefix(client, {
            direction,
            fromPosition: from,
            maxCount: count,
            prefixes: [...this.streamPrefixes],
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
      const page = await this.connection.run('a read of $all', (client, onCancel) =>
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
        if (this.holds(item.event?.streamId)) found.push(item);
        if (found.length >= count) return found;
      }
      const end = page.at(-1)?.event?.position;
      if (page.length < pageSize || !end) return found;
      last = end;
      position = end;
    }
  }
}

function comparePositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  return a.prepare === b.prepare ? 0 : a.prepare < b.prepare ? -1 : 1;
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
