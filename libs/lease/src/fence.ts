import { Expression, ExpressionBuilder, Kysely, sql, SqlBool } from 'kysely';

/** The table every lease lives in, beside the writes it fences (PostgreSQL). */
export const LEASES_TABLE = 'leases';

/**
 * What a process holds while its lease is its own: the lease's name and the fencing token it was given when it
 * acquired it. Every write it makes carries the token and is refused once the lease's token moved on.
 */
export interface Fence {
  readonly lease: string;
  readonly token: number;
}

/** A write was refused: the lease was acquired by another process since this one got `token`. */
export class FencedError extends Error {
  constructor(
    readonly lease: string,
    readonly token: number,
    /** The lease's token now; null when the lease is gone. */
    readonly current: number | null,
  ) {
    super(
      `Write refused: fencing token ${token} of lease ${lease} is stale (the lease's token is ${current ?? 'gone'})`,
    );
    this.name = 'FencedError';
  }
}

// The lease's table is not part of the schemas of the stores it fences: their queries reach it untyped.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDatabase = Kysely<any>;

/**
 * Inside a write transaction, as its first statement: checks that `fence` still holds and keeps the lease's row
 * share-locked until the transaction ends, so the lease cannot change hands while the transaction writes (an
 * acquisition waits for it, and a write after an acquisition sees the new token). FencedError otherwise.
 */
export async function holdFence(transaction: AnyDatabase, fence: Fence): Promise<void> {
  const row = await transaction
    .selectFrom(LEASES_TABLE)
    .select('fencing_token')
    .where('name', '=', fence.lease)
    .forShare()
    .executeTakeFirst();
  const current = row ? Number(row.fencing_token) : null;
  if (current !== fence.token) throw new FencedError(fence.lease, fence.token, current);
}

/**
 * The same check as a condition of a single-statement write (`UPDATE … WHERE … AND <fenceHeld>`): true while
 * `fence` holds, with the lease's row share-locked for the statement.
 */
export function fenceHeld(fence: Fence) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return (eb: ExpressionBuilder<any, any>): Expression<SqlBool> =>
    eb.exists(
      eb
        .selectFrom(LEASES_TABLE)
        .select('fencing_token')
        .where('name', '=', fence.lease)
        .where('fencing_token', '=', fence.token)
        .forShare(),
    );
}

/** The lease's token now (null when there is none): to tell a fenced write from another refusal. */
export async function currentFencingToken(db: AnyDatabase, lease: string): Promise<number | null> {
  const row = await db
    .selectFrom(LEASES_TABLE)
    .select('fencing_token')
    .where('name', '=', lease)
    .executeTakeFirst();
  return row ? Number(row.fencing_token) : null;
}

/** The column in which a fenced write records its token (`fencing_token bigint`, null when written unfenced). */
export const FENCING_TOKEN_COLUMN = 'fencing_token';

/**
 * Adds the fencing token column to a table created before it existed (SQLite or PostgreSQL). A table that has it is
 * only looked at, not locked.
 */
export async function addFencingTokenColumn(
  db: AnyDatabase,
  dialect: 'sqlite' | 'postgres',
  table: string,
): Promise<void> {
  const found =
    dialect === 'sqlite'
      ? await sql`SELECT 1 FROM pragma_table_info(${table}) WHERE name = ${FENCING_TOKEN_COLUMN}`.execute(db)
      : await sql`SELECT 1 FROM information_schema.columns
          WHERE table_schema = current_schema() AND table_name = ${table} AND column_name = ${FENCING_TOKEN_COLUMN}`.execute(
          db,
        );
  if (found.rows.length === 0)
    await db.schema.alterTable(table).addColumn(FENCING_TOKEN_COLUMN, 'bigint').execute();
}
