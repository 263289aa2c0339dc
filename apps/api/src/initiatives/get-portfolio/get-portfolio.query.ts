import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { Principal } from '@accord/auth';
import { PortfolioCount, PortfolioQueries, ReadStore } from '@accord/read-model';
import { ProblemException } from '../../http/problem';
import { READ_STORE } from '../../infrastructure/tokens';

export class GetPortfolioQuery extends Query<{ counts: PortfolioCount[] }> {
  constructor(readonly principal: Principal) {
    super();
  }
}

@QueryHandler(GetPortfolioQuery)
export class GetPortfolioHandler implements IQueryHandler<GetPortfolioQuery> {
  private readonly portfolio: PortfolioQueries;

  constructor(@Inject(READ_STORE) readStore: ReadStore) {
    this.portfolio = new PortfolioQueries(readStore);
  }

  async execute({ principal }: GetPortfolioQuery) {
    // Counts over every initiative would tell a focal point about initiatives its country takes no part in.
    if (principal.role === 'focal-point')
      throw new ProblemException(
        'forbidden',
        'The portfolio counts every initiative; a focal point lists its own with GET /v1/initiatives',
      );
    return { counts: await this.portfolio.counts() };
  }
}
