import { Command } from '@nestjs/cqrs';
import { CommandRequest } from '../../http/request-context';
import { CommandResponse } from '../shared/initiative-commands.service';
import { ProposeInitiativeDto } from './propose-initiative.dto';

export class ProposeInitiativeCommand extends Command<CommandResponse> {
  constructor(
    readonly initiativeId: string,
    readonly proposal: ProposeInitiativeDto,
    readonly request: CommandRequest,
  ) {
    super();
  }
}
