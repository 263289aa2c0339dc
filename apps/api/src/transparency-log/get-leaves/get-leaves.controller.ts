import { Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ProblemException } from '../../http/problem';
import { LogController, LogRoute } from '../shared/log-slice';
import { LeavesDto, LeavesQueryDto, MAX_LEAVES } from './get-leaves.dto';
import { GetLeavesQuery } from './get-leaves.query';

@LogController()
export class GetLeavesController {
  constructor(private readonly queryBus: QueryBus) {}

  @LogRoute('leaves', 'Leaves of the log: which event each is, and its hash (never its content)', LeavesDto, [
    'validation-failed',
  ])
  leaves(@Query() query: LeavesQueryDto): Promise<LeavesDto> {
    const start = Number(query.start);
    const end = query.end === undefined ? start + MAX_LEAVES : Number(query.end);
    if (end < start || end - start > MAX_LEAVES)
      throw new ProblemException(
        'validation-failed',
        `Ask for 0 to ${MAX_LEAVES} leaves: start ≤ end ≤ start + ${MAX_LEAVES}`,
        [{ field: 'end', message: `must be from start to start + ${MAX_LEAVES}` }],
      );
    return this.queryBus.execute(new GetLeavesQuery(start, end));
  }
}
