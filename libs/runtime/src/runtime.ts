import type { Logger } from 'pino';
import { AccordConfig, LogKeys, resolveLogKeys } from '@accord/config';
import { EventStore } from '@accord/event-store';
import { ReadStore } from '@accord/read-model';
import { AccordMetrics } from './metrics';
import {
  initiativeDecisionHandler,
  InitiativeDecisionHandler,
  openEventStore,
  openReadStore,
} from './stores';
import { startWorkers, Workers } from './workers';

/** The stores of a process and the background parts it runs (ACCORD_ROLES), built from its configuration. */
export interface Runtime {
  eventStore: EventStore;
  readStore: ReadStore;
  decisionHandler: InitiativeDecisionHandler;
  metrics: AccordMetrics;
  logKeys: LogKeys;
  workers: Workers;
  /** Stops the background parts, then closes the stores they use. */
  close(): Promise<void>;
}

export async function openRuntime(
  config: AccordConfig,
  logger: Logger,
  overrides: { eventStore?: EventStore } = {},
): Promise<Runtime> {
  const eventStore = overrides.eventStore ?? openEventStore(config);
  const readStore = await openReadStore(config);
  const decisionHandler = initiativeDecisionHandler(eventStore, config.parties);
  const metrics = new AccordMetrics();
  const logKeys = resolveLogKeys(config);
  const workers = startWorkers({
    config,
    eventStore,
    eventStoreFromConfig: overrides.eventStore === undefined,
    readStore,
    decisionHandler,
    logger,
    metrics,
    logKeys,
  });
  return {
    eventStore,
    readStore,
    decisionHandler,
    metrics,
    logKeys,
    workers,
    close: async () => {
      await workers.stop();
      await readStore.close();
      await eventStore.close();
    },
  };
}
