import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { TransparencyLog } from '../shared/transparency-log';
import { LeavesDto } from './get-leaves.dto';

export class GetLeavesQuery extends Query<LeavesDto> {
  constructor(
    readonly start: number,
    readonly end: number,
  ) {
    super();
  }
}

@QueryHandler(GetLeavesQuery)
export class GetLeavesHandler implements IQueryHandler<GetLeavesQuery> {
  constructor(private readonly log: TransparencyLog) {}

  async execute({ start, end }: GetLeavesQuery): Promise<LeavesDto> {
    return { leaves: await this.log.queries.leaves(start, end) };
  }
}
