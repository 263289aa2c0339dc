import fc from 'fast-check';
import { Client } from 'pg';
import { InMemoryEventStore, StoredEvent } from '@accord/event-store';
import { FencedError, PostgresLeaseStore } from '@accord/lease';
import { createTestSchema } from '../../../../test/support/postgres';
import { historyArbitrary, playHistory } from '../testing/random-history';
import { Projection } from '../projection';
import { ReadStore } from './read-store';

/** A few hundred events of a random history, as the log holds them. */
async function someEvents(): Promise<StoredEvent[]> {
  const events = new InMemoryEventStore();
  await playHistory(events, fc.sample(historyArbitrary(200, 20), { numRuns: 1, seed: 7 })[0]);
  return events.readAll(0, 10_000);
}

describe('The PostgreSQL read store under a lease (ACCORD_LEASE=postgres)', () => {
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  let leases: PostgresLeaseStore;
  let store: ReadStore;
  let events: StoredEvent[];
  const query = async (text: string) => {
    const client = new Client({ connectionString: schema.url });
    await client.connect();
    try {
      return (await client.query(text)).rows;
    } finally {
      await client.end();
    }
  };

  let half: number;
  beforeAll(async () => {
    events = await someEvents();
    half = Math.floor(events.length / 2);
  });
  beforeEach(async () => {
    schema = await createTestSchema();
    leases = new PostgresLeaseStore(schema.url, 1000);
    store = ReadStore.postgres(schema.url, undefined, { idleInTransactionTimeoutMs: 3000 });
    await store.migrate();
  });
  afterEach(async () => {
    await store.close();
    await leases.close();
    await schema.drop();
  });

  it('applies a batch under the current fencing token and records the token on every checkpoint it moves', async () => {
    const token = (await leases.acquire('projector', 'a', 60_000))!;
    await store.applyBatch(0, events.slice(0, half), { lease: 'projector', token });
    expect(await store.checkpoint()).toBe(events[half - 1].position);
    const checkpoints = await query('SELECT name, fencing_token FROM projection_checkpoints');
    expect(checkpoints.length).toBeGreaterThan(1);
    for (const checkpoint of checkpoints) expect(Number(checkpoint.fencing_token)).toBe(token);
  });

  it('refuses a batch under a stale token with FencedError and writes nothing, while the new holder writes', async () => {
    expect(await leases.acquire('projector', 'a', 60_000)).toBe(1);
    await store.applyBatch(0, events.slice(0, half), { lease: 'projector', token: 1 });
    const before = await query('SELECT * FROM initiative_views ORDER BY initiative_id');
    await leases.release('projector', 'a', 1);
    expect(await leases.acquire('projector', 'b', 60_000)).toBe(2);

    const checkpoint = await store.checkpoint();
    await expect(
      store.applyBatch(checkpoint, events.slice(half), { lease: 'projector', token: 1 }),
    ).rejects.toEqual(new FencedError('projector', 1, 2));
    expect(await store.checkpoint()).toBe(checkpoint);
    expect(await query('SELECT * FROM initiative_views ORDER BY initiative_id')).toEqual(before);

    await store.applyBatch(checkpoint, events.slice(half), { lease: 'projector', token: 2 });
    expect(await store.checkpoint()).toBe(events[events.length - 1].position);
    const tokens = await query('SELECT DISTINCT fencing_token FROM projection_checkpoints');
    expect(tokens.map((row) => Number(row.fencing_token))).toEqual([2]);
  });

  it('reports a batch whose transaction the server ended while this process was paused, after a takeover, as FencedError', async () => {
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    // A projection that stalls mid-batch, as a process stopped with SIGSTOP would.
    const stalling: Projection = {
      name: 'stalling',
      version: 1,
      tables: ['stalling_rows'],
      createTables: async (db, names) => {
        await db.schema
          .createTable(names.stalling_rows)
          .ifNotExists()
          .addColumn('position', 'bigint')
          .execute();
      },
      apply: async (db, names, batch) => {
        await sleep(800);
        await db.insertInto(names.stalling_rows).values({ position: batch[0].position }).execute();
      },
    };
    const paused = ReadStore.postgres(schema.url, [stalling], { idleInTransactionTimeoutMs: 200 });
    try {
      await paused.migrate();
      expect(await leases.acquire('projector', 'a', 100)).toBe(1);
      const batch = paused.applyBatch(0, events.slice(0, 10), { lease: 'projector', token: 1 });
      batch.catch(() => undefined);
      await sleep(300); // the server has ended the stalled transaction, the lease has expired
      expect(await leases.acquire('projector', 'b', 60_000)).toBe(2);
      await expect(batch).rejects.toEqual(new FencedError('projector', 1, 2));
      expect(await query('SELECT * FROM stalling_rows')).toEqual([]);
    } finally {
      await paused.close();
    }
  });

  it('lets another process migrate an up-to-date store while a batch transaction holds the checkpoints', async () => {
    const busy = new Client({ connectionString: schema.url });
    await busy.connect();
    const starting = ReadStore.postgres(schema.url);
    try {
      await busy.query('BEGIN');
      await busy.query('UPDATE projection_checkpoints SET position = position');
      await busy.query('LOCK TABLE initiative_views IN ROW EXCLUSIVE MODE');
      const migrated = await Promise.race([
        starting.migrate().then(() => 'migrated'),
        new Promise((resolve) => setTimeout(() => resolve('blocked'), 3000)),
      ]);
      expect(migrated).toBe('migrated');
    } finally {
      await busy.query('ROLLBACK');
      await busy.end();
      await starting.close();
    }
  });

  it('adds the fencing token column to a checkpoint table from before leases, keeping its positions', async () => {
    await store.applyBatch(0, events.slice(0, half));
    await query('ALTER TABLE projection_checkpoints DROP COLUMN fencing_token');
    await store.migrate();
    expect(await store.checkpoint()).toBe(events[half - 1].position);
    const columns = await query(
      "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'projection_checkpoints'",
    );
    expect(columns.map((row) => row.column_name)).toContain('fencing_token');
  });
});

describe('The SQLite read store', () => {
  it('refuses a fenced batch: the lease lives in PostgreSQL', async () => {
    const store = ReadStore.sqlite(':memory:');
    try {
      await store.migrate();
      const [event] = await someEvents();
      await expect(store.applyBatch(0, [event], { lease: 'projector', token: 1 })).rejects.toThrow(
        /must be PostgreSQL/,
      );
    } finally {
      await store.close();
    }
  });
});
