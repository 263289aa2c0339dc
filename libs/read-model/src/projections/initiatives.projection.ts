import {
  evolve,
  Initiative,
  initiativeIdOf,
  initiativeEventOf,
  InitiativeState,
  isProposed,
  pendingStates,
} from '@accord/domain';
import { StoredEvent } from '@accord/event-store';
import {
  AnyDb,
  inChunks,
  insertRows,
  Projection,
  RebuildRows,
  streamsBegunBefore,
  TableNames,
} from '../projection';

type Table = 'initiative_views' | 'initiative_participants' | 'pending_sign_offs';
type Names = TableNames<Table>;

/** The row shapes, as the database holds them. */
export interface InitiativeTables {
  initiative_views: {
    initiative_id: string;
    state: string;
    revision: number;
    status: string;
    category: string;
    proposing_state: string;
    deadline_ms: number;
    created_position: number;
    updated_at: string;
  };
  initiative_participants: ParticipantRow;
  pending_sign_offs: PendingRow;
}

/**
 * A country's row for an initiative. It carries the initiative's list order (`created_position`), so that a list
 * of one country's initiatives is read from an index on (country, created_position) in the order it is shown,
 * newest first, and stops at the page's end, however many initiatives the read model holds.
 */
type MembershipRow = { initiative_id: string; country: string; created_position: number };
/** A participant's row also carries what lists filter on, so that a focal point's filtered list has an index too. */
type ParticipantRow = MembershipRow & { status: string; category: string };
/** A pending sign-off's, what the inbox tests besides (its status is always awaiting-sign-offs). */
type PendingRow = MembershipRow & { category: string; deadline_ms: number };

/**
 * The two membership tables, each derived from an initiative's row alone: its participants, and the states whose
 * sign-off it awaits (the inbox).
 */
const MEMBERSHIP: readonly (readonly [
  'initiative_participants' | 'pending_sign_offs',
  (row: InitiativeRow) => MembershipRow[],
])[] = [
  [
    'initiative_participants',
    ({ initiativeId, state, createdPosition }) =>
      state.participatingStates.map((country): ParticipantRow => ({
        initiative_id: initiativeId,
        country,
        created_position: createdPosition,
        status: state.status,
        category: state.category,
      })),
  ],
  [
    'pending_sign_offs',
    ({ initiativeId, state, createdPosition }) =>
      pendingStates(state).map((country): PendingRow => ({
        initiative_id: initiativeId,
        country,
        created_position: createdPosition,
        category: state.category,
        deadline_ms: Date.parse(state.signOffDeadline),
      })),
  ],
];

/** Initiatives read at a time when a rebuild fills its participants and pending sign-offs. */
const MEMBERSHIP_PAGE = 5_000;

/**
 * One row per initiative (its folded state, and what lists filter and sort on), and two index tables: the
 * participants of each initiative, and the states whose sign-off it awaits (the inbox). Every list is answered from
 * an index in the order it is shown (InitiativeQueries.list; the plans are pinned in query-plans.int-spec.ts).
 */
