import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { Category as CategoryName } from '@accord/domain';
import { IsOmittable, LowerCase } from '../../http/validation';
import {
  ApprovalRule,
  ApprovalRuleDto,
  Category,
  Deadline,
  MoneyDto,
  ParticipatingStates,
  ProposalText,
  RequestedFunding,
  SignedBody,
  StateCode,
} from '../shared/fields';

export class ProposeInitiativeDto extends SignedBody {
  @IsOmittable()
  @LowerCase()
  @IsUUID()
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Chosen by the client, or by the server when left out; read in lower case',
  })
  initiativeId?: string;

  @ProposalText('title', 'Title')
  title!: string;

  @ProposalText('summary', 'Summary')
  summary!: string;

  @Category()
  category!: CategoryName;

  @StateCode('The proposing member state: one of the participants')
  proposingState!: string;

  @ParticipatingStates()
  participatingStates!: string[];

  @ApprovalRule()
  approvalRule!: ApprovalRuleDto;

  @Deadline()
  signOffDeadline!: string;

  @RequestedFunding(false)
  requestedFunding?: MoneyDto;
}
