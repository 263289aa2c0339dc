import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Parties } from '@accord/domain';
import { ApiProblems } from '../http/openapi';
import { PARTIES } from '../infrastructure/tokens';

class PartyDto {
  @ApiProperty({ example: 'KAZ', description: 'ISO 3166-1 alpha-3' }) code!: string;
  @ApiProperty({ example: 'Kazakhstan' }) name!: string;
  @ApiProperty({ enum: ['member', 'observer'] }) role!: string;
}

class PartiesDto {
  @ApiProperty({ type: [PartyDto] }) parties!: PartyDto[];
}

@ApiTags('queries')
@Controller('v1/parties')
export class GetPartiesController {
  constructor(@Inject(PARTIES) private readonly parties: Parties) {}

  @Get()
  @ApiOperation({ summary: 'The states of the organisation: members and observers' })
  @ApiOkResponse({ type: PartiesDto })
  @ApiProblems()
  list(): PartiesDto {
    return { parties: [...this.parties.all] };
  }
}