export const initiativesProjection: Projection<Table> = {
  name: 'initiatives',
  // 2: the folded state carries formerParticipants and withdrawalReason.
  // 3: the membership rows carry created_position and category, a participant's the status, a pending sign-off's
  // the deadline.
  version: 3,
  tables: ['initiative_views', 'initiative_participants', 'pending_sign_offs'],

  async createTables(db, names, tag, rebuilding) {
    await db.schema
      .createTable(names.initiative_views)
      .ifNotExists()
      .addColumn('initiative_id', 'text', (column) => column.primaryKey())
      .addColumn('state', 'text', (column) => column.notNull())
      .addColumn('revision', 'integer', (column) => column.notNull())
      .addColumn('status', 'text', (column) => column.notNull())
      .addColumn('category', 'text', (column) => column.notNull())
      .addColumn('proposing_state', 'text', (column) => column.notNull())
      .addColumn('deadline_ms', 'bigint', (column) => column.notNull())
      .addColumn('created_position', 'bigint', (column) => column.notNull().unique())
      .addColumn('updated_at', 'text', (column) => column.notNull())
      .execute();
    // A rebuild upserts each view row several times: its lists' indexes are built once it is done (completeRebuild).
    if (!rebuilding) await createViewIndexes(db, names, tag);
    for (const [table] of MEMBERSHIP) {
      let create = db.schema
        .createTable(names[table])
        .ifNotExists()
        .addColumn('initiative_id', 'text', (column) => column.notNull())
        .addColumn('country', 'text', (column) => column.notNull())
        .addColumn('created_position', 'bigint', (column) => column.notNull());
      if (table === 'initiative_participants')
        create = create.addColumn('status', 'text', (c) => c.notNull());
      create = create.addColumn('category', 'text', (column) => column.notNull());
      if (table === 'pending_sign_offs')
        create = create.addColumn('deadline_ms', 'bigint', (c) => c.notNull());
      await create.addPrimaryKeyConstraint(`${table}_pk_${tag}`, ['initiative_id', 'country']).execute();
    }
    // A rebuild indexes the membership tables at its end (completeRebuild), once they are filled.
    if (!rebuilding) await createMembershipIndexes(db, names, tag);
  },

  async apply(db, names, events, rebuilding) {
    const stored = await loadRows(db, names, initiativeIdsOf(events));
    const changed = [...projectBatch(stored, events).values()];
    await writeViews(db, names, changed);
    // A rebuild on SQLite fills the membership tables once, from the final rows (completeRebuild).
    if (!rebuilding) await writeMembership(db, names, changed, stored);
  },

  async completeRebuild(db, names, tag) {
    await completeTables(db, names, tag);
  },

  forRebuild(options) {
    const kept = new RebuildRows<KeptRow>(options?.rowsKept ?? REBUILD_ROWS_KEPT);
    return {
      ...initiativesProjection,
      async apply(db, names, events) {
        const read = await loadRows(db, names, kept.missing(streamsBegunBefore(events, initiativeIdOf)));
        const current = new Map<string, InitiativeRow>();
        for (const id of initiativeIdsOf(events)) {
          const row = kept.get(id)?.row ?? read.get(id);
          if (row) current.set(id, row);
        }
        const changed = [...projectBatch(current, events)].map(
          ([id, row]) => [id, { row, stored: kept.get(id)?.stored ?? read.get(id) }] as const,
        );
        await writeKeptRows(db, names, kept.change(changed));
      },
      async completeRebuild(db, names, tag) {
        await writeKeptRows(db, names, kept.drain());
        await createListIndexes(db, names, tag);
      },
    };
  },
};

/** A row a rebuild keeps in memory, with the version of it its tables hold (none if it was never written). */
interface KeptRow {
  row: InitiativeRow;
  stored: InitiativeRow | undefined;
}

/**
 * Writes rows a rebuild kept, with their memberships: on PostgreSQL, inserting these with each batch, while the
 * server's work overlaps this process's, costs less than reading every view back at the end to fill them. A row
 * never written before has no membership rows yet (plain inserts); one read back from the tables is diffed against
 * the version read, as the live projector does.
 */
async function writeKeptRows(db: AnyDb, names: Names, kept: readonly KeptRow[]): Promise<void> {
  const fresh: InitiativeRow[] = [];
  const readBack: InitiativeRow[] = [];
  const stored = new Map<string, InitiativeRow>();
  for (const { row, stored: version } of kept)
    if (version) {
      readBack.push(row);
      stored.set(row.initiativeId, version);
    } else fresh.push(row);
  await writeViews(db, names, [...fresh, ...readBack]);
  for (const [table, membership] of MEMBERSHIP)
    await insertInKeyOrder(db, names[table], fresh.flatMap(membership));
  await writeMembership(db, names, readBack, stored);
}

/**
 * Initiatives a rebuild keeps in memory (see RebuildRows): those of the last batch or two (a batch of 10,000 events
 * touches a few thousand), so that a log whose initiatives interleave writes most view rows once.
 */
const REBUILD_ROWS_KEPT = 4_000;

