import { Body, Controller, Param, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiCommand } from '../../http/openapi';
import { CommandRequest, CommandRequestContext } from '../../http/request-context';
import { initiativeIdPipe } from '../../http/validation';
import { CommandResultDto } from '../shared/responses';
import { WithdrawInitiativeCommand } from './withdraw-initiative.command';
import { WithdrawInitiativeDto } from './withdraw-initiative.dto';

@ApiTags('commands')
@Controller('v1/initiatives')
export class WithdrawInitiativeController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post(':id/withdrawal')
  @ApiOperation({ summary: 'Withdraw the initiative (proposing state’s focal point, or the secretariat)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiCreatedResponse({ type: CommandResultDto })
  @ApiOkResponse({ type: CommandResultDto, description: 'An idempotent repeat: nothing appended' })
  @ApiCommand('not-found', 'invalid-status')
  async handle(
    @Param('id', initiativeIdPipe) initiativeId: string,
    @Body() body: WithdrawInitiativeDto,
    @CommandRequestContext() request: CommandRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CommandResultDto> {
    const response = await this.commandBus.execute(
      new WithdrawInitiativeCommand(initiativeId, body, request),
    );
    void reply.status(response.status);
    return response.body;
  }
}
