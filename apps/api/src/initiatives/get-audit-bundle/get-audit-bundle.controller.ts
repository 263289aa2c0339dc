import { Controller, Get, Param, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Principal } from '@accord/auth';
import { ApiProblems } from '../../http/openapi';
import { CurrentPrincipal } from '../../http/request-context';
import { initiativeIdPipe } from '../../http/validation';
import { AuditBundleDto } from '../shared/responses';
import { GetAuditBundleQuery } from './get-audit-bundle.query';

@ApiTags('audit')
@Controller('v1/initiatives')
export class GetAuditBundleController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get(':id/audit-bundle')
  @ApiOperation({
    summary: 'A self-contained bundle of the stream that `npx accord verify FILE` checks offline',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({
    type: AuditBundleDto,
    headers: {
      'Content-Disposition': {
        description: 'attachment; filename="initiative-{id}.audit.json"',
        schema: { type: 'string' },
      },
    },
  })
  @ApiProblems('validation-failed', 'not-found', 'stored-event-damaged')
  async bundle(
    @Param('id', initiativeIdPipe) initiativeId: string,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const bundle = await this.queryBus.execute(new GetAuditBundleQuery(principal, initiativeId));
    void reply.header('content-disposition', `attachment; filename="initiative-${initiativeId}.audit.json"`);
    return bundle;
  }
}
