import { Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { Principal } from '@accord/auth';
import { CurrentPrincipal } from '../../http/request-context';
import { initiativeIdPipe } from '../../http/validation';
import { QueryController, QueryRoute } from '../shared/query-slice';
import { HistoryDto } from '../shared/responses';
import { GetHistoryQuery } from './get-history.query';

@QueryController()
export class GetHistoryController {
  constructor(private readonly queryBus: QueryBus) {}

  @QueryRoute(':id/history', {
    summary: 'Every event of the initiative, oldest first, straight from the event store',
    answer: HistoryDto,
    problems: ['validation-failed', 'not-found', 'stored-event-damaged'],
  })
  history(@Param('id', initiativeIdPipe) id: string, @CurrentPrincipal() principal: Principal) {
    return this.queryBus.execute(new GetHistoryQuery(principal, id));
  }
}
