import { CompiledQuery, Kysely, SqliteAdapter } from 'kysely';
import { StoredEvent } from '@accord/event-store';

/** Kysely over whichever tables a generation of a projection has: names are given at run time. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDb = Kysely<any>;

/**
 * A read model: tables, and how each batch of the global log changes them. The runner (ReadStore, driven by the
 * Projector and by a rebuild) owns everything else — its checkpoint, applying a batch with the checkpoint in one
 * transaction, catching up from the log, rebuilding into fresh tables and swapping them in — so adding a
 * projection never touches the runner.
 */
export interface Projection<Table extends string = string> {
  /** Names its checkpoint. */
  readonly name: string;
  /** Raise it when the tables or `apply` change: a store holding another version rebuilds this projection. */
  readonly version: number;
  /** Its tables by their live names; a rebuild fills a generation of them under other names. */
  readonly tables: readonly Table[];
  /**
   * Creates one generation of its tables; `tag` is unique to the generation (index names survive a rename). For a
   * rebuild (`rebuilding`), indexes of tables that `completeRebuild` fills may wait for it: built on filled tables,
   * an index is a sort, not a million inserts in random order.
   */
  createTables(db: AnyDb, names: TableNames<Table>, tag: string, rebuilding?: boolean): Promise<void>;
  /**
   * Applies events of the log in the runner's transaction. While `rebuilding`, nobody reads these tables and the
   * batches are large: what is cheaper to derive once may wait for `completeRebuild`.
   */
  apply(
    db: AnyDb,
    names: TableNames<Table>,
    events: readonly StoredEvent[],
    rebuilding: boolean,
  ): Promise<void>;
  /** After a rebuild's last large batch, before the events that came meanwhile and the swap; `tag` as created. */
  completeRebuild?(db: AnyDb, names: TableNames<Table>, tag: string): Promise<void>;
  /**
   * The projection one rebuild runs, when it is worth keeping something from one batch to the next (rows it would
   * otherwise read back and write again every batch): the rebuild's batches (`rebuilding`) and completeRebuild go to
   * it, and whatever it kept must be written by the end of its completeRebuild. Without it, the projection itself.
   */
  forRebuild?(options?: RebuildOptions): Projection<Table>;
}

export interface RebuildOptions {
  /** How many rows a projection keeps between a rebuild's batches (RebuildRows), when not its own default. */
  rowsKept?: number;
}

/** The names a generation gives a projection's tables. */
export type TableNames<Table extends string> = Readonly<Record<Table, string>>;

/**
 * The type of an integer key that grows with the log: on SQLite exactly `integer`, so that a primary key of it is
 * the table's rowid rather than a second index beside it (SQLite's integers are 64-bit); on PostgreSQL `bigint`.
 */
export function positionKeyType(db: AnyDb): 'integer' | 'bigint' {
  return isSqlite(db) ? 'integer' : 'bigint';
}

function isSqlite(db: AnyDb): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

/** Most rows per multi-row statement: far below SQLite's and PostgreSQL's limits on bound parameters. */
export const CHUNK = 256;

/**
 * Runs `write` once per chunk of `rows`: chunks of CHUNK rows, then the rest in decreasing powers of two (300 rows:
 * 256, 32, 8, 4). A statement's SQL text depends on its row count, and each SQLite connection keeps every SQL text
 * it was given prepared (`preparingOnce`): with chunks of any size up to the maximum, the API's connections held
 * 428 SQL texts after 40 s of load, and more the longer it ran (one 10-column upsert prepared for each size from 1
 * to 400 holds 84 MB). With these sizes a statement is prepared for at most 9 row counts.
 */
export async function inChunks<Row>(
  rows: readonly Row[],
  write: (chunk: Row[]) => Promise<unknown>,
): Promise<void> {
  for (let start = 0; start < rows.length;) {
    const size = Math.min(CHUNK, largestPowerOfTwoUpTo(rows.length - start));
    await write(rows.slice(start, start + size));
    start += size;
  }
}

/** What an insert does with a row whose `key` a stored row has: nothing, or replace the stored row's `replace` columns. */
export interface OnConflict {
  readonly key: readonly string[];
  readonly replace?: readonly string[];
}

