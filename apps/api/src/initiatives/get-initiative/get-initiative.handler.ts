import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { InitiativeViews } from '../shared/initiative-views.service';
import { GetInitiativeQuery } from './get-initiative.query';

@QueryHandler(GetInitiativeQuery)
export class GetInitiativeHandler implements IQueryHandler<GetInitiativeQuery> {
  constructor(private readonly views: InitiativeViews) {}

  execute({ principal, initiativeId, minRevision }: GetInitiativeQuery) {
    return this.views.get(principal, initiativeId, minRevision);
  }
}
