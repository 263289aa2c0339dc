import { Command } from '@nestjs/cqrs';
import { CommandRequest } from '../../http/request-context';
import { CommandResponse } from '../shared/initiative-commands.service';
import { RequestChangesDto } from './request-changes.dto';

export class RequestChangesCommand extends Command<CommandResponse> {
  constructor(
    readonly initiativeId: string,
    readonly body: RequestChangesDto,
    readonly request: CommandRequest,
  ) {
    super();
  }
}
