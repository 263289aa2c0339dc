import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { ProblemException } from '../../http/problem';
import { TransparencyLog } from '../shared/transparency-log';

export class GetCheckpointQuery extends Query<string> {}

@QueryHandler(GetCheckpointQuery)
export class GetCheckpointHandler implements IQueryHandler<GetCheckpointQuery> {
  constructor(private readonly log: TransparencyLog) {}

  async execute(): Promise<string> {
    const latest = await this.log.latestCheckpoint();
    if (latest === null) throw new ProblemException('not-found', 'The log has signed no checkpoint yet');
    return latest.cosigned;
  }
}
