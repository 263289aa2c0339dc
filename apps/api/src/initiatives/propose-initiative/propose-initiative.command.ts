import { CommandHandler } from '@nestjs/cqrs';
import { InitiativeRequest, InitiativeRequestHandler, UnboundCommand } from '../shared/command-slice';
import { approvalRuleOf, canonicalInstant, moneyOf } from '../shared/command-mapping';
import { ProposeInitiativeDto } from './propose-initiative.dto';

export class ProposeInitiativeCommand extends InitiativeRequest<ProposeInitiativeDto> {}

@CommandHandler(ProposeInitiativeCommand)
export class ProposeInitiativeHandler extends InitiativeRequestHandler<ProposeInitiativeCommand> {
  protected toDomain({ initiativeId, body }: ProposeInitiativeCommand): UnboundCommand {
    return {
      type: 'ProposeInitiative',
      data: {
        initiativeId,
        title: body.title,
        summary: body.summary,
        category: body.category,
        proposingState: body.proposingState,
        participatingStates: body.participatingStates,
        approvalRule: approvalRuleOf(body.approvalRule),
        signOffDeadline: canonicalInstant(body.signOffDeadline),
        requestedFunding: moneyOf(body.requestedFunding ?? null),
      },
    };
  }
}
