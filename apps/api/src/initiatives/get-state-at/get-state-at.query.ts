import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Principal } from '@accord/auth';
import { InitiativeView } from '@accord/read-model';
import { EventStoreQueries, StatePoint } from '../shared/event-store-queries';
import { InitiativeQuery } from '../shared/query-slice';

export class GetStateAtQuery extends InitiativeQuery<InitiativeView> {
  constructor(
    principal: Principal,
    initiativeId: string,
    readonly point: StatePoint,
  ) {
    super(principal, initiativeId);
  }
}

@QueryHandler(GetStateAtQuery)
export class GetStateAtHandler implements IQueryHandler<GetStateAtQuery> {
  constructor(private readonly history: EventStoreQueries) {}

  execute({ principal, initiativeId, point }: GetStateAtQuery) {
    return this.history.stateAt(principal, initiativeId, point);
  }
}
