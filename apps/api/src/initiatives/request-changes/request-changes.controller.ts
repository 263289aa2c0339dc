import { Body, Controller, Param, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiCommand } from '../../http/openapi';
import { CommandRequest, CommandRequestContext } from '../../http/request-context';
import { initiativeIdPipe } from '../../http/validation';
import { CommandResultDto } from '../shared/responses';
import { RequestChangesCommand } from './request-changes.command';
import { RequestChangesDto } from './request-changes.dto';

@ApiTags('commands')
@Controller('v1/initiatives')
export class RequestChangesController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post(':id/change-requests')
  @ApiOperation({
    summary: 'Request changes to the current proposal version (focal point of a participating state)',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiCreatedResponse({ type: CommandResultDto })
  @ApiOkResponse({ type: CommandResultDto, description: 'An idempotent repeat: nothing appended' })
  @ApiCommand('not-found', 'invalid-status', 'stale-proposal-version', 'deadline-passed')
  async handle(
    @Param('id', initiativeIdPipe) initiativeId: string,
    @Body() body: RequestChangesDto,
    @CommandRequestContext() request: CommandRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CommandResultDto> {
    const response = await this.commandBus.execute(new RequestChangesCommand(initiativeId, body, request));
    void reply.status(response.status);
    return response.body;
  }
}
