import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { InitiativeCommands } from '../shared/initiative-commands.service';
import { commandMetadata } from '../shared/command-mapping';
import { RequestChangesCommand } from './request-changes.command';

@CommandHandler(RequestChangesCommand)
export class RequestChangesHandler implements ICommandHandler<RequestChangesCommand> {
  constructor(private readonly initiatives: InitiativeCommands) {}

  execute({ initiativeId, body, request }: RequestChangesCommand) {
    return this.initiatives.execute(
      initiativeId,
      {
        type: 'RequestChanges',
        data: {
          initiativeId,
          state: body.state,
          proposalVersion: body.proposalVersion,
          comment: body.comment,
        },
        metadata: commandMetadata(request),
      },
      request,
    );
  }
}
