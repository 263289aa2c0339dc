import { Command } from '@nestjs/cqrs';
import { CommandRequest } from '../../http/request-context';
import { CommandResponse } from '../shared/initiative-commands.service';
import { AmendInitiativeDto } from './amend-initiative.dto';

export class AmendInitiativeCommand extends Command<CommandResponse> {
  constructor(
    readonly initiativeId: string,
    readonly body: AmendInitiativeDto,
    readonly request: CommandRequest,
  ) {
    super();
  }
}
