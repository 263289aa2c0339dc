import { Body, Controller, Param, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiCommand } from '../../http/openapi';
import { CommandRequest, CommandRequestContext } from '../../http/request-context';
import { initiativeIdPipe } from '../../http/validation';
import { CommandResultDto } from '../shared/responses';
import { RecordFundingDecisionCommand } from './record-funding-decision.command';
import { RecordFundingDecisionDto } from './record-funding-decision.dto';

@ApiTags('commands')
@Controller('v1/initiatives')
export class RecordFundingDecisionController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post(':id/funding-decision')
  @ApiOperation({ summary: 'Record the funding decision of an approved initiative (fund board)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiCreatedResponse({ type: CommandResultDto })
  @ApiOkResponse({ type: CommandResultDto, description: 'An idempotent repeat: nothing appended' })
  @ApiCommand('not-found', 'invalid-status')
  async handle(
    @Param('id', initiativeIdPipe) initiativeId: string,
    @Body() body: RecordFundingDecisionDto,
    @CommandRequestContext() request: CommandRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CommandResultDto> {
    const response = await this.commandBus.execute(
      new RecordFundingDecisionCommand(initiativeId, body, request),
    );
    void reply.status(response.status);
    return response.body;
  }
}
