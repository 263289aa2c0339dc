import { CompiledQuery, DatabaseConnection } from 'kysely';
import { Pool } from 'pg';

/**
 * The longest a fenced writer's transaction may sit idle on the server, for a lease of `ttlMs`: a process paused in
 * the middle of a transaction (stopped, swapped out, a long GC) holds the lease's row and its checkpoint's row locked;
 * PostgreSQL ends such a session well before the lease expires, so the next holder neither waits for the paused one
 * nor lets it commit afterwards. Far above the idle gaps of a live transaction (the time to compute the next
 * statement: milliseconds).
 */
export function idleInTransactionTimeoutMs(ttlMs: number): number {
  return Math.floor(ttlMs / 2);
}

/** For Kysely's `PostgresDialect.onCreateConnection`: session settings every new connection starts with. */
export function withSessionSettings(
  settings: Record<string, number>,
): (connection: DatabaseConnection) => Promise<void> {
  return async (connection) => {
    for (const [name, value] of Object.entries(settings)) {
      if (!/^[a-z_]+$/.test(name) || !Number.isInteger(value))
        throw new Error(`Not a session setting: ${name}=${value}`);
      await connection.executeQuery(CompiledQuery.raw(`SET ${name} = ${value}`));
    }
  };
}

/**
 * A connection the server ended (an idle-in-transaction timeout, a restart) makes node-postgres emit `error` on its
 * client, which ends the process when nobody listens, even while the client is checked out. The error also fails the
 * client's next query, and the pool drops the client: listening is all that is needed.
 */
export function surviveServerDisconnects(
  pool: Pool,
  onError: (error: Error) => void = () => undefined,
): Pool {
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  return pool;
}
