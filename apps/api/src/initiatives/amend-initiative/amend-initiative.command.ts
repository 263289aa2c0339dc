import { CommandHandler } from '@nestjs/cqrs';
import { ProposalChanges } from '@accord/domain';
import { InitiativeRequest, InitiativeRequestHandler, UnboundCommand } from '../shared/command-slice';
import { approvalRuleOf, canonicalInstant, moneyOf } from '../shared/command-mapping';
import { AmendInitiativeDto } from './amend-initiative.dto';

export class AmendInitiativeCommand extends InitiativeRequest<AmendInitiativeDto> {}

@CommandHandler(AmendInitiativeCommand)
export class AmendInitiativeHandler extends InitiativeRequestHandler<AmendInitiativeCommand> {
  protected toDomain({ initiativeId, body }: AmendInitiativeCommand): UnboundCommand {
    return {
      type: 'AmendInitiative',
      data: { initiativeId, proposalVersion: body.proposalVersion, changes: proposalChangesOf(body) },
    };
  }
}

/** The fields the amendment names, as the domain's changes. */
function proposalChangesOf(body: AmendInitiativeDto): ProposalChanges {
  const changes: ProposalChanges = {};
  if (body.title !== undefined) changes.title = body.title;
  if (body.summary !== undefined) changes.summary = body.summary;
  if (body.category !== undefined) changes.category = body.category;
  if (body.participatingStates !== undefined) changes.participatingStates = body.participatingStates;
  if (body.approvalRule !== undefined) changes.approvalRule = approvalRuleOf(body.approvalRule);
  if (body.signOffDeadline !== undefined) changes.signOffDeadline = canonicalInstant(body.signOffDeadline);
  if (body.requestedFunding !== undefined) changes.requestedFunding = moneyOf(body.requestedFunding);
  return changes;
}
