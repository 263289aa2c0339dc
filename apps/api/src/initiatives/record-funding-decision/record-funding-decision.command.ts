import { CommandHandler } from '@nestjs/cqrs';
import { InitiativeRequest, InitiativeRequestHandler, UnboundCommand } from '../shared/command-slice';
import { RecordFundingDecisionDto } from './record-funding-decision.dto';

export class RecordFundingDecisionCommand extends InitiativeRequest<RecordFundingDecisionDto> {}

@CommandHandler(RecordFundingDecisionCommand)
export class RecordFundingDecisionHandler extends InitiativeRequestHandler<RecordFundingDecisionCommand> {
  protected toDomain({ initiativeId, body }: RecordFundingDecisionCommand): UnboundCommand {
    const { decision, amount, currency, fundingBody, conditions } = body;
    return {
      type: 'RecordFundingDecision',
      data: {
        initiativeId,
        decision,
        amount: amount ?? null,
        currency: currency ?? null,
        fundingBody,
        conditions: conditions ?? null,
      },
    };
  }
}
