import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { hs256Verifier, jwksVerifier, TokenVerifier } from '@accord/auth';
import { AccordConfig, resolveJwtSecret } from '@accord/config';
import {
  assertNever,
  initiativeDecider,
  InitiativeCommand,
  InitiativeEvent,
  InitiativeState,
  Parties,
} from '@accord/domain';
import { CommandHandler, EventStore, SqliteEventStore } from '@accord/event-store';
import { Clock } from './tokens';

export type InitiativeCommandHandler = CommandHandler<InitiativeCommand, InitiativeEvent, InitiativeState>;

/** Everything a process builds from its configuration, outside Nest so that it can be closed in order. */
export interface Infrastructure {
  config: AccordConfig;
  parties: Parties;
  eventStore: EventStore;
  verifier: TokenVerifier;
  commandHandler: InitiativeCommandHandler;
  clock: Clock;
  close(): Promise<void>;
}

export function openEventStore(config: AccordConfig): EventStore {
  switch (config.eventStore.kind) {
    case 'sqlite':
      return new SqliteEventStore(join(config.dataDir, 'events.db'));
    case 'eventstoredb':
      throw new Error('The EventStoreDB adapter is not wired yet');
    default:
      return assertNever(config.eventStore);
  }
}

export function tokenVerifier(config: AccordConfig): TokenVerifier {
  const audience = { issuer: config.jwt.issuer, audience: config.jwt.audience };
  return config.jwt.kind === 'jwks'
    ? jwksVerifier(config.jwt.jwksUrl, audience, config.parties)
    : hs256Verifier(resolveJwtSecret(config).secret, audience, config.parties);
}

export function openInfrastructure(
  config: AccordConfig,
  overrides: { clock?: Clock; eventStore?: EventStore } = {},
): Infrastructure {
  const eventStore = overrides.eventStore ?? openEventStore(config);
  const commandHandler: InitiativeCommandHandler = new CommandHandler(
    eventStore,
    initiativeDecider(config.parties),
    {
      newEventId: randomUUID,
    },
  );
  return {
    config,
    parties: config.parties,
    eventStore,
    verifier: tokenVerifier(config),
    commandHandler,
    clock: overrides.clock ?? (() => new Date()),
    close: () => eventStore.close(),
  };
}
