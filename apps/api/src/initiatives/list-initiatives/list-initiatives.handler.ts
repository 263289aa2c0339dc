import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { InitiativeViews } from '../shared/initiative-views.service';
import { ListInitiativesQuery } from './list-initiatives.query';

@QueryHandler(ListInitiativesQuery)
export class ListInitiativesHandler implements IQueryHandler<ListInitiativesQuery> {
  constructor(private readonly views: InitiativeViews) {}

  execute({ principal, criteria }: ListInitiativesQuery) {
    return this.views.list(principal, criteria);
  }
}
