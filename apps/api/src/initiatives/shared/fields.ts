import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsISO4217CurrencyCode,
  IsISO8601,
  IsObject,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
  ValidatorConstraint,
  ValidatorConstraintInterface,
  Validate,
  ValidationArguments,
  ValidateIf,
} from 'class-validator';
import { AMOUNT, CATEGORIES, ISO_INSTANT, STATE_CODE, TEXT_LENGTHS } from '@accord/domain';
import { IsOmittable } from '../../http/validation';

const optional = (required: boolean) => (required ? [] : [IsOmittable()]);
const property = (required: boolean, options: Parameters<typeof ApiProperty>[0]) =>
  required ? ApiProperty(options) : ApiPropertyOptional(options);

export const StateCode = (description: string, required = true) =>
  applyDecorators(
    ...optional(required),
    IsString(),
    Matches(STATE_CODE, { message: 'must be an ISO 3166-1 alpha-3 code' }),
    property(required, { type: String, pattern: STATE_CODE.source, example: 'KAZ', description }),
  );

export const ProposalVersion = () =>
  applyDecorators(
    IsInt(),
    Min(1),
    Max(1_000_000),
    ApiProperty({
      type: 'integer',
      minimum: 1,
      maximum: 1_000_000,
      description: 'The proposal version this refers to',
    }),
  );

/** A proposal's title or summary, bounded as the domain bounds it. */
export const ProposalText = (field: keyof typeof TEXT_LENGTHS, description: string, required = true) =>
  Text(TEXT_LENGTHS[field].min, TEXT_LENGTHS[field].max, description, required);

export const Text = (min: number, max: number, description: string, required = true) =>
  applyDecorators(
    ...optional(required),
    IsString(),
    Length(min, max),
    property(required, { type: String, minLength: min, maxLength: max, description }),
  );

export const Category = (required = true) =>
  applyDecorators(
    ...optional(required),
    IsIn(CATEGORIES),
    property(required, { enum: CATEGORIES, enumName: 'Category' }),
  );

export const ParticipatingStates = (required = true) =>
  applyDecorators(
    ...optional(required),
    IsArray(),
    ArrayMinSize(2),
    ArrayMaxSize(100),
    ArrayUnique(),
    IsString({ each: true }),
    Matches(STATE_CODE, { each: true, message: 'each must be an ISO 3166-1 alpha-3 code' }),
    property(required, {
      type: [String],
      minItems: 2,
      maxItems: 100,
      uniqueItems: true,
      example: ['AZE', 'KAZ', 'KGZ', 'TUR', 'UZB'],
      description: 'Member states taking part, the proposing state included',
    }),
  );

export const Deadline = (required = true) =>
  applyDecorators(
    ...optional(required),
    IsString(),
    IsISO8601({ strict: true, strictSeparator: true }),
    Matches(ISO_INSTANT, { message: 'must be an ISO 8601 instant with a time zone' }),
    property(required, {
      type: String,
      format: 'date-time',
      pattern: ISO_INSTANT.source,
      description: 'Sign-off deadline: an instant strictly in the future',
    }),
  );

@ValidatorConstraint({ name: 'quorumOnly' })
class QuorumOnly implements ValidatorConstraintInterface {
  validate(value: unknown, { object }: ValidationArguments): boolean {
    const kind = (object as ApprovalRuleDto).kind;
    return kind === 'quorum' ? Number.isInteger(value) : value === undefined;
  }
  defaultMessage({ object }: ValidationArguments): string {
    return (object as ApprovalRuleDto).kind === 'quorum'
      ? 'is required for a quorum: an integer of at least 2'
      : 'is only allowed for a quorum';
  }
}

export class ApprovalRuleDto {
  @IsIn(['unanimity', 'quorum'])
  @ApiProperty({ enum: ['unanimity', 'quorum'] })
  kind!: 'unanimity' | 'quorum';

  @Validate(QuorumOnly)
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 2,
    maximum: 100,
    description: 'Approvals needed, for a quorum only: from 2 to the number of participating states',
  })
  minApprovals?: number;
}

export const ApprovalRule = (required = true) =>
  applyDecorators(
    ...optional(required),
    IsObject(),
    ValidateNested(),
    Type(() => ApprovalRuleDto),
    property(required, { type: ApprovalRuleDto }),
  );

export class MoneyDto {
  @IsString()
  @Matches(AMOUNT, {
    message: 'must be a positive decimal string with at most 2 fraction digits',
  })
  @ApiProperty({
    type: String,
    pattern: AMOUNT.source,
    example: '1500000.00',
    description: 'A decimal string, never a number',
  })
  amount!: string;

  @IsString()
  @IsISO4217CurrencyCode()
  @ApiProperty({ type: String, pattern: '^[A-Z]{3}$', example: 'USD', description: 'ISO 4217' })
  currency!: string;
}

export const RequestedFunding = (nullable: boolean) =>
  applyDecorators(
    // An amendment removes the requested funding with null; a proposal simply leaves it out.
    nullable ? ValidateIf((_, value) => value !== undefined && value !== null) : IsOmittable(),
    IsObject(),
    ValidateNested(),
    Type(() => MoneyDto),
    // `nullable: false` is the default: written out, it is a nullable without a type (OpenAPI 3.0 frowns on it).
    ApiPropertyOptional({ type: MoneyDto, ...(nullable ? { nullable: true } : {}) }),
  );

/** A stream revision in a query string: digits only, so no number parsing surprises ("1e3", " 7", "0x10"). */
export const RevisionQuery = (description: string) =>
  applyDecorators(
    IsOmittable(),
    IsString(),
    Matches(/^\d{1,9}$/, { message: 'must be a stream revision (0 or more)' }),
    ApiPropertyOptional({ type: 'integer', minimum: 0, description }),
  );

/** JWS compact serialisation: three base64url parts (RFC 7515, section 7.1). */
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Every command body may carry its party's signature (docs/trust.md, "Signed commands"). */
export class SignedBody {
  @IsOmittable()
  @IsString()
  @Length(1, 16_384)
  @Matches(JWS_COMPACT, { message: 'must be a JWS in compact serialisation' })
  @ApiPropertyOptional({
    type: String,
    pattern: JWS_COMPACT.source,
    description:
      'JWS (compact) of the statement {command, initiativeId, party, iat, body}, body being this request body ' +
      'without signature; required from a party that has keys (docs/trust.md)',
  })
  signature?: string;
}

/** The hash of the proposal text a state decides on, as GET /v1/initiatives/{id} serves it; required when signed. */
export const ProposalHash = () =>
  applyDecorators(
    IsOmittable(),
    IsString(),
    Matches(/^[0-9a-f]{64}$/, { message: 'must be a lower-case hex SHA-256' }),
    ApiPropertyOptional({
      type: String,
      pattern: '^[0-9a-f]{64}$',
      description: 'proposalHash of the version decided on (GET /v1/initiatives/{id}); required when signed',
    }),
  );
