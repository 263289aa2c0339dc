import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Principal } from '@accord/auth';
import { ApiProblems } from '../../http/openapi';
import { ProblemException } from '../../http/problem';
import { CurrentPrincipal } from '../../http/request-context';
import { initiativeIdPipe } from '../../http/validation';
import { InitiativeViewDto } from '../shared/responses';
import { StateAtDto } from './get-state-at.dto';
import { GetStateAtQuery } from './get-state-at.query';

@ApiTags('queries')
@Controller('v1/initiatives')
export class GetStateAtController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get(':id/state')
  @ApiOperation({
    summary: 'Time travel: the initiative rebuilt by replaying its stream up to a revision or an instant',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: InitiativeViewDto })
  @ApiProblems('validation-failed', 'not-found', 'stored-event-damaged')
  stateAt(
    @Param('id', initiativeIdPipe) initiativeId: string,
    @Query() point: StateAtDto,
    @CurrentPrincipal() principal: Principal,
  ) {
    if ((point.atRevision === undefined) === (point.at === undefined))
      throw new ProblemException('validation-failed', 'Name exactly one of atRevision and at', [
        { field: 'atRevision', message: 'exactly one of atRevision and at is required' },
      ]);
    const statePoint =
      point.atRevision === undefined
        ? { until: new Date(point.at as string) }
        : { toRevision: Number(point.atRevision) };
    return this.queryBus.execute(new GetStateAtQuery(principal, initiativeId, statePoint));
  }
}