/** The end of a rebuild: the membership tables filled once from the final view rows, then every list index built. */
async function completeTables(db: AnyDb, names: Names, tag: string): Promise<void> {
  for (let after: string | null = null; ;) {
    let query = db
      .selectFrom(names.initiative_views)
      .select(['initiative_id', 'state', 'revision', 'created_position'])
      .orderBy('initiative_id')
      .limit(MEMBERSHIP_PAGE);
    if (after !== null) query = query.where('initiative_id', '>', after);
    const rows: StoredView[] = await query.execute();
    if (rows.length === 0) break;
    const initiatives = rows.map(fromViewRow);
    for (const [table, membership] of MEMBERSHIP)
      await insertInKeyOrder(db, names[table], initiatives.flatMap(membership));
    after = rows[rows.length - 1].initiative_id;
  }
  await createListIndexes(db, names, tag);
}

async function createListIndexes(db: AnyDb, names: Names, tag: string): Promise<void> {
  await createViewIndexes(db, names, tag);
  await createMembershipIndexes(db, names, tag);
}

/** The lists of all initiatives: by status, by category (newest first), and the deadlines of the open ones. */
async function createViewIndexes(db: AnyDb, names: Names, tag: string): Promise<void> {
  for (const [index, columns] of [
    ['status', ['status', 'created_position']],
    ['category', ['category', 'created_position']],
    ['deadline', ['status', 'deadline_ms']],
  ] as const)
    await db.schema
      .createIndex(`iv_${index}_${tag}`)
      .ifNotExists()
      .on(names.initiative_views)
      .columns([...columns])
      .execute();
}

/**
 * One country's rows newest first: the inbox, participant= and a focal point's list (with status= or category=,
 * the participants' own indexes).
 */
async function createMembershipIndexes(db: AnyDb, names: Names, tag: string): Promise<void> {
  for (const [table] of MEMBERSHIP) {
    const indexes: [string, string[]][] = [['country', ['country', 'created_position']]];
    if (table === 'initiative_participants')
      indexes.push(
        ['status', ['country', 'status', 'created_position']],
        ['category', ['country', 'category', 'created_position']],
      );
    for (const [index, columns] of indexes)
      await db.schema
        .createIndex(`${table}_${index}_${tag}`)
        .ifNotExists()
        .on(names[table])
        .columns(columns)
        .execute();
  }
}

/** One initiative's row of the read model: its folded state and what lists filter and sort on. */
interface InitiativeRow {
  initiativeId: string;
  state: Initiative;
  revision: number;
  /** Global log position of the proposal: lists are newest first by it, and it makes a stable cursor. */
  createdPosition: number;
}

/**
 * Applies a batch of the global log to the rows it touches. Pure: the caller loads the rows, and writes
 * back the ones returned, in one transaction with the batch's last position as the checkpoint.
 */
function projectBatch(
  rows: Map<string, InitiativeRow>,
  events: readonly StoredEvent[],
): Map<string, InitiativeRow> {
  const changed = new Map<string, InitiativeRow>();
  for (const event of events) {
    const initiativeId = initiativeIdOf(event.streamId);
    if (initiativeId === null) continue;
    const current = changed.get(initiativeId) ?? rows.get(initiativeId);
    const before: InitiativeState = current?.state ?? { status: 'not-proposed' };
    const state = evolve(before, initiativeEventOf(event));
    if (!isProposed(state)) continue;
    changed.set(initiativeId, {
      initiativeId,
      state,
      revision: event.revision,
      createdPosition: current?.createdPosition ?? event.position,
    });
  }
  return changed;
}

/** The initiative ids a batch touches. */
function initiativeIdsOf(events: readonly StoredEvent[]): string[] {
  const ids = new Set<string>();
  for (const event of events) {
    const initiativeId = initiativeIdOf(event.streamId);
    if (initiativeId !== null) ids.add(initiativeId);
  }
  return [...ids];
}

