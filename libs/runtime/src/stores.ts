import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { AccordConfig } from '@accord/config';
import {
  assertNever,
  INITIATIVE_EVENT_SCHEMA,
  INITIATIVE_STREAM_PREFIX,
  LOG_STREAM_PREFIX,
  InitiativeCommand,
  initiativeDecider,
  InitiativeEvent,
  InitiativeState,
  Parties,
} from '@accord/domain';
import { proposalHash } from '@accord/trust';
import { DecisionHandler, EventStore, SqliteEventStore } from '@accord/event-store';
import { idleInTransactionTimeoutMs } from '@accord/lease';
import { ReadStore } from '@accord/read-model';

export type InitiativeDecisionHandler = DecisionHandler<InitiativeCommand, InitiativeEvent, InitiativeState>;

/** What the stores are opened from: plain data, so that the projector's thread gets it too. */
export type StoreConfig = Pick<AccordConfig, 'dataDir' | 'eventStore' | 'readStore' | 'lease'>;

/** The embedded event store's file. */
export function sqliteEventStoreFile(config: Pick<AccordConfig, 'dataDir'>): string {
  return join(config.dataDir, 'events.db');
}

export function openEventStore(config: StoreConfig): EventStore {
  switch (config.eventStore.kind) {
    case 'sqlite':
      return new SqliteEventStore(sqliteEventStoreFile(config));
    case 'eventstoredb':
      // The global log the projector and the relay follow: the initiative streams and the transparency log's.
      return loadEventStoreDb().openEventStoreDb(config.eventStore.connectionString, {
        streamPrefixes: [INITIATIVE_STREAM_PREFIX, LOG_STREAM_PREFIX],
      });
    default:
      return assertNever(config.eventStore);
  }
}

/** Opens the read store and brings its schema up to date; `sqlite`: the embedded read store's options. */
export async function openReadStore(
  config: StoreConfig,
  sqlite: Parameters<typeof ReadStore.sqlite>[2] = {},
): Promise<ReadStore> {
  const store =
    config.readStore.kind === 'postgres'
      ? ReadStore.postgres(config.readStore.databaseUrl, undefined, {
          // A paused projector's transaction must not outlive its lease (ADR 0007).
          idleInTransactionTimeoutMs:
            config.lease.kind === 'postgres' ? idleInTransactionTimeoutMs(config.lease.ttlMs) : undefined,
        })
      : ReadStore.sqlite(join(config.dataDir, 'read-model.db'), undefined, sqlite);
  await store.migrate();
  return store;
}

export function initiativeDecisionHandler(
  eventStore: EventStore,
  parties: Parties,
): InitiativeDecisionHandler {
  return new DecisionHandler(eventStore, initiativeDecider({ parties, proposalHash }), {
    newEventId: randomUUID,
    ...INITIATIVE_EVENT_SCHEMA,
  });
}

/** Loaded only when configured: the gRPC client stays out of the embedded default's start-up. */
function loadEventStoreDb(): typeof import('@accord/event-store/eventstoredb') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@accord/event-store/eventstoredb');
}
