import '@accord/runtime/with-v8-flags';
import {
  closeOnSignals,
  createLogger,
  loadConfigOrExit,
  openRuntime,
  readinessChecks,
  startOpsServer,
} from '@accord/runtime';

/**
 * The standalone projector: read models and the deadline scheduler, with /health and /metrics on PORT. Several may
 * run with ACCORD_LEASE=postgres: the one holding the lease projects, the others stand by (docs/adr/0007).
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit({ ACCORD_ROLES: 'projector,scheduler', PORT: '3001' });
  const logger = createLogger(config.logLevel).child({ process: 'projector' });
  const runtime = await openRuntime(config, logger);
  // From the moment the workers run, a signal closes them in order (the ops server, once it listens).
  let ops: { close(): void } | null = null;
  closeOnSignals(logger, async () => {
    ops?.close();
    await runtime.close();
  });
  ops = await startOpsServer({
    host: config.host,
    port: config.port,
    checks: readinessChecks(runtime),
    metrics: runtime.metrics,
  });
  logger.info({ roles: config.roles, port: config.port }, 'Accord projector running');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
