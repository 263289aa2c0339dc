import {
  AccordMetrics,
  closeOnSignals,
  createLogger,
  initiativeCommandHandler,
  loadConfigOrExit,
  openEventStore,
  openReadStore,
  readinessChecks,
  startOpsServer,
  startWorkers,
} from '@accord/runtime';

/** The standalone projector: read models and the deadline scheduler, with /health and /metrics on PORT. */
async function main(): Promise<void> {
  const config = loadConfigOrExit({ ACCORD_ROLES: 'projector,scheduler', PORT: '3001' });
  const logger = createLogger(config.logLevel).child({ process: 'projector' });
  const eventStore = openEventStore(config);
  const readStore = await openReadStore(config);
  const metrics = new AccordMetrics();
  const commandHandler = initiativeCommandHandler(eventStore, config.parties);
  const workers = startWorkers({ config, eventStore, readStore, commandHandler, logger, metrics });
  const ops = await startOpsServer({
    host: config.host,
    port: config.port,
    checks: readinessChecks({ eventStore, readStore, workers }),
    metrics,
  });
  logger.info({ roles: config.roles, port: config.port }, 'Accord projector running');
  closeOnSignals(logger, async () => {
    ops.close();
    await workers.stop();
    await readStore.close();
    await eventStore.close();
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
