import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Principal } from '@accord/auth';
import { InitiativeView } from '@accord/read-model';
import { ReadModelQueries } from '../shared/read-model-queries';
import { InitiativeQuery } from '../shared/query-slice';

export class GetInitiativeQuery extends InitiativeQuery<InitiativeView> {
  constructor(
    principal: Principal,
    initiativeId: string,
    readonly minRevision?: number,
  ) {
    super(principal, initiativeId);
  }
}

@QueryHandler(GetInitiativeQuery)
export class GetInitiativeHandler implements IQueryHandler<GetInitiativeQuery> {
  constructor(private readonly views: ReadModelQueries) {}

  execute({ principal, initiativeId, minRevision }: GetInitiativeQuery) {
    return this.views.get(principal, initiativeId, minRevision);
  }
}
