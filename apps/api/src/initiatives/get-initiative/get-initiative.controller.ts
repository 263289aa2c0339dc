import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Principal } from '@accord/auth';
import { InitiativeView } from '@accord/read-model';
import { ApiProblems, ETAG_HEADER } from '../../http/openapi';
import { CurrentPrincipal } from '../../http/request-context';
import { initiativeIdPipe } from '../../http/validation';
import { InitiativeViewDto } from '../shared/responses';
import { GetInitiativeDto } from './get-initiative.dto';
import { GetInitiativeQuery } from './get-initiative.query';

@ApiTags('queries')
@Controller('v1/initiatives')
export class GetInitiativeController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get(':id')
  @ApiOperation({ summary: 'The initiative from the read model; ETag is its stream revision' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({
    type: InitiativeViewDto,
    description: 'The initiative as the read model has it',
    headers: { ETag: ETAG_HEADER },
  })
  @ApiProblems('validation-failed', 'not-found', 'projection-lagging')
  async get(
    @Param('id', initiativeIdPipe) initiativeId: string,
    @Query() query: GetInitiativeDto,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<InitiativeView> {
    const view = await this.queryBus.execute(
      new GetInitiativeQuery(
        principal,
        initiativeId,
        query.minRevision === undefined ? undefined : Number(query.minRevision),
      ),
    );
    void reply.header('etag', `"${view.revision}"`);
    return view;
  }
}
