import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { TransparencyLog } from '../shared/transparency-log';
import { ConsistencyProofDto } from './get-consistency-proof.dto';

export class GetConsistencyProofQuery extends Query<ConsistencyProofDto> {
  constructor(
    readonly from: number,
    readonly to: number,
  ) {
    super();
  }
}

@QueryHandler(GetConsistencyProofQuery)
export class GetConsistencyProofHandler implements IQueryHandler<GetConsistencyProofQuery> {
  constructor(private readonly log: TransparencyLog) {}

  async execute({ from, to }: GetConsistencyProofQuery): Promise<ConsistencyProofDto> {
    await this.log.requireTreeSize(to);
    const hashes = await this.log.queries.consistencyProof(from, to);
    return { from, to, hashes: hashes.map((hash) => hash.toString('base64')) };
  }
}
