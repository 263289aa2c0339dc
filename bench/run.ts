/**
 * `npm run bench [-- --quick] [-- --only P1,P5] [-- --no-postgres] [-- --no-info-log]`: the performance
 * targets P1–P8 (and P3b) of the quality spec, measured against real processes (the built server and CLI, the local Kafka
 * broker, SQLite files, PostgreSQL), written to bench/results.json and bench/results.md.
 *
 * Run it after `npm run build` (the npm script builds first). --quick: smaller sizes, the same code paths,
 * under three minutes; its figures are marked `quick`.
 */
import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { brokerRunning, brokerVersion, ensureBroker, stopBroker } from '../test/kafka/broker';
import { TEST_DATABASE_URL } from '../test/support/postgres';
import { BenchContext, describeMachine, makeTempDir, removeDir, ROOT, round } from './lib/common';
import { IDS, Id, renderMarkdown, Results } from './lib/report';
import { healthIsRateLimited, p1Options, runP1 } from './p1-http';
import { runP2 } from './p2-append';
import { runP3 } from './p3-emmett';
import { P3B_TARGET, runP3b } from './p3b-emmett-postgresql';
import { runP4 } from './p4-relay';
import { PreparedHistory, runP5 } from './p5-rebuild';
import { runP6 } from './p6-latency';
import { P8_TARGET, runP8 } from './p8-queries';

const TARGETS: Record<Id, string> = {
  P1: '≥ 25 % of GET /health/live req/s; p99 ≤ 50 ms',
  P2: '≥ 3 × raw better-sqlite3 single-row commits/s (WAL, synchronous=FULL)',
  P3: '≥ 10 × Emmett SQLite (best working concurrency)',
  P3b: P3B_TARGET,
  P4: '≥ 70 % of a bare kafkajs producer (same records, same batching); ≥ 20,000 events/s',
  P5: '≥ 30,000 events/s; resident memory ≤ 400 MB',
  P6: 'p99 ≤ 100 ms at 200 commands/s',
  P7: '≤ 300 MB',
  P8: P8_TARGET,
};

