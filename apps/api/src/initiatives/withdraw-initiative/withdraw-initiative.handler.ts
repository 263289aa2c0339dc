import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { InitiativeCommands } from '../shared/initiative-commands.service';
import { commandMetadata } from '../shared/command-mapping';
import { WithdrawInitiativeCommand } from './withdraw-initiative.command';

@CommandHandler(WithdrawInitiativeCommand)
export class WithdrawInitiativeHandler implements ICommandHandler<WithdrawInitiativeCommand> {
  constructor(private readonly initiatives: InitiativeCommands) {}

  execute({ initiativeId, body, request }: WithdrawInitiativeCommand) {
    return this.initiatives.execute(
      initiativeId,
      {
        type: 'WithdrawInitiative',
        data: { initiativeId, reason: body.reason },
        metadata: commandMetadata(request),
      },
      request,
    );
  }
}
