import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { TransparencyLog } from '../shared/transparency-log';

export class GetLogKeyQuery extends Query<string> {}

@QueryHandler(GetLogKeyQuery)
export class GetLogKeyHandler implements IQueryHandler<GetLogKeyQuery> {
  constructor(private readonly log: TransparencyLog) {}

  async execute(): Promise<string> {
    return `${this.log.keys.publicKey}\n`;
  }
}
