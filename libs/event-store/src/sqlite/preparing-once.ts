import Database from 'better-sqlite3';

/**
 * The connection as Kysely sees it, each SQL text prepared once. Kysely prepares every query anew, and on Node 24 a
 * better-sqlite3 13 statement's memory is not given back when it is collected (measured: 2,000 prepares of one
 * 400-row insert hold 450 MB, a full collection after each included; one statement reused, 84 MB). The SQL texts
 * Accord sends are few — its queries are fixed shapes, and a multi-row statement comes in a few row counts only (the
 * read model's `inChunks`: powers of two) — so the cache is bounded by the code, not by the data.
 */
export function preparingOnce(database: Database.Database): Pick<Database.Database, 'prepare' | 'close'> {
  const statements = new Map<string, Database.Statement>();
  return {
    prepare: (source: string) => {
      let statement = statements.get(source);
      if (!statement) statements.set(source, (statement = database.prepare(source)));
      return statement;
    },
    close: () => database.close(),
  } as Pick<Database.Database, 'prepare' | 'close'>;
}
