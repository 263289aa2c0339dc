import { Category as CategoryName, ProposalChanges } from '@accord/domain';
import {
  ApprovalRule,
  ApprovalRuleDto,
  Category,
  Deadline,
  MoneyDto,
  ParticipatingStates,
  ProposalVersion,
  RequestedFunding,
  Text,
} from '../shared/fields';
import { approvalRuleOf, canonicalInstant } from '../shared/command-mapping';

export class AmendInitiativeDto {
  @ProposalVersion()
  proposalVersion!: number;

  @Text(3, 200, 'Title', false)
  title?: string;

  @Text(1, 5000, 'Summary', false)
  summary?: string;

  @Category(false)
  category?: CategoryName;

  @ParticipatingStates(false)
  participatingStates?: string[];

  @ApprovalRule(false)
  approvalRule?: ApprovalRuleDto;

  @Deadline(false)
  signOffDeadline?: string;

  /** null removes the requested funding. */
  @RequestedFunding(true)
  requestedFunding?: MoneyDto | null;
}

/** The fields the amendment names, as the domain's changes. */
export function proposalChangesOf(body: AmendInitiativeDto): ProposalChanges {
  const changes: ProposalChanges = {};
  if (body.title !== undefined) changes.title = body.title;
  if (body.summary !== undefined) changes.summary = body.summary;
  if (body.category !== undefined) changes.category = body.category;
  if (body.participatingStates !== undefined) changes.participatingStates = body.participatingStates;
  if (body.approvalRule !== undefined) changes.approvalRule = approvalRuleOf(body.approvalRule);
  if (body.signOffDeadline !== undefined) changes.signOffDeadline = canonicalInstant(body.signOffDeadline);
  if (body.requestedFunding !== undefined)
    changes.requestedFunding = body.requestedFunding && {
      amount: body.requestedFunding.amount,
      currency: body.requestedFunding.currency,
    };
  return changes;
}
