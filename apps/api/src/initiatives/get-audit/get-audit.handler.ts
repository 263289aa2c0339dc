import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { InitiativeReader } from '../shared/initiative-reader.service';
import { GetAuditQuery } from './get-audit.query';

@QueryHandler(GetAuditQuery)
export class GetAuditHandler implements IQueryHandler<GetAuditQuery> {
  constructor(private readonly reader: InitiativeReader) {}

  execute({ principal, initiativeId }: GetAuditQuery) {
    return this.reader.audit(principal, initiativeId);
  }
}
