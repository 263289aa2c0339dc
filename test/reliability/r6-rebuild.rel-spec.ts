import { execFile } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { SqliteEventStore } from '@accord/event-store';
import { historyArbitrary, playHistory } from '../../libs/read-model/src/testing/random-history';
import { ReadModelDump, sqliteDumpOf } from '../../libs/read-model/src/testing/read-store-backends';
import { ROOT } from '../support/processes';
import { auditor, HttpClient, mapConcurrently, proposalBody, secretariat, tokenFor } from './support/http';
import {
  AccordServer,
  freshDataDir,
  killAllStarted,
  n,
  removeDir,
  scale,
  secondsSince,
  startServer,
  until,
} from './support/server';

jest.setTimeout(900_000);

const COMMANDS = scale(10_000, 2_000);
const CLI = join(ROOT, 'apps', 'cli', 'bin', 'accord.js');

/**
 * R6 (quality.md): after a random 10,000-command history (fast-check, the generator of
 * libs/read-model/src/testing/random-history.ts), a rebuild of every projection from zero with the real CLI
 * (`accord projections rebuild`, a child process) against a running server's data is identical to the live read
 * model that server's projector kept while the commands arrived — row for row, and as the API shows it.
 * (The in-process property test of libs/read-model/src/store/read-store.int-spec.ts covers both read stores.)
 */
describe('R6: a rebuild from zero equals the live read model', () => {
  const dataDir = freshDataDir('r6');
  let server: AccordServer | null = null;

  afterAll(async () => {
    await server?.stop();
    await killAllStarted();
    removeDir(dataDir);
  });

  it(`after a random ${n(COMMANDS)}-command history, with accord projections rebuild beside the running server`, async () => {
    const seed = process.env.RELIABILITY_SEED ? Number(process.env.RELIABILITY_SEED) : Date.now() % 2 ** 31;
    const lines: string[] = [];
    // The scheduler is off: the generated history carries its own clock, and nothing else may write.
    server = await startServer({ dataDir, env: { ACCORD_ROLES: 'api,projector' } });
    const running = server;
    const client = new HttpClient(server.url, 8);
    const token = await tokenFor(auditor);
    const projectionLag = async () => (await client.get('/health/ready')).body.checks.projection;
    const apiView = async () => {
      const items: { initiativeId: string }[] = [];
      for (let cursor: string | null = null, first = true; first || cursor; first = false) {
        const page = await client.get(`/v1/initiatives?limit=200${cursor ? `&cursor=${cursor}` : ''}`, {
          token,
        });
        items.push(...page.body.items);
        cursor = page.body.nextCursor;
      }
      const views = await mapConcurrently(
        items,
        8,
        async (item) => (await client.get(`/v1/initiatives/${item.initiativeId}`, { token })).text,
      );
      return { list: JSON.stringify(items), views };
    };

    await fc.assert(
      fc.asyncProperty(historyArbitrary(COMMANDS), async (steps) => {
        const started = Date.now();
        // The commands go through the real command handler into the server's own events.db, while the server's
        // projector follows the log live, batch by batch.
        const store = new SqliteEventStore(join(dataDir, 'events.db'));
        const appended = await playHistory(store, steps);
        const head = await store.headPosition();
        await store.close();
        const playedIn = secondsSince(started);
        await until(
          'the live projection to reach the head',
          async () => (await projectionLag()).checkpoint === head,
          300_000,
          250,
        );
        const live: ReadModelDump = sqliteDumpOf(join(dataDir, 'read-model.db'));
        const liveApi = await apiView();

        const rebuildStarted = Date.now();
        const cli = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
          execFile(
            process.execPath,
            [CLI, 'projections', 'rebuild'],
            { cwd: ROOT, env: { PATH: process.env.PATH, ACCORD_DATA_DIR: dataDir }, timeout: 600_000 },
            (error, stdout, stderr) =>
              resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
          ),
        );
        const rebuildSeconds = secondsSince(rebuildStarted);
        expect(cli).toMatchObject({ code: 0 });
        const rebuilt: ReadModelDump = sqliteDumpOf(join(dataDir, 'read-model.db'));
        const rebuiltApi = await apiView();
        const sameRows = JSON.stringify(rebuilt) === JSON.stringify(live);
        const sameApi = JSON.stringify(rebuiltApi) === JSON.stringify(liveApi);
        lines.push(
          `R6 (seed ${seed}): ${n(steps.length)} random commands (${n(appended)} of them appended events) → ${n(head)} events ` +
            `in ${playedIn} s; live read model: ${n(live.views.length)} initiatives, ${n(live.participants.length)} ` +
            `participant rows, ${n(live.pending.length)} pending sign-offs;`,
          `  accord projections rebuild (child process, server running) in ${rebuildSeconds} s: ` +
            `"${cli.stdout.trim()}"; identical row for row: ${sameRows}; identical through the API ` +
            `(list + ${n(liveApi.views.length)} views): ${sameApi}`,
        );
        expect(rebuilt).toEqual(live);
        expect(rebuiltApi).toEqual(liveApi);
      }),
      { numRuns: 1, seed, endOnFailure: true },
    );

    // The server's projector goes on after the swap: a new command shows up in the rebuilt read model.
    const proposed = await client.post('/v1/initiatives', proposalBody(), {
      token: await tokenFor(secretariat),
    });
    expect(proposed.status).toBe(201);
    const view = await client.get(`/v1/initiatives/${proposed.body.initiativeId}?minRevision=0`, { token });
    expect(view.status).toBe(200);
    lines.push(
      `  after the rebuild the running projector went on: a new proposal was readable (${view.status})`,
    );
    client.close();
    expect(await running.stop()).toBe(0);
    console.log(lines.join('\n'));
  });
});
