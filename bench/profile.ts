/**
 * CPU profiles of the real processes under benchmark load (`node --cpu-prof`), summarised by self time:
 *
 *   node -r ts-node/register/transpile-only -r tsconfig-paths/register bench/profile.ts \
 *     [--only server,rebuild] [--log-level warn] [--with-baseline] [--events 200000]
 *     [--read-store sqlite|postgres] [--out FILE] [--keep]
 *
 * - server: the API process during the P1 run (quick sizes): health baseline, proposals and sign-offs;
 * - rebuild: `accord projections rebuild` over a generated history, on the SQLite read store or (--read-store
 *   postgres) on a fresh schema of the machine's PostgreSQL: the CLI's profile only, the server's work shows as idle.
 * Prints Markdown (and writes it to --out); --keep leaves the .cpuprofile files (for Chrome DevTools) in place.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchContext, makeTempDir, removeDir } from './lib/common';
import { latestProfiles, renderSummary, summariseProfile } from './lib/cpu-profile';
import { createTestSchema } from '../test/support/postgres';
import { generateHistory } from './lib/history';
import { p1Options, runP1 } from './p1-http';
import { rebuildWithCli } from './p5-rebuild';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const value = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  const only = new Set((value('--only') ?? 'server,rebuild').split(','));
  const keep = argv.includes('--keep');
  const dirs: string[] = [];
  const ctx: BenchContext = {
    quick: true,
    log: (line) => process.stderr.write(`${line}\n`),
    tempDir: (label) => {
      const dir = makeTempDir(label);
      dirs.push(dir);
      return dir;
    },
  };
  const profiles = makeTempDir('profiles');
  const sections: string[] = [];
  try {
    if (only.has('server')) {
      const dir = join(profiles, 'server');
      const logLevel = value('--log-level') ?? 'warn';
      const result = await runP1(ctx, {
        ...p1Options(true),
        logLevel,
        skipBaseline: !argv.includes('--with-baseline'),
        nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
      });
      for (const { thread, file } of latestProfiles(dir))
        sections.push(
          renderSummary(
            `API server during P1's proposals and sign-offs, ${thread === 0 ? 'main thread' : `thread ${thread} (the projector)`} (LOG_LEVEL=${logLevel}; under the profiler: ${result.p1.value} sign-offs/s, p99 ${result.p1.p99Ms} ms)`,
            summariseProfile(file, 30, ['flush', 'sqliteTransaction', 'appendOne', 'applyBatch', 'applyIn']),
          ),
        );
    }
    if (only.has('rebuild')) {
      const events = Number(value('--events') ?? 200_000);
      const dataDir = ctx.tempDir('profile-rebuild');
      await generateHistory(join(dataDir, 'events.db'), events);
      const dir = join(profiles, 'rebuild');
      const postgres = value('--read-store') === 'postgres';
      const schema = postgres ? await createTestSchema() : null;
      const run = await rebuildWithCli(
        dataDir,
        schema ? { ACCORD_READ_STORE: 'postgres', DATABASE_URL: schema.url } : {},
        { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] },
      ).finally(() => schema?.drop());
      sections.push(
        renderSummary(
          `accord projections rebuild, ${events} events, ${postgres ? 'PostgreSQL' : 'SQLite'} read store (under the profiler: ${Math.round(events / run.seconds)} events/s, max RSS ${run.maxRssMb} MB)`,
          summariseProfile(latestProfiles(dir)[0].file, 30, [
            'applyIn',
            'projectBatch',
            'readAll',
            'finishRebuild',
          ]),
        ),
      );
    }
  } finally {
    for (const dir of dirs) removeDir(dir);
    if (!keep) removeDir(profiles);
    else process.stderr.write(`profiles kept in ${profiles}\n`);
  }
  const markdown = sections.join('\n');
  process.stdout.write(markdown);
  const out = value('--out');
  if (out) writeFileSync(out, markdown);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
