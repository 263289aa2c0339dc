/**
 * P3b: the P2 workload against a stronger peer, Emmett's PostgreSQL event store
 * (@event-driven-io/emmett-postgresql 0.42.0), on the machine's PostgreSQL at its best working concurrency. Each
 * trial runs in a child process (bench/peer/emmett-postgresql/trial.ts) on a database of its own, created for it
 * with `synchronous_commit=on` and dropped afterwards; Emmett's durability is read inside its append transaction.
 *
 * Why 0.42.0: the registry this project installs from has no emmett-postgresql 0.38.5 (the Emmett of P3), and
 * 0.42.0 pins Emmett 0.42.0 as a peer, so it lives in a workspace of its own (bench/peer/emmett-postgresql).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { TEST_DATABASE_URL } from '../test/support/postgres';
import { BenchContext, Figure, median, ROOT, round } from './lib/common';
import { runTrial, TrialResult } from './lib/peer-trial';

const TRIAL = join(ROOT, 'bench', 'peer', 'emmett-postgresql', 'trial.ts');
const PEER = '@event-driven-io/emmett-postgresql 0.42.0 (pg driver)';
export const P3B_TARGET = '≥ 3 × Emmett PostgreSQL (best working concurrency, synchronous_commit=on)';

async function withAdmin<T>(work: (admin: Client) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/** A fresh database for one trial, whose sessions commit with synchronous_commit=on whatever the server's default. */
async function trialOnFreshDatabase(
  concurrency: number,
  appends: number,
  probe = false,
): Promise<TrialResult> {
  const name = `accord_p3b_${randomBytes(6).toString('hex')}`;
  await withAdmin(async (admin) => {
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.query(`ALTER DATABASE ${name} SET synchronous_commit = on`);
  });
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  try {
    return await runTrial(
      TRIAL,
      [url.toString(), String(concurrency), String(appends), ...(probe ? ['probe'] : [])],
      concurrency,
    );
  } finally {
    await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
}

export async function runP3b(ctx: BenchContext, ours: number): Promise<Figure> {
  const concurrencies = ctx.quick ? [1, 4, 16] : [1, 2, 4, 8, 16, 32, 64];
  const tried: { concurrency: number; works: boolean; rate: number; errors: number; error?: string }[] = [];
  for (const concurrency of concurrencies) {
    const appends = Math.max(ctx.quick ? 200 : 500, concurrency * (ctx.quick ? 10 : 20));
    const result = await trialOnFreshDatabase(concurrency, appends);
    // PostgreSQL takes every append or fails it: a concurrency works when none failed.
    const works = !result.crashed && result.errors === 0 && result.appended >= appends;
    tried.push({
      concurrency,
      works,
      rate: round(result.rate ?? 0, 1),
      errors: result.errors ?? 0,
      error: result.crashed ?? result.firstErrors?.[0],
    });
    ctx.log(
      `P3b Emmett PostgreSQL at concurrency ${concurrency}: ${works ? 'works' : 'FAILS'}, ${round(result.rate ?? 0, 1)} appends/s` +
        (works ? '' : ` (${result.crashed ?? `${result.errors} errors, e.g. ${result.firstErrors?.[0]}`})`),
    );
  }
  const { settings, crashed } = await trialOnFreshDatabase(1, 10, true);
  if (settings?.synchronous_commit !== 'on')
    throw new Error(
      `Emmett's append transaction ran with synchronous_commit=${settings?.synchronous_commit ?? `unknown (${crashed})`}, not on`,
    );
  const working = tried.filter((t) => t.works);
  if (working.length === 0) throw new Error('Emmett PostgreSQL worked at no concurrency');
  const best = working.reduce((a, b) => (b.rate > a.rate ? b : a));
  const rounds = ctx.quick ? 1 : 3;
  const appends = ctx.quick ? 1_000 : 5_000;
  const rates: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const result = await trialOnFreshDatabase(best.concurrency, appends);
    if (result.crashed || result.errors > 0)
      throw new Error(
        `Emmett PostgreSQL failed at concurrency ${best.concurrency}: ${result.crashed ?? result.firstErrors[0]}`,
      );
    rates.push(result.rate);
  }
  const peer = median(rates);
  ctx.log(
    `P3b Emmett PostgreSQL at concurrency ${best.concurrency}: ${round(peer, 1)} appends/s; ours ${round(ours)} appends/s`,
  );
  const ratio = ours / peer;
  return {
    value: round(peer, 1),
    unit: 'appends/s',
    baseline: round(ours),
    ratio: round(ratio, 1),
    target: P3B_TARGET,
    met: ratio >= 3,
    peer: PEER,
    peerRounds: rates.map((r) => round(r, 1)),
    peerAppendsPerRound: appends,
    peerBestConcurrency: best.concurrency,
    peerPoolSize: best.concurrency,
    peerConcurrencyTrials: tried,
    peerDurability: `${Object.entries(settings)
      .map(([name, value]) => `${name}=${value}`)
      .join(
        ', ',
      )} (read inside Emmett's append transaction; the trial's database is created with synchronous_commit=on)`,
    ours: 'P2: SqliteEventStore, 64 appenders, WAL, synchronous=FULL',
  };
}
