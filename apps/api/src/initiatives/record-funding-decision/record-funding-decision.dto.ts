import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO4217CurrencyCode, IsString, Matches } from 'class-validator';
import { AMOUNT, FUNDING_DECISIONS, FundingDecisionKind } from '@accord/domain';
import { IsOmittable } from '../../http/validation';
import { SignedBody, Text } from '../shared/fields';

export class RecordFundingDecisionDto extends SignedBody {
  @IsIn(FUNDING_DECISIONS)
  @ApiProperty({ enum: FUNDING_DECISIONS })
  decision!: FundingDecisionKind;

  @IsOmittable()
  @IsString()
  @Matches(AMOUNT, {
    message: 'must be a positive decimal string with at most 2 fraction digits',
  })
  @ApiPropertyOptional({
    type: String,
    pattern: AMOUNT.source,
    description:
      'Granted amount; may be left out of a full grant of the requested funding; never with declined',
  })
  amount?: string;

  @IsOmittable()
  @IsString()
  @IsISO4217CurrencyCode()
  @ApiPropertyOptional({ type: String, pattern: '^[A-Z]{3}$', description: 'ISO 4217, with the amount' })
  currency?: string;

  @Text(1, 200, 'The deciding funding body')
  fundingBody!: string;

  @Text(1, 2000, 'Conditions attached to the funding', false)
  conditions?: string;
}
