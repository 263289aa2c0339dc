import { Category as CategoryName } from '@accord/domain';
import {
  ApprovalRule,
  ApprovalRuleDto,
  Category,
  Deadline,
  MoneyDto,
  ParticipatingStates,
  ProposalText,
  ProposalVersion,
  RequestedFunding,
  SignedBody,
} from '../shared/fields';

export class AmendInitiativeDto extends SignedBody {
  @ProposalVersion()
  proposalVersion!: number;

  @ProposalText('title', 'Title', false)
  title?: string;

  @ProposalText('summary', 'Summary', false)
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
