import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Principal } from '@accord/auth';
import { ApiProblems } from '../../http/openapi';
import { CurrentPrincipal } from '../../http/request-context';
import { InitiativeSummaryDto } from '../shared/responses';
import { ListInitiativesDto } from './list-initiatives.dto';
import { ListInitiativesQuery } from './list-initiatives.query';

class InitiativePageDto {
  @ApiProperty({ type: [InitiativeSummaryDto] }) items!: InitiativeSummaryDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

@ApiTags('queries')
@Controller('v1/initiatives')
export class ListInitiativesController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get()
  @ApiOperation({
    summary: 'Initiatives, newest first; a focal point sees only those its country takes part in',
  })
  @ApiOkResponse({ type: InitiativePageDto })
  @ApiProblems('validation-failed')
  list(@Query() query: ListInitiativesDto, @CurrentPrincipal() principal: Principal) {
    const { limit, ...criteria } = query;
    return this.queryBus.execute(
      new ListInitiativesQuery(principal, { ...criteria, limit: limit ? Number(limit) : 50 }),
    );
  }
}
