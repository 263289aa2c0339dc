import { Query } from '@nestjs/cqrs';
import { Principal } from '@accord/auth';
import { AuditReport } from '../shared/initiative-reader.service';

export class GetAuditQuery extends Query<AuditReport> {
  constructor(
    readonly principal: Principal,
    readonly initiativeId: string,
  ) {
    super();
  }
}
