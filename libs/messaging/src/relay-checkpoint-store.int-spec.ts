import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { FencedError, PostgresLeaseStore } from '@accord/lease';
import { createTestSchema } from '../../../test/support/postgres';
import {
  openRelayCheckpointStore,
  RelayCheckpointMovedError,
  SqlRelayCheckpointStore,
} from './relay-checkpoint-store';

/** PostgreSQL runs when a database is given: ACCORD_TEST_DATABASE_URL=postgres://… (a scratch database). */
const databaseUrl = process.env.ACCORD_TEST_DATABASE_URL;

describe.each([
  ['SQLite (<dataDir>/relay.db)', 'sqlite'],
  ...(databaseUrl ? [['PostgreSQL (relay_checkpoints)', 'postgres']] : []),
])('Relay checkpoint store on %s', (_name, kind) => {
  let dir: string;
  let store: SqlRelayCheckpointStore;
  const topic = `accord.test.checkpoint.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

  const open = () =>
    openRelayCheckpointStore({
      dataDir: dir,
      readStore: kind === 'postgres' ? { kind: 'postgres', databaseUrl: databaseUrl! } : { kind: 'sqlite' },
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'accord-relay-checkpoint-'));
    store = await open();
  });

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts at 0 for a topic it never published to', async () => {
    expect(await store.load(topic)).toBe(0);
  });

  it('moves forward from the position it is at, and keeps it across a reopen', async () => {
    await store.save(topic, 0, 1000);
    await store.save(topic, 1000, 2500);
    expect(await store.load(topic)).toBe(2500);
    const again = await open();
    try {
      expect(await again.load(topic)).toBe(2500);
    } finally {
      await again.close();
    }
  });

  it('refuses to move a checkpoint that another relay moved', async () => {
    await expect(store.save(topic, 1000, 3000)).rejects.toEqual(
      new RelayCheckpointMovedError(topic, 1000, 2500),
    );
    await expect(store.save(topic, 0, 3000)).rejects.toBeInstanceOf(RelayCheckpointMovedError);
    expect(await store.load(topic)).toBe(2500);
  });

  it('keeps one checkpoint per topic', async () => {
    expect(await store.load(`${topic}.other`)).toBe(0);
    await store.save(`${topic}.other`, 0, 7);
    expect(await store.load(topic)).toBe(2500);
  });

  it('holds positions beyond 32 bits', async () => {
    await store.save(topic, 2500, 2 ** 40);
    expect(await store.load(topic)).toBe(2 ** 40);
  });

  it('answers ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });
});

describe('Relay checkpoint store on PostgreSQL under a lease (ACCORD_LEASE=postgres)', () => {
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  let leases: PostgresLeaseStore;
  let store: SqlRelayCheckpointStore;
  const topic = 'accord.initiatives.v1';
  const fencingTokenOf = async () => {
    const client = new Client({ connectionString: schema.url });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT fencing_token FROM relay_checkpoints WHERE name = $1', [
        topic,
      ]);
      return rows[0].fencing_token === null ? null : Number(rows[0].fencing_token);
    } finally {
      await client.end();
    }
  };

  beforeEach(async () => {
    schema = await createTestSchema();
    leases = new PostgresLeaseStore(schema.url, 1000);
    store = await openRelayCheckpointStore({
      dataDir: tmpdir(),
      readStore: { kind: 'postgres', databaseUrl: schema.url },
    });
  });
  afterEach(async () => {
    await store.close();
    await leases.close();
    await schema.drop();
  });

  it('saves under the current fencing token, from the first save on, and records the token', async () => {
    const token = (await leases.acquire(`relay:${topic}`, 'a', 60_000))!;
    await store.save(topic, 0, 1000, { lease: `relay:${topic}`, token });
    await store.save(topic, 1000, 2000, { lease: `relay:${topic}`, token });
    expect(await store.load(topic)).toBe(2000);
    expect(await fencingTokenOf()).toBe(token);
  });

  it('refuses a save under a stale token with FencedError, leaving the checkpoint where the new holder put it', async () => {
    const lease = `relay:${topic}`;
    expect(await leases.acquire(lease, 'a', 60_000)).toBe(1);
    await store.save(topic, 0, 1000, { lease, token: 1 });
    await leases.release(lease, 'a', 1);
    expect(await leases.acquire(lease, 'b', 60_000)).toBe(2);
    await store.save(topic, 1000, 1500, { lease, token: 2 });
    // The former holder wakes with the acknowledgement of a batch it published: a duplicate, whose save is refused.
    await expect(store.save(topic, 1500, 2000, { lease, token: 1 })).rejects.toEqual(
      new FencedError(lease, 1, 2),
    );
    await expect(store.save(topic, 1000, 2000, { lease, token: 1 })).rejects.toEqual(
      new FencedError(lease, 1, 2),
    );
    expect(await store.load(topic)).toBe(1500);
    expect(await fencingTokenOf()).toBe(2);
    // A save that only moved from the wrong position is still told apart.
    await expect(store.save(topic, 1000, 2000, { lease, token: 2 })).rejects.toBeInstanceOf(
      RelayCheckpointMovedError,
    );
  });

  it('adds the fencing token column to a relay_checkpoints table from before leases', async () => {
    await store.save(topic, 0, 10);
    const client = new Client({ connectionString: schema.url });
    await client.connect();
    await client.query('ALTER TABLE relay_checkpoints DROP COLUMN fencing_token');
    await client.end();
    await store.migrate();
    expect(await store.load(topic)).toBe(10);
    expect(await fencingTokenOf()).toBeNull();
  });
});
