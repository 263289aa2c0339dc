import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { InitiativeReader } from '../shared/initiative-reader.service';
import { GetHistoryQuery } from './get-history.query';

@QueryHandler(GetHistoryQuery)
export class GetHistoryHandler implements IQueryHandler<GetHistoryQuery> {
  constructor(private readonly reader: InitiativeReader) {}

  async execute({ principal, initiativeId }: GetHistoryQuery) {
    return { initiativeId, events: await this.reader.history(principal, initiativeId) };
  }
}
