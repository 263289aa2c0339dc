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
    const row = await this.db
      .selectFrom('initiative_views')
      .select(['state', 'revision'])
      .where('initiative_id', '=', initiativeId)
      .executeTakeFirst();
    return row ? { state: JSON.parse(row.state) as Initiative, revision: Number(row.revision) } : null;
  }

  /** Newest first; one row more than the limit tells whether another page follows. */
  async list(
    filter: ListFilter,
  ): Promise<{ rows: { state: Initiative; revision: number; createdPosition: number }[]; hasMore: boolean }> {
    let query = this.db
      .selectFrom('initiative_views as v')
      .select(['v.state', 'v.revision', 'v.created_position'])
      .orderBy('v.created_position', 'desc')
      .limit(filter.limit + 1);
    if (filter.status) query = query.where('v.status', '=', filter.status);
    if (filter.category) query = query.where('v.category', '=', filter.category);
    if (filter.before !== undefined) query = query.where('v.created_position', '<', filter.before);
    for (const country of [filter.participant, filter.visibleTo])
      if (country)
        query = query.where(({ exists, selectFrom }) =>
          exists(
            selectFrom('initiative_participants as p')
              .select('p.country')
              .whereRef('p.initiative_id', '=', 'v.initiative_id')
              .where('p.country', '=', country),
          ),
        );
    if (filter.pendingFor) {
      const { country, at } = filter.pendingFor;
      query = query
        .where('v.deadline_ms', '>', at.getTime())
        .where(({ exists, selectFrom }) =>
          exists(
            selectFrom('pending_sign_offs as s')
              .select('s.country')
              .whereRef('s.initiative_id', '=', 'v.initiative_id')
              .where('s.country', '=', country),
          ),
        );
    }
    const rows: { state: string; revision: number; created_position: number }[] = await query.execute();
    return {
      rows: rows.slice(0, filter.limit).map((row) => ({
        state: JSON.parse(row.state) as Initiative,
        revision: Number(row.revision),
        createdPosition: Number(row.created_position),
      })),
      hasMore: rows.length > filter.limit,
    };
  }

  /** Open initiatives whose sign-off deadline has come. */
  async dueForExpiry(now: Date, limit: number): Promise<string[]> {
    const rows: { initiative_id: string }[] = await this.db
      .selectFrom('initiative_views')
      .select('initiative_id')
      .where('status', 'in', OPEN_STATUSES)
      .where('deadline_ms', '<=', now.getTime())
      .orderBy('deadline_ms')
      .limit(limit)
      .execute();
    return rows.map((row) => row.initiative_id);
  }
}
