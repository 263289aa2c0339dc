import { Command } from '@nestjs/cqrs';
import { CommandRequest } from '../../http/request-context';
import { CommandResponse } from '../shared/initiative-commands.service';
import { RecordSignOffDto } from './record-sign-off.dto';

export class RecordSignOffCommand extends Command<CommandResponse> {
  constructor(
    readonly initiativeId: string,
    readonly body: RecordSignOffDto,
    readonly request: CommandRequest,
  ) {
    super();
  }
}
