import { Param, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { FastifyReply } from 'fastify';
import { Principal } from '@accord/auth';
import { CurrentPrincipal } from '../../http/request-context';
import { initiativeIdPipe } from '../../http/validation';
import { QueryController, QueryRoute } from '../shared/query-slice';
import { AuditBundleDto } from '../shared/responses';
import { GetAuditBundleQuery } from './get-audit-bundle.query';

@QueryController('audit')
export class GetAuditBundleController {
  constructor(private readonly queryBus: QueryBus) {}

  @QueryRoute(':id/audit-bundle', {
    summary: 'A self-contained bundle of the stream that `npx accord verify FILE` checks offline',
    answer: AuditBundleDto,
    problems: ['validation-failed', 'not-found', 'stored-event-damaged'],
    headers: {
      'Content-Disposition': {
        description: 'attachment; filename="initiative-{id}.audit.json"',
        schema: { type: 'string' },
      },
    },
  })
  async bundle(
    @Param('id', initiativeIdPipe) id: string,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const bundle = await this.queryBus.execute(new GetAuditBundleQuery(principal, id));
    void reply.header('content-disposition', `attachment; filename="initiative-${id}.audit.json"`);
    return bundle;
  }
}
