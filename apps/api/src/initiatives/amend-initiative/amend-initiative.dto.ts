import { Category as CategoryName } from '@accord/domain';
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
