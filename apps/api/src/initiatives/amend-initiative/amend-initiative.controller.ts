import { Body, Param } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CommandRequest, CommandRequestContext } from '../../http/request-context';
import { initiativeIdPipe } from '../../http/validation';
import { CommandController, CommandRoute } from '../shared/command-slice';
import { AmendInitiativeCommand } from './amend-initiative.command';
import { AmendInitiativeDto } from './amend-initiative.dto';

@CommandController()
export class AmendInitiativeController {
  constructor(private readonly commandBus: CommandBus) {}

  @CommandRoute(':id/amendments', {
    summary:
      'Amend the proposal: the next version voids every earlier sign-off (proposing state’s focal point, or the secretariat)',
    problems: ['not-found', 'invalid-status', 'stale-proposal-version'],
  })
  handle(
    @Param('id', initiativeIdPipe) id: string,
    @Body() body: AmendInitiativeDto,
    @CommandRequestContext() request: CommandRequest,
  ) {
    return this.commandBus.execute(new AmendInitiativeCommand(id, body, request));
  }
}
