import { Controller } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { Principal } from '@accord/auth';
import { CATEGORIES, STATUSES } from '@accord/domain';
import { CurrentPrincipal } from '../../http/request-context';
import { QueryRoute } from '../shared/query-slice';
import { GetPortfolioQuery } from './get-portfolio.query';

class PortfolioCountDto {
  @ApiProperty({ enum: STATUSES, enumName: 'InitiativeStatus' }) status!: string;
  @ApiProperty({ enum: CATEGORIES, enumName: 'Category' }) category!: string;
  @ApiProperty({ type: 'integer', minimum: 1 }) initiatives!: number;
}

class PortfolioDto {
  @ApiProperty({ type: [PortfolioCountDto] }) counts!: PortfolioCountDto[];
}

@ApiTags('queries')
@Controller('v1/portfolio')
export class GetPortfolioController {
  constructor(private readonly queryBus: QueryBus) {}

  @QueryRoute('', {
    summary: 'How many initiatives stand in each status, per category (secretariat, fund board, auditors)',
    answer: PortfolioDto,
    problems: ['forbidden'],
  })
  portfolio(@CurrentPrincipal() principal: Principal) {
    return this.queryBus.execute(new GetPortfolioQuery(principal));
  }
}
