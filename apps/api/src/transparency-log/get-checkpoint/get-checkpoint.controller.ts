import { QueryBus } from '@nestjs/cqrs';
import { LogController, LogTextRoute } from '../shared/log-slice';
import { GetCheckpointQuery } from './get-checkpoint.query';

@LogController()
export class GetCheckpointController {
  constructor(private readonly queryBus: QueryBus) {}

  @LogTextRoute(
    'checkpoint',
    'The latest checkpoint, signed by the log and cosigned by the witnesses so far',
    'A C2SP signed note of a tlog-checkpoint: origin, tree size, base64 root hash, a blank line, the signature lines',
    ['not-found'],
  )
  checkpoint(): Promise<string> {
    return this.queryBus.execute(new GetCheckpointQuery());
  }
}
