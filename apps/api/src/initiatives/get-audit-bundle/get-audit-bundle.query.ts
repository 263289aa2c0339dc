import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AuditBundle } from '@accord/audit';
import { EventRecord, EventStoreQueries } from '../shared/event-store-queries';
import { InitiativeQuery } from '../shared/query-slice';

export class GetAuditBundleQuery extends InitiativeQuery<
  AuditBundle<EventRecord> & { initiativeId: string }
> {}

@QueryHandler(GetAuditBundleQuery)
export class GetAuditBundleHandler implements IQueryHandler<GetAuditBundleQuery> {
  constructor(private readonly history: EventStoreQueries) {}

  execute({ principal, initiativeId }: GetAuditBundleQuery) {
    return this.history.auditBundle(principal, initiativeId);
  }
}
