import { Query } from '@nestjs/cqrs';
import { Principal } from '@accord/auth';
import { InitiativePage, ListCriteria } from '../shared/initiative-views.service';

export class ListInitiativesQuery extends Query<InitiativePage> {
  constructor(
    readonly principal: Principal,
    readonly criteria: ListCriteria,
  ) {
    super();
  }
}
