import { hs256Verifier, jwksVerifier, TokenVerifier } from '@accord/auth';
import { AccordConfig, resolveJwtSecret } from '@accord/config';
import { Parties } from '@accord/domain';
import { EventStore } from '@accord/event-store';
import { ReadStore } from '@accord/read-model';
import {
  AccordMetrics,
  initiativeCommandHandler,
  InitiativeCommandHandler,
  openEventStore,
  openReadStore,
  startWorkers,
  Workers,
} from '@accord/runtime';
import type { Logger } from 'pino';
import { Clock } from './tokens';

/** Everything the process builds from its configuration, outside Nest so that it is closed in order. */
export interface Infrastructure {
  config: AccordConfig;
  parties: Parties;
  eventStore: EventStore;
  readStore: ReadStore;
  verifier: TokenVerifier;
  commandHandler: InitiativeCommandHandler;
  metrics: AccordMetrics;
  workers: Workers;
  clock: Clock;
  close(): Promise<void>;
}

export function tokenVerifier(config: AccordConfig): TokenVerifier {
  const audience = { issuer: config.jwt.issuer, audience: config.jwt.audience };
  return config.jwt.kind === 'jwks'
    ? jwksVerifier(config.jwt.jwksUrl, audience, config.parties)
    : hs256Verifier(resolveJwtSecret(config).secret, audience, config.parties);
}

export async function openInfrastructure(
  config: AccordConfig,
  logger: Logger,
  overrides: { eventStore?: EventStore } = {},
): Promise<Infrastructure> {
  const eventStore = overrides.eventStore ?? openEventStore(config);
  const readStore = await openReadStore(config);
  const commandHandler = initiativeCommandHandler(eventStore, config.parties);
  const metrics = new AccordMetrics();
  const workers = startWorkers({ config, eventStore, readStore, commandHandler, logger, metrics });
  return {
    config,
    parties: config.parties,
    eventStore,
    readStore,
    verifier: tokenVerifier(config),
    commandHandler,
    metrics,
    workers,
    clock: () => new Date(),
    close: async () => {
      await workers.stop();
      await readStore.close();
      await eventStore.close();
    },
  };
}

export type { InitiativeCommandHandler };
