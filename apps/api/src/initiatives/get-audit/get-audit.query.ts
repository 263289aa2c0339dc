import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AuditReport, EventStoreQueries } from '../shared/event-store-queries';
import { InitiativeQuery } from '../shared/query-slice';

export class GetAuditQuery extends InitiativeQuery<AuditReport> {}

@QueryHandler(GetAuditQuery)
export class GetAuditHandler implements IQueryHandler<GetAuditQuery> {
  constructor(private readonly history: EventStoreQueries) {}

  execute({ principal, initiativeId }: GetAuditQuery) {
    return this.history.audit(principal, initiativeId);
  }
}
