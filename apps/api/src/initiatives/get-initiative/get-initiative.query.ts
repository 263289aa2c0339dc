import { Query } from '@nestjs/cqrs';
import { Principal } from '@accord/auth';
import { InitiativeView } from '@accord/read-model';

export class GetInitiativeQuery extends Query<InitiativeView> {
  constructor(
    readonly principal: Principal,
    readonly initiativeId: string,
    readonly minRevision?: number,
  ) {
    super();
  }
}
