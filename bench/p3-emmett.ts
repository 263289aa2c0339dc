/**
 * P3: the P2 workload against a peer, Emmett's SQLite event store (@event-driven-io/emmett-sqlite 0.38.5), at its
 * best working concurrency. Each trial runs in a child process (bench/peer/emmett-trial.ts): at concurrency > 1
 * Emmett's store shares one sqlite3 connection between appends and closes it after each one, so concurrent
 * appends fail with SQLITE_MISUSE ("Database is closed").
 */
import { join } from 'node:path';
import { BenchContext, Figure, median, removeDir, ROOT, round } from './lib/common';
import { runTrial } from './lib/peer-trial';

const TRIAL = join(ROOT, 'bench', 'peer', 'emmett-trial.ts');

const trial = (file: string, concurrency: number, appends: number, probe = false) =>
  runTrial(TRIAL, [file, String(concurrency), String(appends), ...(probe ? ['probe'] : [])], concurrency);

const SYNCHRONOUS = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];

export async function runP3(ctx: BenchContext, ours: number): Promise<Figure> {
  const dir = ctx.tempDir('p3');
  try {
    // Failing trials take seconds each (Emmett waits on its busy handler): --quick tries the first three only.
    const concurrencies = ctx.quick ? [1, 2, 4] : [1, 2, 4, 8, 16, 32, 64];
    const tried: { concurrency: number; works: boolean; rate: number; errors: number; error?: string }[] = [];
    let file = 0;
    for (const concurrency of concurrencies) {
      const appends = Math.max(100, concurrency * 4);
      const result = await trial(join(dir, `trial-${file++}.db`), concurrency, appends);
      // Emmett fails an append now and then even alone (see below): a concurrency works when nearly all succeed.
      const works = !result.crashed && result.appended >= appends * 0.95;
      tried.push({
        concurrency,
        works,
        rate: round(result.rate ?? 0, 1),
        errors: result.errors ?? 0,
        error: result.crashed ?? result.firstErrors?.[0],
      });
      ctx.log(
        `P3 Emmett at concurrency ${concurrency}: ${works ? 'works' : 'FAILS'}, ${round(result.rate ?? 0, 1)} appends/s` +
          (works ? '' : ` (${result.crashed ?? `${result.errors} errors, e.g. ${result.firstErrors?.[0]}`})`),
      );
    }
    // Reading the pragmas inside Emmett's transaction fails that append: a trial of its own, not measured.
    const { settings } = await trial(join(dir, 'probe.db'), 1, 1, true);
    const working = tried.filter((t) => t.works);
    if (working.length === 0) throw new Error('Emmett worked at no concurrency');
    const best = working.reduce((a, b) => (b.rate > a.rate ? b : a));
    const rounds = ctx.quick ? 1 : 3;
    const appends = ctx.quick ? 300 : 1_000;
    // Emmett fails now and then even alone (e.g. SQLITE_BUSY "cannot commit transaction - SQL statements in
    // progress": it does not wait for its own PRAGMA before BEGIN): such appends are counted, not measured.
    const rates: number[] = [];
    const failures = new Set<string>();
    let failedAppends = 0;
    for (let i = 0; i < rounds; i++) {
      const result = await trial(join(dir, `measure-${i}.db`), best.concurrency, appends);
      if (result.crashed || result.appended < appends * 0.9)
        throw new Error(
          `Emmett failed at concurrency ${best.concurrency}: ${result.crashed ?? result.firstErrors[0]}`,
        );
      rates.push(result.rate);
      failedAppends += result.errors;
      for (const failure of result.firstErrors) failures.add(failure);
    }
    const peer = median(rates);
    ctx.log(
      `P3 Emmett at concurrency ${best.concurrency}: ${round(peer, 1)} appends/s; ours ${round(ours)} appends/s`,
    );
    const ratio = ours / peer;
    return {
      value: round(ours),
      unit: 'appends/s (ours)',
      baseline: round(peer, 1),
      ratio: round(ratio, 1),
      target: '≥ 10 × Emmett SQLite (best working concurrency)',
      met: ratio >= 10,
      peer: '@event-driven-io/emmett-sqlite 0.38.5 (sqlite3 driver)',
      peerAppendsPerSecond: round(peer, 1),
      peerRounds: rates.map((r) => round(r, 1)),
      peerAppendsPerRound: appends,
      peerBestConcurrency: best.concurrency,
      peerFailedAppends: failedAppends,
      peerFailures: [...failures],
      peerConcurrencyTrials: tried,
      peerDurability: settings
        ? `journal_mode=${settings.journal_mode}, synchronous=${SYNCHRONOUS[Number(settings.synchronous ?? -1)] ?? settings.synchronous} (Emmett's own connection, read inside its append transaction; Emmett offers no setting for either)`
        : 'unknown',
      oursAppenders: 64,
    };
  } finally {
    removeDir(dir);
  }
}
