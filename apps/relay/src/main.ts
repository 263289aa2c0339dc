import '@accord/runtime/with-v8-flags';
import { startRelay } from '@accord/messaging';
import {
  AccordMetrics,
  closeOnSignals,
  createLogger,
  leadershipFor,
  loadConfigOrExit,
  openEventStore,
  readinessChecks,
  relayLease,
  startOpsServer,
} from '@accord/runtime';

/**
 * The standalone Kafka relay. It follows the event store's log from its saved checkpoint and publishes every event
 * to Kafka as a CloudEvent (libs/messaging/README.md). Several may run with ACCORD_LEASE=postgres: the one holding
 * the relay's lease publishes, the others stand by (docs/adr/0007).
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit({ ACCORD_ROLES: 'relay', PORT: '3002' });
  if (!config.kafka) {
    console.error('Invalid configuration:\n  - KAFKA_BROKERS is required for the relay');
    process.exit(2);
  }
  const logger = createLogger(config.logLevel).child({ process: 'relay' });
  if (!config.roles.includes('relay'))
    logger.warn(
      { roles: config.roles },
      'ACCORD_ROLES does not list relay; the relay process runs it anyway',
    );

  const metrics = new AccordMetrics();
  const eventStore = openEventStore(config);
  const leadership = leadershipFor(relayLease(config.kafka.topic), { config, logger, metrics });
  const relay = startRelay({ config, eventStore, logger, metrics, leadership });
  // From the moment the relay runs, a signal stops it in order (the ops server, once it listens).
  let ops: { close(): void } | null = null;
  closeOnSignals(logger, async () => {
    ops?.close();
    await relay.stop();
    await eventStore.close();
  });

  ops = await startOpsServer({
    host: config.host,
    port: config.port,
    checks: readinessChecks({ eventStore, workers: { projector: null, relay, leadership: [leadership] } }),
    metrics,
  });
  logger.info({ topic: config.kafka.topic, brokers: config.kafka.brokers }, 'Accord relay running');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
