import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { InitiativeCommands } from '../shared/initiative-commands.service';
import { commandMetadata } from '../shared/command-mapping';
import { proposalChangesOf } from './amend-initiative.dto';
import { AmendInitiativeCommand } from './amend-initiative.command';

@CommandHandler(AmendInitiativeCommand)
export class AmendInitiativeHandler implements ICommandHandler<AmendInitiativeCommand> {
  constructor(private readonly initiatives: InitiativeCommands) {}

  execute({ initiativeId, body, request }: AmendInitiativeCommand) {
    return this.initiatives.execute(
      initiativeId,
      {
        type: 'AmendInitiative',
        data: { initiativeId, proposalVersion: body.proposalVersion, changes: proposalChangesOf(body) },
        metadata: commandMetadata(request),
      },
      request,
    );
  }
}
