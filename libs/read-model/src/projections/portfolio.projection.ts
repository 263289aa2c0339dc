import { sql } from 'kysely';
import {
  Category,
  initiativeEventOf,
  initiativeIdOf,
  InitiativeEvent,
  InitiativeStatus,
  statusAfter,
} from '@accord/domain';
import {
  AnyDb,
  inChunks,
  insertRows,
  Projection,
  RebuildRows,
  streamsBegunBefore,
  TableNames,
} from '../projection';

type Table = 'portfolio_initiatives' | 'portfolio_counts';

/** The row shapes, as the database holds them. */
export interface PortfolioTables {
  /** Where each initiative stands, to move it from one count to another. */
  portfolio_initiatives: { initiative_id: string; status: string; category: string };
  portfolio_counts: { status: string; category: string; initiatives: number };
}

type Standing = { status: InitiativeStatus; category: Category };

/** How many initiatives stand in each status, per category: the action plan at a glance. */
export const portfolioProjection: Projection<Table> = {
  name: 'portfolio',
  version: 1,
  tables: ['portfolio_initiatives', 'portfolio_counts'],

  async createTables(db, names, tag) {
    await db.schema
      .createTable(names.portfolio_initiatives)
      .ifNotExists()
      .addColumn('initiative_id', 'text', (column) => column.primaryKey())
      .addColumn('status', 'text', (column) => column.notNull())
      .addColumn('category', 'text', (column) => column.notNull())
      .execute();
    await db.schema
      .createTable(names.portfolio_counts)
      .ifNotExists()
      .addColumn('status', 'text', (column) => column.notNull())
      .addColumn('category', 'text', (column) => column.notNull())
      .addColumn('initiatives', 'integer', (column) => column.notNull())
      .addPrimaryKeyConstraint(`portfolio_counts_pk_${tag}`, ['status', 'category'])
      .execute();
  },

  async apply(db, names, events) {
    const before = await loadStandings(db, names, initiativeIdsOf(events));
    const after = standingsAfter(before, events);
    const counts = new Map<string, number>();
    const count = ({ status, category }: Standing, by: number) =>
      counts.set(`${status} ${category}`, (counts.get(`${status} ${category}`) ?? 0) + by);
    const moved: PortfolioTables['portfolio_initiatives'][] = [];
    for (const [id, standing] of after) {
      const was = before.get(id);
      if (was?.status === standing.status && was.category === standing.category) continue;
      if (was) count(was, -1);
      count(standing, 1);
      moved.push({ initiative_id: id, ...standing });
    }
    await writeStandings(db, names, moved);
    const deltas = [...counts]
      .filter(([, by]) => by !== 0)
      .map(([key, by]) => {
        const [status, category] = key.split(' ');
        return { status, category, initiatives: by };
      });
    await inChunks(deltas, (chunk) =>
      db
        .insertInto(names.portfolio_counts)
        .values(chunk)
        .onConflict((conflict) =>
          conflict.columns(['status', 'category']).doUpdateSet({
            initiatives: sql`${sql.table(names.portfolio_counts)}.initiatives + excluded.initiatives`,
          }),
        )
        .execute(),
    );
    // A count that fell to zero goes: a rebuild, which only ever adds, would not hold it.
    if (deltas.some(({ initiatives }) => initiatives < 0))
      await db.deleteFrom(names.portfolio_counts).where('initiatives', '=', 0).execute();
  },

  forRebuild(options) {
    const kept = new RebuildRows<PortfolioTables['portfolio_initiatives']>(
      options?.rowsKept ?? REBUILD_STANDINGS_KEPT,
    );
    return {
      ...portfolioProjection,
      async apply(db, names, events) {
        const ids = initiativeIdsOf(events);
        const before = await loadStandings(
          db,
          names,
          kept.missing(streamsBegunBefore(events, initiativeIdOf)),
        );
        for (const id of ids) {
          const row = kept.get(id);
          if (row)
            before.set(id, { status: row.status as InitiativeStatus, category: row.category as Category });
        }
        const changed = [...standingsAfter(before, events)]
          .filter(([id, standing]) => {
            const was = before.get(id);
            return was?.status !== standing.status || was.category !== standing.category;
          })
          .map(([id, standing]) => [id, { initiative_id: id, ...standing }] as const);
        await writeStandings(db, names, kept.change(changed));
      },
      // The counts, once, from where every initiative ended.
      async completeRebuild(db, names) {
        await writeStandings(db, names, kept.drain());
        await db
          .insertInto(names.portfolio_counts)
          .columns(['status', 'category', 'initiatives'])
          .expression((eb) =>
            eb
              .selectFrom(names.portfolio_initiatives)
              .select(['status', 'category', (count) => count.fn.countAll().as('initiatives')])
              .groupBy(['status', 'category']),
          )
          .execute();
      },
    };
  },
};

/** Initiatives whose standing a rebuild keeps in memory (see RebuildRows). */
const REBUILD_STANDINGS_KEPT = 4_000;

function initiativeIdsOf(events: Parameters<Projection['apply']>[2]): string[] {
  return [...new Set(events.map((event) => initiativeIdOf(event.streamId)).filter((id) => id !== null))];
}

/** The standings `before` (of the initiatives it holds) moved by the events, those of initiatives proposed added. */
function standingsAfter(
  before: ReadonlyMap<string, Standing>,
  events: Parameters<Projection['apply']>[2],
): Map<string, Standing> {
  const after = new Map(before);
  for (const stored of events) {
    const id = initiativeIdOf(stored.streamId);
    if (id === null) continue;
    const standing = standingAfter(after.get(id), initiativeEventOf(stored));
    if (standing) after.set(id, standing);
  }
  return after;
}

async function writeStandings(
  db: AnyDb,
  names: TableNames<Table>,
  rows: readonly PortfolioTables['portfolio_initiatives'][],
): Promise<void> {
  await insertRows(db, names.portfolio_initiatives, rows, {
    key: ['initiative_id'],
    replace: ['status', 'category'],
  });
}

/** Where an event leaves an initiative; undefined for an event of an initiative never proposed. */
function standingAfter(current: Standing | undefined, event: InitiativeEvent): Standing | undefined {
  if (event.type === 'InitiativeProposed')
    return { status: 'awaiting-sign-offs', category: event.data.category };
  if (!current) return undefined;
  const category =
    event.type === 'InitiativeAmended' ? (event.data.changes.category ?? current.category) : current.category;
  return { status: statusAfter(event) ?? current.status, category };
}

async function loadStandings(
  db: AnyDb,
  names: TableNames<Table>,
  ids: readonly string[],
): Promise<Map<string, Standing>> {
  const standings = new Map<string, Standing>();
  await inChunks(ids, async (chunk) => {
    const rows = (await db
      .selectFrom(names.portfolio_initiatives)
      .selectAll()
      .where('initiative_id', 'in', chunk)
      .execute()) as PortfolioTables['portfolio_initiatives'][];
    for (const row of rows)
      standings.set(row.initiative_id, {
        status: row.status as InitiativeStatus,
        category: row.category as Category,
      });
  });
  return standings;
}
