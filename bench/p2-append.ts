/**
 * P2: appends per second to the SQLite event store (`SqliteEventStore`, in-process), one event each, from 64
 * concurrent appenders (each on its own stream, at its expected revision); every append is acknowledged only
 * once durable (WAL, synchronous=FULL: an fsync per commit, shared by the appends committed together).
 * Baseline: raw better-sqlite3, the same table and rows, one INSERT per transaction, sequential, at the same
 * durability (WAL, synchronous=FULL).
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SqliteEventStore } from '@accord/event-store';
import { BenchContext, Figure, median, removeDir, round, seconds } from './lib/common';
import { signOffEvent } from './lib/events';

export const APPENDERS = 64;

/** Raw better-sqlite3: one single-row INSERT per transaction (autocommit), sequential; commits per second. */
export async function rawCommitsPerSecond(dir: string, commits: number): Promise<number> {
  const file = join(dir, `raw-${randomUUID()}.db`);
  // The same table as SqliteEventStore's, created by it.
  await new SqliteEventStore(file).close();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const insert = db.prepare(
    'INSERT INTO events (stream_id, revision, event_id, type, occurred_at, body) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const streamId = `initiative-${randomUUID()}`;
  const rows = Array.from({ length: commits }, (_, revision) => {
    const event = signOffEvent(randomUUID(), 'KAZ');
    const { actor, data, metadata, prevHash, hash } = event;
    return [
      streamId,
      revision,
      event.eventId,
      event.type,
      event.occurredAt,
      JSON.stringify({ actor, data, metadata, prevHash, hash }),
    ];
  });
  const started = process.hrtime.bigint();
  for (const row of rows) insert.run(...row);
  const rate = commits / seconds(started);
  db.close();
  return rate;
}

/** SqliteEventStore: `appenders` concurrent appenders, `total` appends of one event each; appends per second. */
export async function storeAppendsPerSecond(
  dir: string,
  total: number,
  appenders = APPENDERS,
): Promise<{ rate: number; meanBatch: number }> {
  const store = new SqliteEventStore(join(dir, `store-${randomUUID()}.db`));
  const perAppender = Math.ceil(total / appenders);
  const plans = Array.from({ length: appenders }, () => {
    const initiativeId = randomUUID();
    return {
      streamId: `initiative-${initiativeId}`,
      events: Array.from({ length: perAppender }, () => signOffEvent(initiativeId, 'KAZ')),
    };
  });
  let commits = 0;
  const original = (store as unknown as { commitBatch: (batch: unknown[]) => unknown }).commitBatch;
  if (typeof original === 'function')
    (store as unknown as { commitBatch: (batch: unknown[]) => unknown }).commitBatch = (batch) => {
      commits++;
      return original(batch);
    };
  const started = process.hrtime.bigint();
  await Promise.all(
    plans.map(async ({ streamId, events }) => {
      for (const [revision, event] of events.entries())
        await store.append(streamId, [event], revision === 0 ? 'no-stream' : revision - 1);
    }),
  );
  const elapsed = seconds(started);
  await store.close();
  const appended = perAppender * appenders;
  return { rate: appended / elapsed, meanBatch: commits > 0 ? appended / commits : NaN };
}

export async function runP2(ctx: BenchContext): Promise<{ p2: Figure; ours: number }> {
  const dir = ctx.tempDir('p2');
  const rounds = ctx.quick ? 1 : 3;
  const appends = ctx.quick ? 8_000 : 30_000;
  const commits = ctx.quick ? 1_000 : 3_000;
  try {
    await storeAppendsPerSecond(dir, 2_000); // warm-up
    await rawCommitsPerSecond(dir, 200);
    const ours: number[] = [];
    const raw: number[] = [];
    const batches: number[] = [];
    for (let round_ = 1; round_ <= rounds; round_++) {
      // Alternate the order, so that neither side always runs first.
      if (round_ % 2 === 1) raw.push(await rawCommitsPerSecond(dir, commits));
      const measured = await storeAppendsPerSecond(dir, appends);
      ours.push(measured.rate);
      batches.push(measured.meanBatch);
      if (round_ % 2 === 0) raw.push(await rawCommitsPerSecond(dir, commits));
      ctx.log(
        `P2 round ${round_}: SqliteEventStore ${round(measured.rate)} appends/s (mean group ${round(measured.meanBatch, 1)}), ` +
          `raw better-sqlite3 ${round(raw[raw.length - 1])} commits/s`,
      );
    }
    const value = median(ours);
    const baseline = median(raw);
    const ratio = value / baseline;
    return {
      ours: value,
      p2: {
        value: round(value),
        unit: 'appends/s',
        baseline: round(baseline),
        ratio: round(ratio, 2),
        target: '≥ 3 × raw better-sqlite3 single-row commits/s (WAL, synchronous=FULL)',
        met: ratio >= 3,
        appenders: APPENDERS,
        appendsPerRound: appends,
        baselineCommitsPerRound: commits,
        rounds,
        roundsAppendsPerSecond: ours.map((v) => round(v)),
        roundsBaselineCommitsPerSecond: raw.map((v) => round(v)),
        meanEventsPerCommit: round(median(batches), 1),
        durability: 'WAL, synchronous=FULL (both sides)',
      },
    };
  } finally {
    removeDir(dir);
  }
}
