import { Query, IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Principal } from '@accord/auth';
import { InitiativePage, ListCriteria, ReadModelQueries } from '../shared/read-model-queries';

export class ListInitiativesQuery extends Query<InitiativePage> {
  constructor(
    readonly principal: Principal,
    readonly criteria: ListCriteria,
  ) {
    super();
  }
}

@QueryHandler(ListInitiativesQuery)
export class ListInitiativesHandler implements IQueryHandler<ListInitiativesQuery> {
  constructor(private readonly views: ReadModelQueries) {}

  execute({ principal, criteria }: ListInitiativesQuery) {
    return this.views.list(principal, criteria);
  }
}
