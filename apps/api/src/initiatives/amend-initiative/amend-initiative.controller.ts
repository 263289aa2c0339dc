import { Body, Controller, Param, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiCommand } from '../../http/openapi';
import { CommandRequest, CommandRequestContext } from '../../http/request-context';
import { initiativeIdPipe } from '../../http/validation';
import { CommandResultDto } from '../shared/responses';
import { AmendInitiativeCommand } from './amend-initiative.command';
import { AmendInitiativeDto } from './amend-initiative.dto';

@ApiTags('commands')
@Controller('v1/initiatives')
export class AmendInitiativeController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post(':id/amendments')
  @ApiOperation({
    summary:
      'Amend the proposal: the next version voids every earlier sign-off (proposing state’s focal point, or the secretariat)',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiCreatedResponse({ type: CommandResultDto })
  @ApiOkResponse({ type: CommandResultDto, description: 'An idempotent repeat: nothing appended' })
  @ApiCommand('not-found', 'invalid-status', 'stale-proposal-version')
  async handle(
    @Param('id', initiativeIdPipe) initiativeId: string,
    @Body() body: AmendInitiativeDto,
    @CommandRequestContext() request: CommandRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CommandResultDto> {
    const response = await this.commandBus.execute(new AmendInitiativeCommand(initiativeId, body, request));
    void reply.status(response.status);
    return response.body;
  }
}
