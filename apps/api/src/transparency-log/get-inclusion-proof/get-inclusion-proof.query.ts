import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { ProblemException } from '../../http/problem';
import { TransparencyLog } from '../shared/transparency-log';
import { InclusionProofDto } from './get-inclusion-proof.dto';

export class GetInclusionProofQuery extends Query<InclusionProofDto> {
  constructor(
    readonly leaf: { leafIndex: number } | { eventId: string },
    /** null: the latest checkpoint's size. */
    readonly treeSize: number | null,
  ) {
    super();
  }
}

@QueryHandler(GetInclusionProofQuery)
export class GetInclusionProofHandler implements IQueryHandler<GetInclusionProofQuery> {
  constructor(private readonly log: TransparencyLog) {}

  async execute({ leaf, treeSize }: GetInclusionProofQuery): Promise<InclusionProofDto> {
    const leafIndex = 'leafIndex' in leaf ? leaf.leafIndex : await this.leafOfEvent(leaf.eventId);
    const size = treeSize ?? (await this.log.requireCheckpoint()).treeSize;
    await this.log.requireTreeSize(size);
    if (leafIndex >= size)
      throw new ProblemException(
        'validation-failed',
        `Leaf ${leafIndex} is not in a tree of ${size} leaves`,
        [{ field: 'leafIndex', message: 'must be below treeSize' }],
      );
    const hashes = await this.log.queries.inclusionProof(leafIndex, size);
    return { leafIndex, treeSize: size, hashes: hashes.map((hash) => hash.toString('base64')) };
  }

  private async leafOfEvent(eventId: string): Promise<number> {
    const leaf = await this.log.queries.leafOfEvent(eventId.toLowerCase());
    if (leaf === null) throw new ProblemException('not-found', `No leaf of the log is the event ${eventId}`);
    return leaf.leafIndex;
  }
}
