import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { InitiativeReader } from '../shared/initiative-reader.service';
import { GetStateAtQuery } from './get-state-at.query';

@QueryHandler(GetStateAtQuery)
export class GetStateAtHandler implements IQueryHandler<GetStateAtQuery> {
  constructor(private readonly reader: InitiativeReader) {}

  execute({ principal, initiativeId, point }: GetStateAtQuery) {
    return this.reader.view(principal, initiativeId, point);
  }
}
