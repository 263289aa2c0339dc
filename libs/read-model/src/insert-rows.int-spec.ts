import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { Pool } from 'pg';
import { createTestSchema } from '../../../test/support/postgres';
import { AnyDb, CHUNK, insertRows } from './projection';

type Row = { id: string; position: number; label: string | null; note: string };

const DIALECTS: [string, () => Promise<{ db: AnyDb; dispose: () => Promise<void> }>][] = [
  [
    'SQLite',
    async () => {
      const db = new Kysely({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
      return { db, dispose: () => db.destroy() };
    },
  ],
  [
    'PostgreSQL',
    async () => {
      const schema = await createTestSchema();
      const db = new Kysely({
        dialect: new PostgresDialect({ pool: new Pool({ connectionString: schema.url }) }),
      });
      return {
        db,
        dispose: async () => {
          await db.destroy();
          await schema.drop();
        },
      };
    },
  ],
];

describe.each(DIALECTS)('insertRows on %s', (_, open) => {
  // A name that needs quoting, as a rebuild's generated table names might.
  const table = 'rows "of" test';
  let db: AnyDb;
  let dispose: () => Promise<void>;

  const stored = async (): Promise<Row[]> =>
    (await db.selectFrom(table).select(['id', 'position', 'label', 'note']).orderBy('id').execute()).map(
      (row) => ({ ...row, position: Number(row.position) }),
    ) as Row[];

  const rowsNumbered = (from: number, count: number, note: string): Row[] =>
    Array.from({ length: count }, (_, offset) => ({
      id: `id-${String(from + offset).padStart(5, '0')}`,
      position: from + offset,
      label: (from + offset) % 3 === 0 ? null : `label ${from + offset}`,
      note,
    }));

  beforeEach(async () => {
    ({ db, dispose } = await open());
    await db.schema
      .createTable(table)
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('position', 'bigint', (column) => column.notNull())
      .addColumn('label', 'text')
      .addColumn('note', 'text', (column) => column.notNull())
      .execute();
  });

  afterEach(() => dispose());

  describe('when the table is empty', () => {
    it('inserts every row with its values, over several chunks, whatever the order of its keys', async () => {
      const rows = rowsNumbered(0, 2 * CHUNK + 3, 'first');
      // The columns are named, not positional: a row may list its fields in another order.
      rows[5] = { note: rows[5].note, label: rows[5].label, position: rows[5].position, id: rows[5].id };
      await insertRows(db, table, rows);
      expect(await stored()).toEqual(rowsNumbered(0, 2 * CHUNK + 3, 'first'));
    });

    it('inserts nothing for no rows', async () => {
      await insertRows(db, table, [] as Row[]);
      expect(await stored()).toEqual([]);
    });

    it('keeps text that looks like SQL as text', async () => {
      const rows = [{ id: "x'); drop table t; --", position: 1, label: '$1 ?', note: '"quoted"' }];
      await insertRows(db, table, rows);
      expect(await stored()).toEqual(rows);
    });
  });

  describe('when some keys are stored already', () => {
    beforeEach(() => insertRows(db, table, rowsNumbered(0, 10, 'first')));

    it('fails without a conflict clause, and inserts none of the statement', async () => {
      await expect(insertRows(db, table, rowsNumbered(8, 4, 'second'))).rejects.toThrow();
      expect(await stored()).toEqual(rowsNumbered(0, 10, 'first'));
    });

    it('leaves the stored rows as they are on conflict do nothing, and inserts the others', async () => {
      await insertRows(db, table, rowsNumbered(8, 4, 'second'), { key: ['id'] });
      expect(await stored()).toEqual([...rowsNumbered(0, 10, 'first'), ...rowsNumbered(10, 2, 'second')]);
    });

    it('replaces only the columns named on conflict', async () => {
      const again = rowsNumbered(8, 4, 'second').map((row) => ({ ...row, label: 'changed', position: -1 }));
      await insertRows(db, table, again, { key: ['id'], replace: ['note', 'label'] });
      expect(await stored()).toEqual([
        ...rowsNumbered(0, 8, 'first'),
        ...rowsNumbered(8, 2, 'second').map((row) => ({ ...row, label: 'changed' })),
        ...again.slice(2),
      ]);
    });
  });
});
