import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { InitiativeCommands } from '../shared/initiative-commands.service';
import { commandMetadata } from '../shared/command-mapping';
import { RecordSignOffCommand } from './record-sign-off.command';

@CommandHandler(RecordSignOffCommand)
export class RecordSignOffHandler implements ICommandHandler<RecordSignOffCommand> {
  constructor(private readonly initiatives: InitiativeCommands) {}

  execute({ initiativeId, body, request }: RecordSignOffCommand) {
    return this.initiatives.execute(
      initiativeId,
      {
        type: 'RecordNationalSignOff',
        data: {
          initiativeId,
          state: body.state,
          decision: body.decision,
          proposalVersion: body.proposalVersion,
          comment: body.comment ?? null,
        },
        metadata: commandMetadata(request),
      },
      request,
    );
  }
}
