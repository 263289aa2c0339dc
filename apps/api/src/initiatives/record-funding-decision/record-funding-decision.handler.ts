import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { InitiativeCommands } from '../shared/initiative-commands.service';
import { commandMetadata } from '../shared/command-mapping';
import { RecordFundingDecisionCommand } from './record-funding-decision.command';

@CommandHandler(RecordFundingDecisionCommand)
export class RecordFundingDecisionHandler implements ICommandHandler<RecordFundingDecisionCommand> {
  constructor(private readonly initiatives: InitiativeCommands) {}

  execute({ initiativeId, body, request }: RecordFundingDecisionCommand) {
    return this.initiatives.execute(
      initiativeId,
      {
        type: 'RecordFundingDecision',
        data: {
          initiativeId,
          decision: body.decision,
          amount: body.amount ?? null,
          currency: body.currency ?? null,
          fundingBody: body.fundingBody,
          conditions: body.conditions ?? null,
        },
        metadata: commandMetadata(request),
      },
      request,
    );
  }
}
