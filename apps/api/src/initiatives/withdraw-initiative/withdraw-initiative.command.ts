import { Command } from '@nestjs/cqrs';
import { CommandRequest } from '../../http/request-context';
import { CommandResponse } from '../shared/initiative-commands.service';
import { WithdrawInitiativeDto } from './withdraw-initiative.dto';

export class WithdrawInitiativeCommand extends Command<CommandResponse> {
  constructor(
    readonly initiativeId: string,
    readonly body: WithdrawInitiativeDto,
    readonly request: CommandRequest,
  ) {
    super();
  }
}
