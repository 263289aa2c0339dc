import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
