import { Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ProblemException } from '../../http/problem';
import { LogController, LogRoute } from '../shared/log-slice';
import { ConsistencyProofDto, ConsistencyProofQueryDto } from './get-consistency-proof.dto';
import { GetConsistencyProofQuery } from './get-consistency-proof.query';

@LogController()
export class GetConsistencyProofController {
  constructor(private readonly queryBus: QueryBus) {}

  @LogRoute(
    'proof/consistency',
    'Proof that the tree of one size is a prefix of the tree of a larger one',
    ConsistencyProofDto,
    ['validation-failed', 'not-found'],
  )
  proof(@Query() query: ConsistencyProofQueryDto): Promise<ConsistencyProofDto> {
    const [from, to] = [Number(query.from), Number(query.to)];
    if (from < 1 || from > to)
      throw new ProblemException('validation-failed', 'A consistency proof needs 1 ≤ from ≤ to', [
        { field: 'from', message: 'must be at least 1 and at most to' },
      ]);
    return this.queryBus.execute(new GetConsistencyProofQuery(from, to));
  }
}
