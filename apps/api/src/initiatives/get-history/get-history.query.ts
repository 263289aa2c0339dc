import { Query } from '@nestjs/cqrs';
import { Principal } from '@accord/auth';
import { EventRecord } from '../shared/initiative-reader.service';

export class GetHistoryQuery extends Query<{ initiativeId: string; events: EventRecord[] }> {
  constructor(
    readonly principal: Principal,
    readonly initiativeId: string,
  ) {
    super();
  }
}