/**
 * Inserts rows of the same columns (those of the first row), in chunks (inChunks). The statements are written here
 * rather than by Kysely's builder: a rebuild inserts millions of rows, and building each multi-row statement as
 * Kysely's tree, then compiling it, cost a fifth of the rebuild's CPU with the garbage it made (bench/PROFILE.md);
 * here the text is made once per table, columns and row count, and the values are passed as they are.
 */
export async function insertRows<Row extends object>(
  db: AnyDb,
  table: string,
  rows: readonly Row[],
  onConflict?: OnConflict,
): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]) as (keyof Row & string)[];
  await inChunks(rows, (chunk) => {
    const parameters: unknown[] = [];
    for (const row of chunk) for (const column of columns) parameters.push(row[column]);
    return db.executeQuery(
      CompiledQuery.raw(insertText(db, table, columns, chunk.length, onConflict), parameters),
    );
  });
}

/** The texts insertRows made, by table, columns, row count and conflict: a rebuild's tables add a few each. */
const insertTexts = new Map<string, string>();
const INSERT_TEXTS_KEPT = 1_000;

function insertText(
  db: AnyDb,
  table: string,
  columns: readonly string[],
  rowCount: number,
  onConflict: OnConflict | undefined,
): string {
  const sqlite = isSqlite(db);
  const cacheKey = [sqlite, table, columns, rowCount, onConflict?.key, onConflict?.replace].join('|');
  const cached = insertTexts.get(cacheKey);
  if (cached) return cached;
  let parameter = 0;
  const placeholder = () => (sqlite ? '?' : `$${++parameter}`);
  const tuples = Array.from({ length: rowCount }, () => `(${columns.map(placeholder).join(', ')})`);
  let text = `insert into ${quoted(table)} (${columns.map(quoted).join(', ')}) values ${tuples.join(', ')}`;
  if (onConflict) {
    text += ` on conflict (${onConflict.key.map(quoted).join(', ')}) do `;
    text += onConflict.replace?.length
      ? `update set ${onConflict.replace.map((column) => `${quoted(column)} = excluded.${quoted(column)}`).join(', ')}`
      : 'nothing';
  }
  if (insertTexts.size >= INSERT_TEXTS_KEPT) insertTexts.clear();
  insertTexts.set(cacheKey, text);
  return text;
}

function quoted(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

function largestPowerOfTwoUpTo(n: number): number {
  return 1 << (31 - Math.clz32(n));
}

/**
 * The keys (`keyOf` a stream) of the streams a batch touches that began before it: a table may hold a row of those
 * only, a stream's first event being at revision 0.
 */
export function streamsBegunBefore(
  events: readonly StoredEvent[],
  keyOf: (streamId: string) => string | null,
): string[] {
  const begun = new Map<string, boolean>();
  for (const event of events) {
    const key = keyOf(event.streamId);
    if (key !== null && !begun.has(key)) begun.set(key, event.revision > 0);
  }
  return [...begun].filter(([, before]) => before).map(([key]) => key);
}

/**
 * The rows a rebuild keeps between its batches, at most `kept` of them, the ones changed last: the next batches fold
 * onto them without reading them back, and each is written once it falls out, or at the end, rather than every batch
 * that changes it. A row that fell out is read back from the table if the log comes back to it.
 */
export class RebuildRows<Row> {
  /** Not written yet, the one changed last at the end. */
  private readonly rows = new Map<string, Row>();

  constructor(private readonly kept: number) {}

  get(key: string): Row | undefined {
    return this.rows.get(key);
  }

  /** Of these keys, those it does not hold. */
  missing(keys: Iterable<string>): string[] {
    return [...keys].filter((key) => !this.rows.has(key));
  }

  /** Keeps the changed rows as the latest; returns the rows that fell out, to be written now. */
  change(changed: Iterable<readonly [string, Row]>): Row[] {
    for (const [key, row] of changed) {
      this.rows.delete(key);
      this.rows.set(key, row);
    }
    const fallen: Row[] = [];
    for (const [key, row] of this.rows) {
      if (this.rows.size <= this.kept) break;
      this.rows.delete(key);
      fallen.push(row);
    }
    return fallen;
  }

  /** Every row it holds, to be written; it then holds nothing. */
  drain(): Row[] {
    const rows = [...this.rows.values()];
    this.rows.clear();
    return rows;
  }
}
