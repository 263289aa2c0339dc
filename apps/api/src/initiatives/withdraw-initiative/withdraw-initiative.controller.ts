import { Body, Param } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CommandRequest, CommandRequestContext } from '../../http/request-context';
import { initiativeIdPipe } from '../../http/validation';
import { CommandController, CommandRoute } from '../shared/command-slice';
import { WithdrawInitiativeCommand } from './withdraw-initiative.command';
import { WithdrawInitiativeDto } from './withdraw-initiative.dto';

@CommandController()
export class WithdrawInitiativeController {
  constructor(private readonly commandBus: CommandBus) {}

  @CommandRoute(':id/withdrawal', {
    summary: 'Withdraw the initiative (proposing state’s focal point, or the secretariat)',
    problems: ['not-found', 'invalid-status'],
  })
  handle(
    @Param('id', initiativeIdPipe) id: string,
    @Body() body: WithdrawInitiativeDto,
    @CommandRequestContext() request: CommandRequest,
  ) {
    return this.commandBus.execute(new WithdrawInitiativeCommand(id, body, request));
  }
}
