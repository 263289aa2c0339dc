import { QueryBus } from '@nestjs/cqrs';
import { LogController, LogTextRoute } from '../shared/log-slice';
import { GetLogKeyQuery } from './get-log-key.query';

@LogController()
export class GetLogKeyController {
  constructor(private readonly queryBus: QueryBus) {}

  @LogTextRoute(
    'key',
    "The log's verifier key",
    'A C2SP vkey: `<name>+<hex key ID>+<base64 of 0x01 and the Ed25519 public key>`',
    [],
  )
  key(): Promise<string> {
    return this.queryBus.execute(new GetLogKeyQuery());
  }
}
