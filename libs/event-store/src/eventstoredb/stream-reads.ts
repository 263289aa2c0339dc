import { FORWARDS, ResolvedEvent, START, StreamNotFoundError } from '@eventstore/db-client';
import { CorruptEventError } from '../errors';
import { StoredEvent } from '../event-record';
import { collect, EventStoreDbConnection } from './connection';
import { decode } from './event-codec';

/** The events of one stream as the client gives them, forwards; none when the stream does not exist. */
export function readResolved(
  connection: EventStoreDbConnection,
  streamId: string,
  options: { fromRevision?: bigint; maxCount?: number },
): Promise<ResolvedEvent[]> {
  return connection.run(`a read of ${streamId}`, async (client, onCancel) => {
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

/** The whole stream as the port's records; `CorruptEventError` names the first event it cannot decode. */
export async function readStoredEvents(
  connection: EventStoreDbConnection,
  streamId: string,
): Promise<StoredEvent[]> {
  const resolved = await readResolved(connection, streamId, {});
  const events: StoredEvent[] = [];
  for (const item of resolved) {
    const event = decode(item);
    if (!event) throw new CorruptEventError(streamId, Number(item.event?.revision ?? events.length), events);
    events.push(event);
  }
  return events;
}
