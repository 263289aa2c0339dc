import { Query } from '@nestjs/cqrs';
import { Principal } from '@accord/auth';
import { InitiativeView } from '@accord/read-model';
import { StatePoint } from '../shared/initiative-reader.service';

export class GetStateAtQuery extends Query<InitiativeView> {
  constructor(
    readonly principal: Principal,
    readonly initiativeId: string,
    readonly point: StatePoint,
  ) {
    super();
  }
}
