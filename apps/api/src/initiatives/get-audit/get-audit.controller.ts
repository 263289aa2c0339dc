import { Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { Principal } from '@accord/auth';
import { CurrentPrincipal } from '../../http/request-context';
import { initiativeIdPipe } from '../../http/validation';
import { QueryController, QueryRoute } from '../shared/query-slice';
import { AuditReportDto } from '../shared/responses';
import { GetAuditQuery } from './get-audit.query';

@QueryController('audit')
export class GetAuditController {
  constructor(private readonly queryBus: QueryBus) {}

  @QueryRoute(':id/audit', {
    summary: "Verify the hash chain of the initiative's stored events",
    answer: AuditReportDto,
    problems: ['validation-failed', 'not-found', 'stored-event-damaged'],
  })
  audit(@Param('id', initiativeIdPipe) id: string, @CurrentPrincipal() principal: Principal) {
    return this.queryBus.execute(new GetAuditQuery(principal, id));
  }
}
