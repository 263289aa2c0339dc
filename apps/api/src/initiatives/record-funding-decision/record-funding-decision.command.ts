import { Command } from '@nestjs/cqrs';
import { CommandRequest } from '../../http/request-context';
import { CommandResponse } from '../shared/initiative-commands.service';
import { RecordFundingDecisionDto } from './record-funding-decision.dto';

export class RecordFundingDecisionCommand extends Command<CommandResponse> {
  constructor(
    readonly initiativeId: string,
    readonly body: RecordFundingDecisionDto,
    readonly request: CommandRequest,
  ) {
    super();
  }
}
