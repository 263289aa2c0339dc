import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CATEGORIES, FUNDING_DECISIONS, ROLES, SIGN_OFF_DECISIONS, STATUSES } from '@accord/domain';
import { ApprovalRuleDto, MoneyDto } from './fields';

export class CommandResultDto {
  @ApiProperty({ format: 'uuid' }) initiativeId!: string;
  @ApiProperty({ type: 'integer', description: 'Stream revision (0-based) of the last event written' })
  revision!: number;
  @ApiProperty({ type: 'integer' }) proposalVersion!: number;
  @ApiProperty({ enum: STATUSES, enumName: 'InitiativeStatus' }) status!: string;
}

class SignOffDto {
  @ApiProperty() state!: string;
  @ApiProperty({ enum: SIGN_OFF_DECISIONS }) decision!: string;
  @ApiProperty({ type: 'integer' }) proposalVersion!: number;
  @ApiProperty({ type: String, nullable: true }) comment!: string | null;
  @ApiProperty({ format: 'date-time' }) decidedAt!: string;
  @ApiProperty() decidedBy!: string;
}

class ChangeRequestDto {
  @ApiProperty() state!: string;
  @ApiProperty({ type: 'integer' }) proposalVersion!: number;
  @ApiProperty() comment!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

class FundingDto {
  @ApiProperty({ enum: FUNDING_DECISIONS }) decision!: string;
  @ApiProperty({ type: String, nullable: true }) amount!: string | null;
  @ApiProperty({ type: String, nullable: true }) currency!: string | null;
  @ApiProperty() fundingBody!: string;
  @ApiProperty({ type: String, nullable: true }) conditions!: string | null;
  @ApiProperty({ format: 'date-time' }) decidedAt!: string;
  @ApiProperty() decidedBy!: string;
}

export class InitiativeSummaryDto {
  @ApiProperty({ format: 'uuid' }) initiativeId!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ enum: CATEGORIES, enumName: 'Category' }) category!: string;
  @ApiProperty() proposingState!: string;
  @ApiProperty({ type: [String] }) participatingStates!: string[];
  @ApiProperty({ enum: STATUSES, enumName: 'InitiativeStatus' }) status!: string;
  @ApiProperty({ type: 'integer' }) proposalVersion!: number;
  @ApiProperty({ type: [String], description: 'States whose sign-off of the current version is awaited' })
  pendingStates!: string[];
  @ApiProperty({ format: 'date-time' }) signOffDeadline!: string;
  @ApiPropertyOptional({ type: MoneyDto, nullable: true }) requestedFunding!: MoneyDto | null;
  @ApiProperty({ type: 'integer' }) revision!: number;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class InitiativeViewDto extends InitiativeSummaryDto {
  @ApiProperty() summary!: string;
  @ApiProperty({
    pattern: '^[0-9a-f]{64}$',
    description:
      'SHA-256 (hex) of the RFC 8785 JSON of the proposal text: what a signed sign-off or change request names',
  })
  proposalHash!: string;
  @ApiProperty({ type: ApprovalRuleDto }) approvalRule!: ApprovalRuleDto;
  @ApiProperty({ type: [SignOffDto], description: 'Sign-offs of the current proposal version' })
  signOffs!: SignOffDto[];
  @ApiProperty({ type: [ChangeRequestDto] }) changeRequests!: ChangeRequestDto[];
  @ApiPropertyOptional({ type: FundingDto, nullable: true }) funding!: FundingDto | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

class ActorDto {
  @ApiProperty() sub!: string;
  @ApiProperty({ enum: ROLES }) role!: string;
  @ApiProperty({ type: String, nullable: true }) country!: string | null;
}

class EventMetadataDto {
  @ApiProperty() correlationId!: string;
  @ApiProperty({ type: String, nullable: true }) causationId!: string | null;
  @ApiProperty({ type: 'integer' }) schemaVersion!: number;
  @ApiProperty({ type: String, nullable: true }) idempotencyKey!: string | null;
}

export class EventRecordDto {
  @ApiProperty({ type: 'integer' }) revision!: number;
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty() type!: string;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ type: ActorDto }) actor!: ActorDto;
  @ApiProperty({ type: 'object', additionalProperties: true }) data!: Record<string, unknown>;
  @ApiProperty({ type: EventMetadataDto }) metadata!: EventMetadataDto;
  @ApiProperty({ pattern: '^[0-9a-f]{64}$' }) prevHash!: string;
  @ApiProperty({ pattern: '^[0-9a-f]{64}$' }) hash!: string;
}

export class HistoryDto {
  @ApiProperty({ format: 'uuid' }) initiativeId!: string;
  @ApiProperty({ type: [EventRecordDto], description: 'Oldest first' }) events!: EventRecordDto[];
}

class RevisionCheckDto {
  @ApiProperty({ type: 'integer' }) revision!: number;
  @ApiProperty({ enum: ['ok', 'broken'], description: 'Its link in the hash chain' }) chain!: string;
  @ApiProperty({
    enum: ['valid', 'invalid', 'unsigned'],
    description: "Its signature, against the parties' keys and the event's data",
  })
  signature!: string;
  @ApiPropertyOptional({ description: 'Why the signature is invalid' }) reason?: string;
}

export class AuditReportDto {
  @ApiProperty({ format: 'uuid' }) initiativeId!: string;
  @ApiProperty({ type: 'integer' }) eventCount!: number;
  @ApiProperty({ pattern: '^[0-9a-f]{64}$' }) headHash!: string;
  @ApiProperty() verified!: boolean;
  @ApiProperty({ type: 'integer', nullable: true }) brokenAtRevision!: number | null;
  @ApiProperty({ type: [RevisionCheckDto] }) revisions!: RevisionCheckDto[];
}

class BundleKeysDto {
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: "Every party's public JWK at export, with its party and RFC 7638 thumbprint",
  })
  keys!: object[];
}

export class AuditBundleDto {
  @ApiProperty({ enum: ['accord-audit-bundle/1'] }) format!: string;
  @ApiProperty() streamId!: string;
  @ApiProperty({ format: 'uuid' }) initiativeId!: string;
  @ApiProperty({ format: 'date-time' }) exportedAt!: string;
  @ApiProperty({ type: 'integer' }) eventCount!: number;
  @ApiProperty({ pattern: '^[0-9a-f]{64}$' }) headHash!: string;
  @ApiProperty() hashAlgorithm!: string;
  @ApiProperty({ type: [EventRecordDto] }) events!: EventRecordDto[];
  @ApiProperty({
    type: BundleKeysDto,
    description: 'JWKS of the parties: what verifies the signed decisions',
  })
  keys!: BundleKeysDto;
}
