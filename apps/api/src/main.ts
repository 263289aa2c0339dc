import 'reflect-metadata';
import { closeOnSignals, createLogger, loadConfigOrExit } from '@accord/runtime';
import { createHttpApp } from './http/http-app';
import { openInfrastructure } from './infrastructure/infrastructure';

/** The embedded default: the API, and the background parts ACCORD_ROLES names, in one process. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel);
  const infrastructure = await openInfrastructure(config, logger);
  const app = await createHttpApp(infrastructure, logger);
  await app.listen({ port: config.port, host: config.host });
  logger.info(
    { url: `http://${config.host}:${config.port}`, roles: config.roles, dataDir: config.dataDir },
    'Accord API listening',
  );
  closeOnSignals(logger, async () => {
    await app.close();
    await infrastructure.close();
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
