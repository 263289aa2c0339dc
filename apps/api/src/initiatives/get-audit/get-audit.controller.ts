import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Principal } from '@accord/auth';
import { ApiProblems } from '../../http/openapi';
import { CurrentPrincipal } from '../../http/request-context';
import { initiativeIdPipe } from '../../http/validation';
import { AuditReportDto } from '../shared/responses';
import { GetAuditQuery } from './get-audit.query';

@ApiTags('audit')
@Controller('v1/initiatives')
export class GetAuditController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get(':id/audit')
  @ApiOperation({ summary: "Verify the hash chain of the initiative's stored events" })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: AuditReportDto })
  @ApiProblems('validation-failed', 'not-found', 'stored-event-damaged')
  audit(@Param('id', initiativeIdPipe) initiativeId: string, @CurrentPrincipal() principal: Principal) {
    return this.queryBus.execute(new GetAuditQuery(principal, initiativeId));
  }
}
