import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { InitiativeReader } from '../shared/initiative-reader.service';
import { GetAuditBundleQuery } from './get-audit-bundle.query';

@QueryHandler(GetAuditBundleQuery)
export class GetAuditBundleHandler implements IQueryHandler<GetAuditBundleQuery> {
  constructor(private readonly reader: InitiativeReader) {}

  execute({ principal, initiativeId }: GetAuditBundleQuery) {
    return this.reader.auditBundle(principal, initiativeId);
  }
}
