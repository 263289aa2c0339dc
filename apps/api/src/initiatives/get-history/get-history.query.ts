import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { EventRecord, EventStoreQueries } from '../shared/event-store-queries';
import { InitiativeQuery } from '../shared/query-slice';

export class GetHistoryQuery extends InitiativeQuery<{ initiativeId: string; events: EventRecord[] }> {}

@QueryHandler(GetHistoryQuery)
export class GetHistoryHandler implements IQueryHandler<GetHistoryQuery> {
  constructor(private readonly history: EventStoreQueries) {}

  async execute({ principal, initiativeId }: GetHistoryQuery) {
    return { initiativeId, events: await this.history.events(principal, initiativeId) };
  }
}
