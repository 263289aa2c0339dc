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
  RequestedFunding,
  StateCode,
  Text,
} from '../shared/fields';

export class ProposeInitiativeDto {
  @IsOmittable()
  @LowerCase()
  @IsUUID()
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Chosen by the client, or by the server when left out; read in lower case',
  })
  initiativeId?: string;

  @Text(3, 200, 'Title')
  title!: string;

  @Text(1, 5000, 'Summary')
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
