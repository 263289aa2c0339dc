import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Principal } from '@accord/auth';
import { ApiProblems } from '../../http/openapi';
import { CurrentPrincipal } from '../../http/request-context';
import { initiativeIdPipe } from '../../http/validation';
import { HistoryDto } from '../shared/responses';
import { GetHistoryQuery } from './get-history.query';

@ApiTags('queries')
@Controller('v1/initiatives')
export class GetHistoryController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get(':id/history')
  @ApiOperation({ summary: 'Every event of the initiative, oldest first, straight from the event store' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: HistoryDto })
  @ApiProblems('validation-failed', 'not-found', 'stored-event-damaged')
  history(@Param('id', initiativeIdPipe) initiativeId: string, @CurrentPrincipal() principal: Principal) {
    return this.queryBus.execute(new GetHistoryQuery(principal, initiativeId));
  }
}