function parseArgs(argv: string[]) {
  const value = (name: string) => {
    const index = argv.indexOf(name);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const asked = value('--only')
    ?.split(',')
    .map((id) => id.trim());
  const only = asked?.map((id) => IDS.find((known) => known.toLowerCase() === id.toLowerCase()) ?? id);
  const unknown = only?.filter((id) => !IDS.includes(id as Id));
  if (unknown?.length) throw new Error(`--only: unknown ${unknown.join(', ')}`);
  return {
    quick: argv.includes('--quick'),
    only: new Set<Id>((only as Id[] | undefined) ?? IDS),
    postgres: !argv.includes('--no-postgres'),
    infoLog: !argv.includes('--no-info-log'),
  };
}

async function postgresVersion(): Promise<string> {
  const client = new Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return `PostgreSQL ${rows[0].server_version}`;
  } catch (error) {
    return `unavailable (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function sqliteVersion(): string {
  const db = new Database(':memory:');
  const version = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  db.close();
  return `SQLite ${version} (better-sqlite3)`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const log = (line: string) =>
    process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
  const dirs: string[] = [];
  const ctx: BenchContext = {
    quick: args.quick,
    log,
    tempDir: (label) => {
      const dir = makeTempDir(label);
      dirs.push(dir);
      return dir;
    },
  };
  const wants = (...ids: Id[]) => ids.some((id) => args.only.has(id));
  const figures: Results['figures'] = {};
  const extra: Record<string, unknown> = {};
  const record = async (ids: Id[], run: () => Promise<void>) => {
    try {
      await run();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`${ids.join(', ')} failed: ${message}`);
      for (const id of ids)
        if (args.only.has(id) && !figures[id])
          figures[id] = { error: message, met: false, target: TARGETS[id] };
    }
  };

  const needsKafka = wants('P4', 'P6');
  let startedBroker = false;
  if (needsKafka) {
    log(brokerRunning() ? 'Kafka broker already running' : 'starting the local Kafka broker');
    startedBroker = ensureBroker();
  }
  const machine = describeMachine({
    kafka: needsKafka || brokerRunning() ? `Apache Kafka ${brokerVersion()}` : 'not used',
    sqlite: sqliteVersion(),
    postgres: await postgresVersion(),
  });
  log(
    `${args.quick ? 'quick' : 'full'} run on ${machine.cpu}, ${machine.cores} cores, ${machine.ramGiB} GiB, Node ${machine.node}`,
  );

  try {
    let ours: number | null = null;
    if (wants('P2', 'P3', 'P3b'))
      await record(['P2', 'P3', 'P3b'], async () => {
        const result = await runP2(ctx);
        ours = result.ours;
        if (args.only.has('P2')) figures.P2 = result.p2;
      });
    if (wants('P3') && ours !== null)
      await record(['P3'], async () => void (figures.P3 = await runP3(ctx, ours as number)));
    if (wants('P3b') && ours !== null) {
      if (args.postgres)
        await record(['P3b'], async () => void (figures.P3b = await runP3b(ctx, ours as number)));
      else log('P3b skipped: it needs PostgreSQL (--no-postgres)');
    }

    if (wants('P1', 'P7')) {
      await record(['P1', 'P7'], async () => {
        const result = await runP1(ctx, p1Options(args.quick));
        result.p1.healthRateLimited = await healthIsRateLimited(ctx);
        if (args.only.has('P1')) figures.P1 = result.p1;
        if (args.only.has('P7')) figures.P7 = result.p7;
      });
      if (args.infoLog && !args.quick)
        await record([], async () => {
          // The same at LOG_LEVEL=info (a line per request, as production logs): a smaller run, reported beside.
          const options = { ...p1Options(false), logLevel: 'info', signOffSeconds: 15, baselineSeconds: 6 };
          const result = await runP1(ctx, options);
          extra.P1_at_info = result.p1;
          extra.P7_at_info = result.p7;
        });
    }

    // P8 queries the history P5 wrote and the read models it rebuilt, when both run.
    let prepared: PreparedHistory | undefined;
    if (wants('P5'))
      await record(['P5'], async () => {
        const result = await runP5(ctx, { postgres: args.postgres, keep: wants('P8') });
        figures.P5 = result.p5;
        prepared = result.kept ?? undefined;
      });
    if (wants('P8'))
      await record(
        ['P8'],
        async () => void (figures.P8 = await runP8(ctx, { postgres: args.postgres, prepared })),
      );
    if (wants('P4')) await record(['P4'], async () => void (figures.P4 = await runP4(ctx)));
    if (wants('P6')) await record(['P6'], async () => void (figures.P6 = await runP6(ctx)));
  } finally {
    for (const dir of dirs) removeDir(dir);
    if (startedBroker) {
      log('stopping the Kafka broker this run started');
      stopBroker();
    }
  }

  if (args.quick)
    for (const figure of Object.values(figures)) (figure as Record<string, unknown>).quick = true;
  const results: Results = {
    quick: args.quick,
    date: new Date().toISOString(),
    durationSeconds: round((Date.now() - started) / 1000, 1),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    machine,
    figures,
    extra,
  };
  const json = {
    ...Object.fromEntries(IDS.filter((id) => figures[id]).map((id) => [id, figures[id]])),
    quick: results.quick,
    date: results.date,
    durationSeconds: results.durationSeconds,
    command: results.command,
    machine,
    extra,
  };
  writeFileSync(join(ROOT, 'bench', 'results.json'), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(join(ROOT, 'bench', 'results.md'), renderMarkdown(results));
  log(`done in ${results.durationSeconds} s: bench/results.json, bench/results.md`);
  process.stdout.write(renderMarkdown(results));
  const missed = Object.entries(figures).filter(([, figure]) => !figure?.met);
  if (missed.length > 0) log(`targets missed: ${missed.map(([id]) => id).join(', ')}`);
  const failed = Object.entries(figures).filter(([, figure]) => figure && 'error' in figure);
  if (failed.length > 0) {
    log(`measurements failed: ${failed.map(([id]) => id).join(', ')}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
