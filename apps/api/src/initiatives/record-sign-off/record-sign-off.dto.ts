import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { SIGN_OFF_DECISIONS, SignOffDecision } from '@accord/domain';
import { ProposalHash, ProposalVersion, SignedBody, StateCode, Text } from '../shared/fields';

export class RecordSignOffDto extends SignedBody {
  @StateCode("The signing member state: the focal point's own")
  state!: string;

  @IsIn(SIGN_OFF_DECISIONS)
  @ApiProperty({ enum: SIGN_OFF_DECISIONS })
  decision!: SignOffDecision;

  @ProposalVersion()
  proposalVersion!: number;

  @Text(1, 2000, 'Comment', false)
  comment?: string;

  @ProposalHash()
  proposalHash?: string;
}
