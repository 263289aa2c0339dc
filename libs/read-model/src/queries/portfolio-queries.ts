import { Category, InitiativeStatus } from '@accord/domain';
import { AnyDb } from '../projection';
import { ReadStore } from '../store/read-store';

export interface PortfolioCount {
  status: InitiativeStatus;
  category: Category;
  initiatives: number;
}

/** What the portfolio projection answers: how many initiatives stand in each status, per category. */
export class PortfolioQueries {
  private readonly db: AnyDb;

  constructor(readStore: ReadStore) {
    this.db = readStore.reader;
  }

  async counts(): Promise<PortfolioCount[]> {
    const rows: { status: string; category: string; initiatives: number }[] = await this.db
      .selectFrom('portfolio_counts')
      .select(['status', 'category', 'initiatives'])
      .where('initiatives', '>', 0)
      .orderBy('status')
      .orderBy('category')
      .execute();
    return rows.map((row) => ({
      status: row.status as InitiativeStatus,
      category: row.category as Category,
      initiatives: Number(row.initiatives),
    }));
  }
}
