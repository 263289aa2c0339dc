import { Kysely, PostgresDialect, sql } from 'kysely';
import { Pool } from 'pg';
import { LEASES_TABLE } from './fence';
import { surviveServerDisconnects, withSessionSettings } from './postgres-sessions';

/** Where leases are kept. Each call is one atomic statement; a null or false answer is "not yours". */
export interface LeaseStore {
  /** The new fencing token when the lease was free or expired (it is then `holder`'s for `ttlMs`), else null. */
  acquire(name: string, holder: string, ttlMs: number): Promise<number | null>;
  /** Extends the lease by `ttlMs` if `holder` still holds it with `token`; false when another acquired it since. */
  renew(name: string, holder: string, token: number, ttlMs: number): Promise<boolean>;
  /** Lets the lease expire now, if `holder` still holds it with `token`: a standby takes over at its next try. */
  release(name: string, holder: string, token: number): Promise<void>;
  close(): Promise<void>;
}

export interface Lease {
  name: string;
  holder: string;
  fencingToken: number;
  acquiredAt: Date;
  expiresAt: Date;
}

interface LeaseRow {
  name: string;
  holder: string;
  fencing_token: number | string;
  acquired_at: Date;
  expires_at: Date;
}

/**
 * Leases in PostgreSQL, in the `leases` table beside the writes they fence: one row per lease, its holder, the
 * fencing token (incremented on every acquisition, never reused) and when it expires. Expiry is decided by the
 * database's clock alone, so the clocks of the processes do not matter.
 */
export class PostgresLeaseStore implements LeaseStore {
  private readonly db: Kysely<{ leases: LeaseRow }>;
  private migrated: Promise<void> | null = null;

  /** `statementWaitMs`: how long an acquisition or a renewal waits for the lease's row (a write in flight holds it). */
  constructor(connectionString: string, statementWaitMs: number) {
    const pool = surviveServerDisconnects(
      new Pool({ connectionString, max: 2, connectionTimeoutMillis: Math.max(1000, statementWaitMs) }),
    );
    this.db = new Kysely({
      dialect: new PostgresDialect({
        pool,
        onCreateConnection: withSessionSettings({
          lock_timeout: statementWaitMs,
          statement_timeout: 2 * statementWaitMs,
        }),
      }),
    });
  }

  async migrate(): Promise<void> {
    await this.db.schema
      .createTable(LEASES_TABLE)
      .ifNotExists()
      .addColumn('name', 'text', (column) => column.primaryKey())
      .addColumn('holder', 'text', (column) => column.notNull())
      .addColumn('fencing_token', 'bigint', (column) => column.notNull())
      .addColumn('acquired_at', 'timestamptz', (column) => column.notNull())
      .addColumn('expires_at', 'timestamptz', (column) => column.notNull())
      .execute();
  }

  async acquire(name: string, holder: string, ttlMs: number): Promise<number | null> {
    await this.tableCreated();
    const { rows } = await sql<{ fencing_token: string }>`
      INSERT INTO leases AS lease (name, holder, fencing_token, acquired_at, expires_at)
      VALUES (${name}, ${holder}, 1, now(), now() + ${ttlMs}::integer * interval '1 millisecond')
      ON CONFLICT (name) DO UPDATE
        SET holder = excluded.holder, fencing_token = lease.fencing_token + 1,
            acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
        WHERE lease.expires_at <= now()
      RETURNING fencing_token`.execute(this.db);
    return rows.length === 1 ? Number(rows[0].fencing_token) : null;
  }

  /** Creates the table on first use, so that a database down at start-up is retried like any failed acquisition. */
  private tableCreated(): Promise<void> {
    if (!this.migrated) {
      const migrating = this.migrate();
      this.migrated = migrating;
      migrating.catch(() => {
        if (this.migrated === migrating) this.migrated = null;
      });
    }
    return this.migrated;
  }

  async renew(name: string, holder: string, token: number, ttlMs: number): Promise<boolean> {
    const { rows } = await sql`
      UPDATE leases SET expires_at = now() + ${ttlMs}::integer * interval '1 millisecond'
      WHERE name = ${name} AND holder = ${holder} AND fencing_token = ${token}
      RETURNING fencing_token`.execute(this.db);
    return rows.length === 1;
  }

  async release(name: string, holder: string, token: number): Promise<void> {
    await sql`
      UPDATE leases SET expires_at = now()
      WHERE name = ${name} AND holder = ${holder} AND fencing_token = ${token}`.execute(this.db);
  }

  /** The lease as stored, for operators and tests; null before its first acquisition. */
  async read(name: string): Promise<Lease | null> {
    const row = await this.db
      .selectFrom(LEASES_TABLE)
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    return row
      ? {
          name: row.name,
          holder: row.holder,
          fencingToken: Number(row.fencing_token),
          acquiredAt: row.acquired_at,
          expiresAt: row.expires_at,
        }
      : null;
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
