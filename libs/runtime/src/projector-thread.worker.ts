import { parentPort, workerData } from 'node:worker_threads';
import { SqliteEventStore } from '@accord/event-store';
import { Projector } from '@accord/read-model';
import type { FromProjectorThread, ProjectorThreadData, ToProjectorThread } from './projector-thread';
import { openReadStore, sqliteEventStoreFile } from './stores';

/** The projector's thread (ProjectorThread): the same Projector as on the event loop, on connections of its own. */
async function main(port: NonNullable<typeof parentPort>): Promise<void> {
  const { stores } = workerData as ProjectorThreadData;
  const post = (message: FromProjectorThread) => port.postMessage(message);
  const events = new SqliteEventStore(sqliteEventStoreFile(stores));
  // Its batches touch the ends of the tables and indexes, and it shares the API's memory (P7 of docs/quality.md).
  const readStore = await openReadStore(stores, { writerCacheMb: 4 });
  const stopping = new AbortController();
  port.on('message', (message: ToProjectorThread) => {
    if (message.type === 'stop') stopping.abort();
    else events.noticeAppendsElsewhere();
  });
  const projector = new Projector(events, readStore, {
    onBatch: (position) => post({ type: 'projected', position }),
    onError: (error) => post({ type: 'failed', error: plainError(error) }),
  });
  post({ type: 'started', position: await readStore.checkpoint() });
  try {
    await projector.run(stopping.signal);
  } finally {
    await readStore.close();
    await events.close();
    port.close();
  }
}

function plainError(error: unknown): { name: string; message: string; stack?: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message, stack: error.stack }
    : { name: 'Error', message: String(error) };
}

if (parentPort)
  main(parentPort).catch((error: unknown) => {
    parentPort?.postMessage({ type: 'failed', error: plainError(error) } satisfies FromProjectorThread);
    process.exitCode = 1;
  });
