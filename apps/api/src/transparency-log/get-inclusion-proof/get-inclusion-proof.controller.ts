import { Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ProblemException } from '../../http/problem';
import { LogController, LogRoute } from '../shared/log-slice';
import { InclusionProofDto, InclusionProofQueryDto } from './get-inclusion-proof.dto';
import { GetInclusionProofQuery } from './get-inclusion-proof.query';

@LogController()
export class GetInclusionProofController {
  constructor(private readonly queryBus: QueryBus) {}

  @LogRoute('proof/inclusion', 'Proof that a leaf is in the tree of a size', InclusionProofDto, [
    'validation-failed',
    'not-found',
  ])
  proof(@Query() { leafIndex, eventId, treeSize }: InclusionProofQueryDto): Promise<InclusionProofDto> {
    if ((leafIndex === undefined) === (eventId === undefined))
      throw new ProblemException('validation-failed', 'Name exactly one of leafIndex and eventId', [
        { field: 'leafIndex', message: 'exactly one of leafIndex and eventId is required' },
      ]);
    const leaf = leafIndex === undefined ? { eventId: eventId as string } : { leafIndex: Number(leafIndex) };
    return this.queryBus.execute(
      new GetInclusionProofQuery(leaf, treeSize === undefined ? null : Number(treeSize)),
    );
  }
}
