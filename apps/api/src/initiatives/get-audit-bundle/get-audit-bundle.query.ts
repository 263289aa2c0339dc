import { Query } from '@nestjs/cqrs';
import { AuditBundle } from '@accord/audit';
import { Principal } from '@accord/auth';
import { EventRecord } from '../shared/initiative-reader.service';

export class GetAuditBundleQuery extends Query<AuditBundle<EventRecord> & { initiativeId: string }> {
  constructor(
    readonly principal: Principal,
    readonly initiativeId: string,
  ) {
    super();
  }
}
