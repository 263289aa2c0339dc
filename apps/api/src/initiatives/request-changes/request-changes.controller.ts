import { Body, Param } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CommandRequest, CommandRequestContext } from '../../http/request-context';
import { initiativeIdPipe } from '../../http/validation';
import { CommandController, CommandRoute } from '../shared/command-slice';
import { RequestChangesCommand } from './request-changes.command';
import { RequestChangesDto } from './request-changes.dto';

@CommandController()
export class RequestChangesController {
  constructor(private readonly commandBus: CommandBus) {}

  @CommandRoute(':id/change-requests', {
    summary: 'Request changes to the current proposal version (focal point of a participating state)',
    problems: ['not-found', 'invalid-status', 'stale-proposal-version', 'already-signed', 'deadline-passed'],
  })
  handle(
    @Param('id', initiativeIdPipe) id: string,
    @Body() body: RequestChangesDto,
    @CommandRequestContext() request: CommandRequest,
  ) {
    return this.commandBus.execute(new RequestChangesCommand(id, body, request));
  }
}
