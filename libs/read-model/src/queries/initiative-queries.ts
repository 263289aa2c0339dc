import { sql } from 'kysely';
import { Initiative, InitiativeStatus } from '@accord/domain';
import { AnyDb } from '../projection';
import { ReadStore } from '../store/read-store';

export interface ListFilter {
  status?: InitiativeStatus;
  category?: string;
  participant?: string;
  /** The inbox: awaiting this country's sign-off at this instant (an overdue initiative awaits no one). */
  pendingFor?: { country: string; at: Date };
  /** A focal point's country: only initiatives it takes part in. */
  visibleTo?: string;
  /** Only initiatives proposed before this position (the cursor). */
  before?: number;
  limit: number;
}

const OPEN_STATUSES: InitiativeStatus[] = ['awaiting-sign-offs', 'changes-requested'];

/** What the initiatives projection answers: one initiative, a page of the list or the inbox, what is overdue. */
export class InitiativeQueries {
  private readonly db: AnyDb;

  constructor(readStore: ReadStore) {
    this.db = readStore.reader;
  }

  async findInitiative(initiativeId: string): Promise<{ state: Initiative; revision: number } | null> {
    const row = await this.findQuery(initiativeId).executeTakeFirst();
    return row ? { state: JSON.parse(row.state) as Initiative, revision: Number(row.revision) } : null;
  }

  findQuery(initiativeId: string) {
    return this.db
      .selectFrom('initiative_views')
      .select(['state', 'revision'])
      .where('initiative_id', '=', initiativeId);
  }

  /** Newest first; one row more than the limit tells whether another page follows. */
  async list(
    filter: ListFilter,
  ): Promise<{ rows: { state: Initiative; revision: number; createdPosition: number }[]; hasMore: boolean }> {
    const rows = (await this.listQuery(filter).execute()) as {
      state: string;
      revision: number;
      created_position: number;
    }[];
    return {
      rows: rows.slice(0, filter.limit).map((row) => ({
        state: JSON.parse(row.state) as Initiative,
        revision: Number(row.revision),
        createdPosition: Number(row.created_position),
      })),
      hasMore: rows.length > filter.limit,
    };
  }

  /**
   * A page of the list, read from an index in the order it is shown, whatever the filter, so that it costs the
   * page and not the read model: with a country (the inbox, `participant=`, a focal point's `visibleTo`), from that
   * country's rows of pending_sign_offs or initiative_participants, which carry the list order and what the list
   * filters on; else from initiative_views by position, or by status or category and position. The driving table
   * `d` comes first, in a CROSS JOIN, which SQLite never reorders; initiative_views is read by its key.
   *
   * Keyset pagination on `created_position`, newest first. What the driving index does not hold is tested on the
   * rows as they come: the deadline and category of an inbox row, the other of status and category, a second
   * country (by primary key, in a subquery PostgreSQL does not turn into a join). Only these combinations may read
   * rows that do not make the page: as many as fail the test.
   */
  listQuery(filter: ListFilter) {
    const { status, category, pendingFor, before } = filter;
    // The pending states of an initiative are among its participants: the inbox of a country needs no test that
    // the same country takes part.
    const countries = new Set([filter.participant, filter.visibleTo].filter((c): c is string => !!c));
    if (pendingFor) countries.delete(pendingFor.country);
    const participant = pendingFor ? undefined : (filter.participant ?? filter.visibleTo);
    if (participant) countries.delete(participant);

    const driving = pendingFor
      ? { table: 'pending_sign_offs', country: pendingFor.country }
      : participant
        ? { table: 'initiative_participants', country: participant }
        : null;
    let query = driving
      ? this.db
          .selectFrom(`${driving.table} as d`)
          .crossJoin('initiative_views as v')
          .whereRef('v.initiative_id', '=', 'd.initiative_id')
          .where('d.country', '=', driving.country)
      : this.db.selectFrom('initiative_views as d');
    const v = driving ? 'v' : 'd';
    query = query
      .select([`${v}.state`, `${v}.revision`, `${v}.created_position`])
      .orderBy('d.created_position', 'desc')
      .limit(filter.limit + 1);
    if (before !== undefined) query = query.where('d.created_position', '<', before);
    if (category) query = query.where('d.category', '=', category);
    if (pendingFor) {
      // Every pending sign-off awaits an initiative awaiting sign-offs.
      if (status && status !== 'awaiting-sign-offs') query = query.where(sql<boolean>`1 = 0`);
      query = query.where('d.deadline_ms', '>', pendingFor.at.getTime());
    } else if (status) query = query.where('d.status', '=', status);
    for (const country of countries)
      query = query.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('initiative_participants as p')
            .select('p.country')
            .whereRef('p.initiative_id', '=', 'd.initiative_id')
            .where('p.country', '=', country)
            // OFFSET keeps PostgreSQL from making a join of it, which may read all of that country's rows.
            .limit(1)
            .offset(0),
        ),
      );
    return query;
  }

  /** Open initiatives whose sign-off deadline has come. */
  async dueForExpiry(now: Date, limit: number): Promise<string[]> {
    const rows: { initiative_id: string }[] = await this.dueForExpiryQuery(now, limit).execute();
    return rows.map((row) => row.initiative_id);
  }

  dueForExpiryQuery(now: Date, limit: number) {
    return this.db
      .selectFrom('initiative_views')
      .select('initiative_id')
      .where('status', 'in', OPEN_STATUSES)
      .where('deadline_ms', '<=', now.getTime())
      .orderBy('deadline_ms')
      .limit(limit);
  }
}
