import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { InitiativeCommands } from '../shared/initiative-commands.service';
import { approvalRuleOf, canonicalInstant, commandMetadata } from '../shared/command-mapping';
import { ProposeInitiativeCommand } from './propose-initiative.command';

@CommandHandler(ProposeInitiativeCommand)
export class ProposeInitiativeHandler implements ICommandHandler<ProposeInitiativeCommand> {
  constructor(private readonly initiatives: InitiativeCommands) {}

  execute({ initiativeId, proposal, request }: ProposeInitiativeCommand) {
    return this.initiatives.execute(
      initiativeId,
      {
        type: 'ProposeInitiative',
        data: {
          initiativeId,
          title: proposal.title,
          summary: proposal.summary,
          category: proposal.category,
          proposingState: proposal.proposingState,
          participatingStates: proposal.participatingStates,
          approvalRule: approvalRuleOf(proposal.approvalRule),
          signOffDeadline: canonicalInstant(proposal.signOffDeadline),
          requestedFunding: proposal.requestedFunding
            ? { amount: proposal.requestedFunding.amount, currency: proposal.requestedFunding.currency }
            : null,
        },
        metadata: commandMetadata(request),
      },
      request,
    );
  }
}
