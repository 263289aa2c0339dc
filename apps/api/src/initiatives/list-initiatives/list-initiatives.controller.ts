import { Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiProperty } from '@nestjs/swagger';
import { Principal } from '@accord/auth';
import { CurrentPrincipal } from '../../http/request-context';
import { QueryController, QueryRoute } from '../shared/query-slice';
import { InitiativeSummaryDto } from '../shared/responses';
import { ListInitiativesDto } from './list-initiatives.dto';
import { ListInitiativesQuery } from './list-initiatives.query';

class InitiativePageDto {
  @ApiProperty({ type: [InitiativeSummaryDto] }) items!: InitiativeSummaryDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

@QueryController()
export class ListInitiativesController {
  constructor(private readonly queryBus: QueryBus) {}

  @QueryRoute('', {
    summary: 'Initiatives, newest first; a focal point sees only those its country takes part in',
    answer: InitiativePageDto,
    problems: ['validation-failed'],
  })
  list(@Query() { limit, ...criteria }: ListInitiativesDto, @CurrentPrincipal() principal: Principal) {
    return this.queryBus.execute(
      new ListInitiativesQuery(principal, { ...criteria, limit: limit ? Number(limit) : 50 }),
    );
  }
}
