import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryEventStore, SqliteEventStore } from '@accord/event-store';
import { rebuildReadModel, ReadStore, TransparencyLogQueries } from '@accord/read-model';
import { historyArbitrary, HistoryStep, playHistory } from '../../libs/read-model/src/testing/random-history';
import { sqliteDumpOf } from '../../libs/read-model/src/testing/read-store-backends';
import { exited, startProcess, waitFor } from '../support/processes';
import fc from 'fast-check';

const RANDOM_COMMANDS = 6_000;
const LIFECYCLES = 5_000;
const KILLS = 5;

describe('The projector process killed with SIGKILL in the middle of batches', () => {
  const directory = mkdtempSync(join(tmpdir(), 'accord-kill-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('loses and doubles no update: after restarts its read model equals a rebuild, row for row', async () => {
    // A long log on disk, written before the projector first starts.
    const history = new InMemoryEventStore();
    const [randomSteps] = fc.sample(historyArbitrary(RANDOM_COMMANDS), { numRuns: 1, seed: 20261127 });
    // Thousands of complete lifecycles make the log long enough to kill the projector well before its end.
    const lifecycles = Array.from({ length: LIFECYCLES }, (_, index): HistoryStep[] => {
      const initiative = 1000 + index;
      const step = (kind: HistoryStep['kind'], state = 'KAZ'): HistoryStep => ({
        initiative,
        kind,
        state,
        decision: 'approve',
        versionOffset: 0,
        minutesLater: 0,
      });
      return [
        step('propose'),
        ...['AZE', 'KAZ', 'KGZ', 'TUR', 'UZB'].map((state) => step('sign', state)),
        step('fund'),
      ];
    }).flat();
    await playHistory(history, [...randomSteps, ...lifecycles]);
    const events = new SqliteEventStore(join(directory, 'events.db'));
    for (
      let batch = await history.readAll(0, 5000);
      batch.length > 0;
      batch = await history.readAll(batch[batch.length - 1].position, 5000)
    ) {
      const byStream = new Map<string, typeof batch>();
      for (const event of batch)
        byStream.set(event.streamId, [...(byStream.get(event.streamId) ?? []), event]);
      await Promise.all(
        [...byStream.values()].map((streamEvents) =>
          events.append(
            streamEvents[0].streamId,
            streamEvents,
            streamEvents[0].revision === 0 ? 'no-stream' : streamEvents[0].revision - 1,
          ),
        ),
      );
    }
    const head = await events.headPosition();

    const env = {
      ACCORD_DATA_DIR: directory,
      ACCORD_ROLES: 'projector',
      PORT: '0',
      ACCORD_JWT_SECRET: 'x'.repeat(32),
      ACCORD_CHECKPOINT_INTERVAL: '1',
    };
    const readStore = ReadStore.sqlite(join(directory, 'read-model.db'));
    await readStore.migrate();
    const checkpoints: number[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      const before = await readStore.checkpoint();
      const projector = startProcess('projector', env);
      // Kill it once it has made some progress, while it is still far from the head.
      await waitFor(
        async () => (await readStore.checkpoint()) > before || projector.exitCode !== null,
        20_000,
        'projector progress',
      ).catch((error) => {
        throw new Error(`${error.message}; the projector said: ${projector.output.join('')}`);
      });
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 60));
      projector.kill('SIGKILL');
      await exited(projector);
      checkpoints.push(await readStore.checkpoint());
    }
    expect(checkpoints[checkpoints.length - 1]).toBeLessThan(head);

    const last = startProcess('projector', env);
    // Caught up, and the log's checkpoint of the whole tree signed and projected: then nothing more is appended.
    const log = new TransparencyLogQueries(readStore);
    await waitFor(
      async () =>
        (await readStore.checkpoint()) === (await events.headPosition()) &&
        (await log.latestCheckpoint())?.treeSize === head,
      60_000,
      'projector catching up and signing the whole tree',
    );
    last.kill('SIGTERM');
    expect(await exited(last)).toBe(0);
    const afterKills = sqliteDumpOf(join(directory, 'read-model.db'));

    const rebuiltStore = ReadStore.sqlite(join(directory, 'rebuilt.db'));
    await rebuiltStore.migrate();
    await rebuildReadModel(events, rebuiltStore);
    await rebuiltStore.close();
    const rebuilt = sqliteDumpOf(join(directory, 'rebuilt.db'));
    console.log(
      `projector: ${head} events, killed ${KILLS} times at checkpoints ${checkpoints.join(', ')}; ` +
        `${afterKills.views.length} initiatives, equal to a rebuild: ${JSON.stringify(afterKills) === JSON.stringify(rebuilt)}`,
    );
    expect(afterKills).toEqual(rebuilt);
    await readStore.close();
    await events.close();
  }, 180_000);
});
