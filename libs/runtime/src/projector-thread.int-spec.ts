import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@accord/config';
import { Projector, ReadStore } from '@accord/read-model';
import { SqliteEventStore } from '@accord/event-store';
import { historyArbitrary, playHistory } from '../../read-model/src/testing/random-history';
import { sqliteDumpOf } from '../../read-model/src/testing/read-store-backends';
import { createLogger } from './logger';
import { ProjectorThread } from './projector-thread';
import { openRuntime, Runtime } from './runtime';

const RANDOM_COMMANDS = 600;

async function caughtUp(runtime: Runtime, timeoutMs = 10_000): Promise<void> {
  const projector = runtime.workers.projector;
  const deadline = Date.now() + timeoutMs;
  while (!projector?.running || (await projector.lag()) > 0) {
    if (Date.now() > deadline)
      throw new Error(`The projector did not catch up: lag ${await projector?.lag()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('The embedded server’s projector on a thread of its own', () => {
  let directory: string;
  const open = () =>
    openRuntime(
      loadConfig({
        ACCORD_DATA_DIR: directory,
        ACCORD_JWT_SECRET: 'x'.repeat(32),
        ACCORD_ROLES: 'api,projector',
      }),
      createLogger('silent'),
    );
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'accord-thread-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  describe('when commands are appended on the process’s event loop', () => {
    it('projects each append as it is committed, and its read model equals one projected on the loop, row for row', async () => {
      const runtime = await open();
      const [steps] = fc.sample(historyArbitrary(RANDOM_COMMANDS), { numRuns: 1, seed: 20261130 });
      try {
        expect(runtime.workers.projector).toBeInstanceOf(ProjectorThread);
        await caughtUp(runtime);
        // Appends one at a time, each waited for by the thread before the next (lag 0 by the thread's own report).
        await playHistory(runtime.eventStore, steps.slice(0, 20), { afterEach: () => caughtUp(runtime) });
        await playHistory(runtime.eventStore, steps.slice(20));
        await caughtUp(runtime);
        expect(runtime.workers.projector?.checkpoint).toBe(await runtime.eventStore.headPosition());
      } finally {
        await runtime.close();
      }

      const reference = ReadStore.sqlite(join(directory, 'reference.db'));
      await reference.migrate();
      const events = new SqliteEventStore(join(directory, 'events.db'));
      const head = await events.headPosition();
      const stop = new AbortController();
      const onLoop = new Projector(events, reference, {
        idleWaitMs: 20,
        onBatch: (position) => position === head && stop.abort(),
      });
      await onLoop.run(stop.signal);
      await reference.close();
      await events.close();
      expect(sqliteDumpOf(join(directory, 'read-model.db'))).toEqual(
        sqliteDumpOf(join(directory, 'reference.db')),
      );
    });
  });

  describe('when the process restarts on the same data', () => {
    it('goes on from the checkpoint as stored, and stops with the process', async () => {
      const [steps] = fc.sample(historyArbitrary(200), { numRuns: 1, seed: 20261131 });
      const first = await open();
      await playHistory(first.eventStore, steps.slice(0, 100));
      await caughtUp(first);
      await first.close();
      expect(first.workers.projector?.running).toBe(false);

      const second = await open();
      try {
        await caughtUp(second);
        const restartedAt = second.workers.projector?.checkpoint;
        expect(restartedAt).toBe(await second.eventStore.headPosition());
        await playHistory(second.eventStore, steps.slice(100));
        await caughtUp(second);
        expect(second.workers.projector?.checkpoint).toBeGreaterThan(restartedAt ?? 0);
        expect(await second.readStore.checkpoint()).toBe(await second.eventStore.headPosition());
      } finally {
        await second.close();
      }
    });
  });
});
