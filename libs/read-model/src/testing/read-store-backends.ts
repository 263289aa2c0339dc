import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestSchema } from '../../../../test/support/postgres';
import { Projection } from '../projection';
import { ReadStore } from '../store/read-store';

export interface ReadStoreBackend {
  name: 'SQLite' | 'PostgreSQL';
  /** A fresh read store, of the given projections (by default Accord's). */
  open(
    projections?: readonly Projection[],
  ): Promise<{ store: ReadStore; dump: () => Promise<ReadModelDump>; dispose: () => Promise<void> }>;
}

/** Every row of the live read model, in a fixed order, to compare two read models row for row. */
export interface ReadModelDump {
  views: Record<string, unknown>[];
  participants: Record<string, unknown>[];
  pending: Record<string, unknown>[];
  portfolio: Record<string, unknown>[];
  portfolioCounts: Record<string, unknown>[];
  logLeaves: Record<string, unknown>[];
  logNodes: Record<string, unknown>[];
  logCheckpoints: Record<string, unknown>[];
}

const QUERIES = {
  views: 'SELECT * FROM initiative_views ORDER BY initiative_id',
  participants: 'SELECT * FROM initiative_participants ORDER BY initiative_id, country',
  pending: 'SELECT * FROM pending_sign_offs ORDER BY initiative_id, country',
  portfolio: 'SELECT * FROM portfolio_initiatives ORDER BY initiative_id',
  portfolioCounts: 'SELECT * FROM portfolio_counts ORDER BY status, category',
  logLeaves: 'SELECT * FROM log_leaves ORDER BY leaf_index',
  logNodes: 'SELECT * FROM log_nodes ORDER BY level, node_index',
  logCheckpoints: 'SELECT * FROM log_checkpoints ORDER BY revision',
};

const normalise = (rows: Record<string, unknown>[]) =>
  rows.map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([key, value]) => [key, typeof value === 'bigint' ? Number(value) : value]),
    ),
  );

export function sqliteDumpOf(file: string): ReadModelDump {
  const db = new Database(file, { readonly: true });
  try {
    const rows = (query: string) => normalise(db.prepare(query).all() as Record<string, unknown>[]);
    return Object.fromEntries(
      Object.entries(QUERIES).map(([part, query]) => [part, rows(query)]),
    ) as unknown as ReadModelDump;
  } finally {
    db.close();
  }
}

/** The same dump of a PostgreSQL read store (a connection string whose search_path names its schema). */
export async function postgresDumpOf(url: string): Promise<ReadModelDump> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const parts: [string, Record<string, unknown>[]][] = [];
    for (const [part, query] of Object.entries(QUERIES))
      parts.push([part, normalise((await client.query(query)).rows)]);
    return Object.fromEntries(parts) as unknown as ReadModelDump;
  } finally {
    await client.end();
  }
}

export const sqliteBackend: ReadStoreBackend = {
  name: 'SQLite',
  async open(projections) {
    const directory = mkdtempSync(join(tmpdir(), 'accord-read-'));
    const file = join(directory, 'read-model.db');
    const store = ReadStore.sqlite(file, projections);
    await store.migrate();
    return {
      store,
      dump: async () => sqliteDumpOf(file),
      dispose: async () => {
        await store.close();
        rmSync(directory, { recursive: true, force: true });
      },
    };
  },
};

export const postgresBackend: ReadStoreBackend = {
  name: 'PostgreSQL',
  async open(projections) {
    const schema = await createTestSchema();
    const store = ReadStore.postgres(schema.url, projections);
    await store.migrate();
    return {
      store,
      dump: () => postgresDumpOf(schema.url),
      dispose: async () => {
        await store.close();
        await schema.drop();
      },
    };
  },
};
