import { Body, Param } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CommandRequest, CommandRequestContext } from '../../http/request-context';
import { initiativeIdPipe } from '../../http/validation';
import { CommandController, CommandRoute } from '../shared/command-slice';
import { RecordSignOffCommand } from './record-sign-off.command';
import { RecordSignOffDto } from './record-sign-off.dto';

@CommandController()
export class RecordSignOffController {
  constructor(private readonly commandBus: CommandBus) {}

  @CommandRoute(':id/sign-offs', {
    summary: 'Record a national sign-off of the current proposal version (focal point of that state)',
    problems: ['not-found', 'invalid-status', 'stale-proposal-version', 'already-signed', 'deadline-passed'],
  })
  handle(
    @Param('id', initiativeIdPipe) id: string,
    @Body() body: RecordSignOffDto,
    @CommandRequestContext() request: CommandRequest,
  ) {
    return this.commandBus.execute(new RecordSignOffCommand(id, body, request));
  }
}
