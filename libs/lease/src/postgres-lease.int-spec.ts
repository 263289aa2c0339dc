import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import { createTestSchema } from '../../../test/support/postgres';
import { FencedError, holdFence } from './fence';
import { PostgresLeaseStore } from './lease-store';
import { surviveServerDisconnects, withSessionSettings } from './postgres-sessions';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A writer's own connection pool, as the read store opens one. */
function writer(url: string, settings: Record<string, number> = {}) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return new Kysely<any>({
    dialect: new PostgresDialect({
      pool: surviveServerDisconnects(new Pool({ connectionString: url, max: 2 })),
      onCreateConnection: withSessionSettings(settings),
    }),
  });
}

describe('Leases in PostgreSQL', () => {
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  let store: PostgresLeaseStore;

  beforeEach(async () => {
    schema = await createTestSchema();
    store = new PostgresLeaseStore(schema.url, 300);
  });
  afterEach(async () => {
    await store.close();
    await schema.drop();
  });

  it('gives a free lease to the first candidate with token 1, and to nobody else until it expires', async () => {
    expect(await store.acquire('projector', 'a', 60_000)).toBe(1);
    expect(await store.acquire('projector', 'b', 60_000)).toBeNull();
    expect(await store.acquire('projector', 'a', 60_000)).toBeNull(); // not even to its holder: it renews
    expect(await store.acquire('relay:t', 'b', 60_000)).toBe(1); // leases are independent
    expect(await store.read('projector')).toMatchObject({ holder: 'a', fencingToken: 1 });
  });

  it('after expiry, gives the lease to the next candidate with the next token; the old holder can no longer renew', async () => {
    expect(await store.acquire('projector', 'a', 200)).toBe(1);
    expect(await store.renew('projector', 'a', 1, 200)).toBe(true);
    await sleep(250);
    expect(await store.acquire('projector', 'b', 60_000)).toBe(2);
    expect(await store.renew('projector', 'a', 1, 60_000)).toBe(false);
    expect(await store.renew('projector', 'b', 2, 60_000)).toBe(true);
  });

  it('once released, lets a standby acquire at once; a release by a former holder changes nothing', async () => {
    expect(await store.acquire('projector', 'a', 60_000)).toBe(1);
    await store.release('projector', 'a', 1);
    expect(await store.acquire('projector', 'b', 60_000)).toBe(2);
    await store.release('projector', 'a', 1);
    expect(await store.acquire('projector', 'c', 60_000)).toBeNull();
  });

  describe('fencing a write transaction', () => {
    it('lets the holder of the current token write, and refuses a stale token with FencedError', async () => {
      const db = writer(schema.url);
      try {
        expect(await store.acquire('projector', 'a', 200)).toBe(1);
        await db.transaction().execute((trx) => holdFence(trx, { lease: 'projector', token: 1 }));
        await sleep(250);
        expect(await store.acquire('projector', 'b', 60_000)).toBe(2);
        await expect(
          db.transaction().execute((trx) => holdFence(trx, { lease: 'projector', token: 1 })),
        ).rejects.toEqual(new FencedError('projector', 1, 2));
        await expect(
          db.transaction().execute((trx) => holdFence(trx, { lease: 'other', token: 1 })),
        ).rejects.toEqual(new FencedError('other', 1, null));
      } finally {
        await db.destroy();
      }
    });

    it('makes an acquisition wait for a fenced transaction in flight, so the lease never changes hands mid-write', async () => {
      const db = writer(schema.url);
      try {
        expect(await store.acquire('projector', 'a', 60_000)).toBe(1);
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        const writing = db.transaction().execute(async (trx) => {
          await holdFence(trx, { lease: 'projector', token: 1 });
          await held;
        });
        await sleep(50);
        await store.release('projector', 'a', 1).catch(() => undefined); // waits for the row too: lock timeout
        await sleep(50);
        // The lease may have expired, but its row is held by the writer: the acquisition times out on the lock.
        await expect(store.acquire('projector', 'b', 60_000)).rejects.toThrow(/lock timeout/);
        release();
        await writing;
        await store.release('projector', 'a', 1);
        expect(await store.acquire('projector', 'b', 60_000)).toBe(2);
      } finally {
        await db.destroy();
      }
    });

    it('ends a paused writer’s transaction on the server, which frees the lease’s row and refuses its commit', async () => {
      const db = writer(schema.url, { idle_in_transaction_session_timeout: 200 });
      try {
        expect(await store.acquire('projector', 'a', 60_000)).toBe(1);
        const paused = db.transaction().execute(async (trx) => {
          await holdFence(trx, { lease: 'projector', token: 1 });
          await sleep(600); // the process is stopped: the transaction sits idle on the server
          await trx.selectFrom('leases').select('name').execute();
        });
        await expect(paused).rejects.toThrow();
        await store.release('projector', 'a', 1);
        expect(await store.acquire('projector', 'b', 60_000)).toBe(2);
        // The writer's pool goes on with a new connection.
        await expect(
          db.transaction().execute((trx) => holdFence(trx, { lease: 'projector', token: 2 })),
        ).resolves.toBeUndefined();
      } finally {
        await db.destroy();
      }
    });
  });
});
