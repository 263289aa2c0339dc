import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { keyAlgorithm, Parties, PartiesEntry, PartyKey } from '@accord/domain';
import { thumbprint } from '@accord/trust';
import { ApiProblems } from '../http/openapi';
import { PARTIES } from '../infrastructure/tokens';
import { OpenToWitnesses } from '../http/public.decorator';

class PartyKeyDto {
  @ApiProperty({ example: 'kaz-2026', description: 'Unique within the party' }) kid!: string;
  @ApiProperty({ enum: ['OKP', 'EC'] }) kty!: string;
  @ApiProperty({ enum: ['Ed25519', 'P-256'] }) crv!: string;
  @ApiProperty({ enum: ['EdDSA', 'ES256'], description: 'The algorithm the key signs with' }) alg!: string;
  @ApiProperty({ description: 'base64url', example: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' })
  x!: string;
  @ApiPropertyOptional({ description: 'base64url, P-256 keys only' }) y?: string;
  @ApiPropertyOptional({ enum: ['sig'] }) use?: string;
  @ApiPropertyOptional({ description: 'RFC 3339: the key signs nothing dated before' }) notBefore?: string;
  @ApiPropertyOptional({ description: 'RFC 3339: the key signs nothing dated after' }) notAfter?: string;
  @ApiProperty({
    description: 'RFC 7638 JWK thumbprint: base64url of the SHA-256 of the canonical public key',
    example: 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k',
  })
  thumbprint!: string;
}

class PartyDto {
  @ApiProperty({
    example: 'KAZ',
    description: 'A state: ISO 3166-1 alpha-3; a body: secretariat or fund-board',
  })
  code!: string;
  @ApiProperty({ example: 'Kazakhstan' }) name!: string;
  @ApiProperty({ enum: ['member', 'observer', 'body'] }) role!: string;
  @ApiProperty({
    type: [PartyKeyDto],
    description: "Public keys that sign the party's commands (docs/trust.md §1); empty when it signs none",
  })
  keys!: PartyKeyDto[];
  @ApiProperty({
    type: [String],
    description:
      "C2SP vkeys of the state's transparency-log witnesses; always empty for an observer or a body",
    example: ['witness.kaz.example+a1b2c3d4+BAcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcH'],
  })
  witnessKeys!: string[];
}

class PartiesDto {
  @ApiProperty({
    type: [PartyDto],
    description: "The parties file's entries in its order: states, then any bodies",
  })
  parties!: PartyDto[];
}

@ApiTags('queries')
@OpenToWitnesses()
@Controller('v1/parties')
export class GetPartiesController {
  private readonly answer: PartiesDto;

  constructor(@Inject(PARTIES) parties: Parties) {
    this.answer = { parties: parties.entries.map(partyDto) };
  }

  @Get()
  @ApiOperation({
    summary: 'The states (members and observers) and bodies of the organisation, with their keys',
  })
  @ApiOkResponse({ type: PartiesDto })
  @ApiProblems()
  list(): PartiesDto {
    return this.answer;
  }
}

function partyDto(entry: PartiesEntry): PartyDto {
  return {
    code: entry.code,
    name: entry.name,
    role: entry.role,
    keys: (entry.keys ?? []).map(keyDto),
    witnessKeys: entry.role === 'body' ? [] : [...(entry.witnessKeys ?? [])],
  };
}

function keyDto(key: PartyKey): PartyKeyDto {
  const { kid, kty, crv, x, use, notBefore, notAfter } = key;
  return {
    kid,
    kty,
    crv,
    alg: keyAlgorithm(key),
    x,
    ...(key.kty === 'EC' && { y: key.y }),
    ...(use !== undefined && { use }),
    ...(notBefore !== undefined && { notBefore }),
    ...(notAfter !== undefined && { notAfter }),
    thumbprint: thumbprint(key),
  };
}
