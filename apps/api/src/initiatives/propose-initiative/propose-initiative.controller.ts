import { Body, Controller, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';
import { ApiCommand, LOCATION_HEADER } from '../../http/openapi';
import { CommandRequest, CommandRequestContext } from '../../http/request-context';
import { CommandResultDto } from '../shared/responses';
import { ProposeInitiativeCommand } from './propose-initiative.command';
import { ProposeInitiativeDto } from './propose-initiative.dto';

@ApiTags('commands')
@Controller('v1/initiatives')
export class ProposeInitiativeController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @ApiOperation({ summary: 'Propose an initiative (focal point of the proposing state, or the secretariat)' })
  @ApiCreatedResponse({
    type: CommandResultDto,
    description: 'Proposed; Location names the initiative',
    headers: { Location: LOCATION_HEADER },
  })
  @ApiOkResponse({
    type: CommandResultDto,
    description: 'The identical proposal again: nothing appended',
    headers: { Location: LOCATION_HEADER },
  })
  @ApiCommand('already-exists')
  async propose(
    @Body() proposal: ProposeInitiativeDto,
    @CommandRequestContext() request: CommandRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CommandResultDto> {
    const initiativeId = proposal.initiativeId ?? randomUUID();
    const response = await this.commandBus.execute(
      new ProposeInitiativeCommand(initiativeId, proposal, request),
    );
    void reply.status(response.status).header('location', `/v1/initiatives/${response.body.initiativeId}`);
    return response.body;
  }
}
