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
import { AnyDb, inChunks, Projection, TableNames } from '../projection';

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
  initiative_participants: MembershipRow;
  pending_sign_offs: MembershipRow;
}

type MembershipRow = { initiative_id: string; country: string };

/** The two membership tables, each derived from an initiative's state alone. */
const MEMBERSHIP = [
  ['initiative_participants', (state: Initiative) => state.participatingStates],
  ['pending_sign_offs', pendingStates],
] as const;

/** Initiatives read at a time when a rebuild fills its participants and pending sign-offs. */
const MEMBERSHIP_PAGE = 5_000;

/**
 * One row per initiative (its folded state, and what lists filter and sort on), and two index tables: the
 * participants of each initiative, and the states whose sign-off it awaits (the inbox).
 */
export const initiativesProjection: Projection<Table> = {
  name: 'initiatives',
  // 2: the folded state carries formerParticipants and withdrawalReason.
  version: 2,
  tables: ['initiative_views', 'initiative_participants', 'pending_sign_offs'],

  async createTables(db, names, tag) {
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
    for (const [table] of MEMBERSHIP) {
      await db.schema
        .createTable(names[table])
        .ifNotExists()
        .addColumn('initiative_id', 'text', (column) => column.notNull())
        .addColumn('country', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint(`${table}_pk_${tag}`, ['initiative_id', 'country'])
        .execute();
      await db.schema
        .createIndex(`${table}_country_${tag}`)
        .ifNotExists()
        .on(names[table])
        .columns(['country', 'initiative_id'])
        .execute();
    }
  },

  async apply(db, names, events, rebuilding) {
    const stored = await loadRows(db, names, initiativeIdsOf(events));
    const changed = [...projectBatch(stored, events).values()];
    await writeViews(db, names, changed);
    // A rebuild fills the membership tables once, from the final rows (completeRebuild).
    if (!rebuilding) await writeMembership(db, names, changed, stored);
  },

  async completeRebuild(db, names) {
    for (let after: string | null = null; ;) {
      let query = db
        .selectFrom(names.initiative_views)
        .select(['initiative_id', 'state'])
        .orderBy('initiative_id')
        .limit(MEMBERSHIP_PAGE);
      if (after !== null) query = query.where('initiative_id', '>', after);
      const rows: { initiative_id: string; state: string }[] = await query.execute();
      if (rows.length === 0) return;
      const states = rows.map((row) => ({
        id: row.initiative_id,
        state: JSON.parse(row.state) as Initiative,
      }));
      for (const [table, countries] of MEMBERSHIP)
        await insertInKeyOrder(
          db,
          names[table],
          states.flatMap(({ id, state }) =>
            countries(state).map((country) => ({ initiative_id: id, country })),
          ),
        );
      after = rows[rows.length - 1].initiative_id;
    }
  },
};

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
    for (const row of rows)
      current.set(row.initiative_id, {
        initiativeId: row.initiative_id,
        state: JSON.parse(row.state) as Initiative,
        revision: Number(row.revision),
        createdPosition: Number(row.created_position),
      });
  });
  return current;
}

async function writeViews(db: AnyDb, names: Names, changed: readonly InitiativeRow[]): Promise<void> {
  const ordered = [...changed].sort((a, b) => compare(a.initiativeId, b.initiativeId));
  await inChunks(ordered, (chunk) =>
    db
      .insertInto(names.initiative_views)
      .values(chunk.map(toViewRow))
      .onConflict((conflict) =>
        conflict.column('initiative_id').doUpdateSet((eb) => ({
          state: eb.ref('excluded.state'),
          revision: eb.ref('excluded.revision'),
          status: eb.ref('excluded.status'),
          category: eb.ref('excluded.category'),
          deadline_ms: eb.ref('excluded.deadline_ms'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute(),
  );
}

/**
 * Of the participants and pending sign-offs, only the (initiative, country) pairs that changed are deleted or
 * inserted: most events change no participant and at most one pending sign-off.
 */
async function writeMembership(
  db: AnyDb,
  names: Names,
  changed: readonly InitiativeRow[],
  stored: ReadonlyMap<string, InitiativeRow>,
): Promise<void> {
  for (const [table, countries] of MEMBERSHIP) {
    const removed = new Map<string, string[]>();
    const added: MembershipRow[] = [];
    for (const row of changed) {
      const before = stored.get(row.initiativeId);
      const was = before ? countries(before.state) : [];
      const is = countries(row.state);
      for (const country of was)
        if (!is.includes(country)) {
          const ids = removed.get(country);
          if (ids) ids.push(row.initiativeId);
          else removed.set(country, [row.initiativeId]);
        }
      for (const country of is)
        if (!was.includes(country)) added.push({ initiative_id: row.initiativeId, country });
    }
    for (const [country, ids] of removed)
      await inChunks(ids, (chunk) =>
        db
          .deleteFrom(names[table])
          .where('country', '=', country)
          .where('initiative_id', 'in', chunk)
          .execute(),
      );
    await insertInKeyOrder(db, names[table], added);
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** In key order: each statement then fills neighbouring index pages rather than pages all over the index. */
async function insertInKeyOrder(db: AnyDb, table: string, rows: MembershipRow[]): Promise<void> {
  rows.sort((a, b) => compare(a.initiative_id, b.initiative_id) || compare(a.country, b.country));
  await inChunks(rows, (chunk) => db.insertInto(table).values(chunk).execute());
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
