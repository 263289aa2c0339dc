import { Param, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { FastifyReply } from 'fastify';
import { Principal } from '@accord/auth';
import { InitiativeView } from '@accord/read-model';
import { ETAG_HEADER } from '../../http/openapi';
import { CurrentPrincipal } from '../../http/request-context';
import { initiativeIdPipe } from '../../http/validation';
import { QueryController, QueryRoute } from '../shared/query-slice';
import { InitiativeViewDto } from '../shared/responses';
import { GetInitiativeDto } from './get-initiative.dto';
import { GetInitiativeQuery } from './get-initiative.query';

@QueryController()
export class GetInitiativeController {
  constructor(private readonly queryBus: QueryBus) {}

  @QueryRoute(':id', {
    summary: 'The initiative from the read model; ETag is its stream revision',
    answer: InitiativeViewDto,
    description: 'The initiative as the read model has it',
    headers: { ETag: ETAG_HEADER },
    problems: ['validation-failed', 'not-found', 'projection-lagging'],
  })
  async get(
    @Param('id', initiativeIdPipe) id: string,
    @Query() { minRevision }: GetInitiativeDto,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<InitiativeView> {
    const revision = minRevision === undefined ? undefined : Number(minRevision);
    const view = await this.queryBus.execute(new GetInitiativeQuery(principal, id, revision));
    void reply.header('etag', `"${view.revision}"`);
    return view;
  }
}
