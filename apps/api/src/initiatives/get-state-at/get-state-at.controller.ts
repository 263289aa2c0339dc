import { Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { Principal } from '@accord/auth';
import { ProblemException } from '../../http/problem';
import { CurrentPrincipal } from '../../http/request-context';
import { initiativeIdPipe } from '../../http/validation';
import { QueryController, QueryRoute } from '../shared/query-slice';
import { InitiativeViewDto } from '../shared/responses';
import { StateAtDto } from './get-state-at.dto';
import { GetStateAtQuery } from './get-state-at.query';

@QueryController()
export class GetStateAtController {
  constructor(private readonly queryBus: QueryBus) {}

  @QueryRoute(':id/state', {
    summary: 'Time travel: the initiative rebuilt by replaying its stream up to a revision or an instant',
    answer: InitiativeViewDto,
    problems: ['validation-failed', 'not-found', 'stored-event-damaged'],
  })
  stateAt(
    @Param('id', initiativeIdPipe) id: string,
    @Query() { atRevision, at }: StateAtDto,
    @CurrentPrincipal() principal: Principal,
  ) {
    if ((atRevision === undefined) === (at === undefined))
      throw new ProblemException('validation-failed', 'Name exactly one of atRevision and at', [
        { field: 'atRevision', message: 'exactly one of atRevision and at is required' },
      ]);
    const point = at === undefined ? { toRevision: Number(atRevision) } : { until: new Date(at) };
    return this.queryBus.execute(new GetStateAtQuery(principal, id, point));
  }
}
