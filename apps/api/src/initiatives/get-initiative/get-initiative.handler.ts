import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { InitiativeReader } from '../shared/initiative-reader.service';
import { GetInitiativeQuery } from './get-initiative.query';

@QueryHandler(GetInitiativeQuery)
export class GetInitiativeHandler implements IQueryHandler<GetInitiativeQuery> {
  constructor(private readonly reader: InitiativeReader) {}

  execute({ principal, initiativeId }: GetInitiativeQuery) {
    return this.reader.view(principal, initiativeId);
  }
}
