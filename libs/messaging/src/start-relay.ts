import type { Logger } from 'pino';
import { AccordConfig } from '@accord/config';
import { EventStore } from '@accord/event-store';
import { Fence, Leadership, Unleased } from '@accord/lease';
import { createKafka, KafkaPublisher } from './kafka-publisher';
import { Relay, RelayOptions, RelayStatus } from './relay';
import {
  openRelayCheckpointStore,
  relayCheckpointLocation,
  RelayCheckpointStore,
} from './relay-checkpoint-store';

/**
 * What the relay reports to. `AccordMetrics` of @accord/runtime fits as it is (its prom-client
 * counters, and `lagReaders`, which gets the relay's lag): libs/messaging does not import
 * @accord/runtime, which imports it.
 */
export interface RelayMetrics {
  eventsPublished: { inc(value?: number): void };
  publishErrors: { inc(value?: number): void };
  lagReaders?: { relay?: () => Promise<number> };
  /** 1 while the broker answers, 0 while it does not (e.g. a prom-client Gauge). */
  relayKafkaUp?: { set(value: number): void };
}

export interface RelayDependencies {
  config: Pick<AccordConfig, 'kafka' | 'eventSource' | 'dataDir' | 'readStore'>;
  eventStore: EventStore;
  logger: Logger;
  metrics?: RelayMetrics;
  /**
   * Default: `<dataDir>/relay.db`, or `relay_checkpoints` in PostgreSQL with the PostgreSQL read store.
   * Closed when the relay stops.
   */
  checkpoints?: RelayCheckpointStore;
  /**
   * When this process relays: with ACCORD_LEASE=postgres, while it holds the relay's lease (`relay:<topic>`), every
   * checkpoint fenced; by default always.
   */
  leadership?: Leadership;
  /** Tuning (batch size, back-off); the callbacks are set by `startRelay`. */
  options?: Omit<RelayOptions, 'source' | 'onPublished' | 'onPublishError' | 'onError' | 'onKafkaStatus'>;
}

export interface RunningRelay {
  /** Finishes the batch in flight (unless Kafka is down), then disconnects. */
  stop(): Promise<void>;
  lag(): Promise<number>;
  /** For readiness: Kafka up or down, the checkpoint, the last error. */
  status(): RelayStatus;
}

/**
 * Starts the relay in the background and returns at once: a broker or a checkpoint database that is
 * down at start-up is retried like any failure, and never holds up the process that starts it.
 */
export function startRelay(deps: RelayDependencies): RunningRelay {
  const { config, eventStore, metrics } = deps;
  if (!config.kafka) throw new Error('The relay needs KAFKA_BROKERS');
  const { brokers, topic, partitions, replicationFactor } = config.kafka;
  const log = deps.logger.child({ part: 'relay', topic });

  const kafka = createKafka({ brokers, clientId: 'accord-relay', logger: log });
  const publisher = new KafkaPublisher(kafka, { topic, partitions, replicationFactor });
  const checkpoints = deps.checkpoints ?? new LazyCheckpointStore(() => openRelayCheckpointStore(config));

  const relay = new Relay(eventStore, checkpoints, publisher, {
    ...deps.options,
    source: config.eventSource,
    onPublished: (events, checkpoint) => {
      metrics?.eventsPublished.inc(events);
      log.debug({ events, checkpoint }, 'published');
    },
    onPublishError: (error, consecutiveFailures, retryInMs) => {
      metrics?.publishErrors.inc();
      log.warn(
        { err: error, consecutiveFailures, retryInMs, checkpoint: relay.checkpoint },
        'publishing to Kafka failed; the same batch will be sent again',
      );
    },
    onError: (error) => log.error({ err: error }, 'relay failed; resuming from the saved checkpoint'),
    onKafkaStatus: (up) => {
      metrics?.relayKafkaUp?.set(up ? 1 : 0);
      if (up) log.info({ brokers }, 'Kafka is reachable');
      else log.warn({ brokers }, 'Kafka is unreachable; events wait in the event store');
    },
  });
  if (metrics?.lagReaders) metrics.lagReaders.relay = () => relay.lag();

  const leadership = deps.leadership ?? new Unleased();
  const controller = new AbortController();
  const done = leadership
    .run(controller.signal, async (fence, term) => {
      try {
        await relay.run(term, fence);
      } finally {
        // A standby holds no producer: the next active term connects afresh.
        await publisher.disconnect();
      }
    })
    .finally(async () => {
      await checkpoints
        .close()
        .catch((error) => log.warn({ err: error }, 'closing the checkpoint store failed'));
    });
  log.info(
    {
      brokers,
      checkpointStore: deps.checkpoints ? 'custom' : storeKind(config),
    },
    'relay started',
  );

  return {
    stop: async () => {
      controller.abort();
      await done;
      log.info({ checkpoint: relay.checkpoint }, 'relay stopped');
    },
    lag: () => relay.lag(),
    status: () => relay.status(),
  };
}

function storeKind(config: RelayDependencies['config']): string {
  const location = relayCheckpointLocation(config);
  return location.kind === 'postgres' ? 'postgres relay_checkpoints' : location.file;
}

/** Opens the real store on first use, so that a database down at start-up is retried by the relay's loop. */
class LazyCheckpointStore implements RelayCheckpointStore {
  private store: Promise<RelayCheckpointStore> | null = null;

  constructor(private readonly open: () => Promise<RelayCheckpointStore>) {}

  private get(): Promise<RelayCheckpointStore> {
    if (!this.store) {
      const opening = this.open();
      this.store = opening;
      opening.catch(() => {
        if (this.store === opening) this.store = null;
      });
    }
    return this.store;
  }

  async load(name: string): Promise<number> {
    return (await this.get()).load(name);
  }

  async save(name: string, expected: number, position: number, fence: Fence | null = null): Promise<void> {
    return (await this.get()).save(name, expected, position, fence);
  }

  async ping(): Promise<void> {
    return (await this.get()).ping();
  }

  async close(): Promise<void> {
    const store = this.store;
    this.store = null;
    if (store) await (await store.catch(() => null))?.close();
  }
}