/** The stored rows of these initiatives (those that have one). */
async function loadRows(
  db: AnyDb,
  names: Names,
  ids: readonly string[],
): Promise<Map<string, InitiativeRow>> {
  const current = new Map<string, InitiativeRow>();
  await inChunks(ids, async (chunk) => {
    const rows = await db
      .selectFrom(names.initiative_views)
      .select(['initiative_id', 'state', 'revision', 'created_position'])
      .where('initiative_id', 'in', chunk)
      .execute();
    for (const row of rows) current.set(row.initiative_id, fromViewRow(row));
  });
  return current;
}

type StoredView = Pick<
  InitiativeTables['initiative_views'],
  'initiative_id' | 'state' | 'revision' | 'created_position'
>;

function fromViewRow(row: StoredView): InitiativeRow {
  return {
    initiativeId: row.initiative_id,
    state: JSON.parse(row.state) as Initiative,
    revision: Number(row.revision),
    createdPosition: Number(row.created_position),
  };
}

async function writeViews(db: AnyDb, names: Names, changed: readonly InitiativeRow[]): Promise<void> {
  const ordered = [...changed].sort((a, b) => compare(a.initiativeId, b.initiativeId));
  await insertRows(db, names.initiative_views, ordered.map(toViewRow), {
    key: ['initiative_id'],
    replace: ['state', 'revision', 'status', 'category', 'deadline_ms', 'updated_at'],
  });
}

/**
 * Of the participants and pending sign-offs, only the rows that changed are deleted, inserted or updated: most
 * events change no participant and at most one pending sign-off (a participant's row changes with the initiative's
 * status or category).
 */
async function writeMembership(
  db: AnyDb,
  names: Names,
  changed: readonly InitiativeRow[],
  stored: ReadonlyMap<string, InitiativeRow>,
): Promise<void> {
  for (const [table, membership] of MEMBERSHIP) {
    const removed = new Map<string, string[]>();
    const written: MembershipRow[] = [];
    for (const row of changed) {
      const before = stored.get(row.initiativeId);
      const was = new Map((before ? membership(before) : []).map((member) => [member.country, member]));
      const is = membership(row);
      for (const country of was.keys())
        if (!is.some((member) => member.country === country)) {
          const ids = removed.get(country);
          if (ids) ids.push(row.initiativeId);
          else removed.set(country, [row.initiativeId]);
        }
      for (const member of is) {
        const previous = was.get(member.country);
        if (!previous || !sameRow(previous, member)) written.push(member);
      }
    }
    for (const [country, ids] of removed)
      await inChunks(ids, (chunk) =>
        db
          .deleteFrom(names[table])
          .where('country', '=', country)
          .where('initiative_id', 'in', chunk)
          .execute(),
      );
    await upsertInKeyOrder(db, names[table], written);
  }
}

function sameRow(a: MembershipRow, b: MembershipRow): boolean {
  const keys = Object.keys(a) as (keyof MembershipRow)[];
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortByKey(rows: MembershipRow[]): MembershipRow[] {
  return rows.sort((a, b) => compare(a.initiative_id, b.initiative_id) || compare(a.country, b.country));
}

/** In key order: each statement then fills neighbouring index pages rather than pages all over the index. */
async function insertInKeyOrder(db: AnyDb, table: string, rows: MembershipRow[]): Promise<void> {
  await insertRows(db, table, sortByKey(rows));
}

/** New rows, and rows whose other columns changed (a participant's, when its initiative's status did). */
async function upsertInKeyOrder(db: AnyDb, table: string, rows: MembershipRow[]): Promise<void> {
  if (rows.length === 0) return;
  await insertRows(db, table, sortByKey(rows), {
    key: ['initiative_id', 'country'],
    replace: Object.keys(rows[0]).filter((column) => column !== 'initiative_id' && column !== 'country'),
  });
}

function toViewRow(row: InitiativeRow): InitiativeTables['initiative_views'] {
  const { state } = row;
  return {
    initiative_id: row.initiativeId,
    state: JSON.stringify(state),
    revision: row.revision,
    status: state.status,
    category: state.category,
    proposing_state: state.proposingState,
    deadline_ms: Date.parse(state.signOffDeadline),
    created_position: row.createdPosition,
    updated_at: state.updatedAt,
  };
}
