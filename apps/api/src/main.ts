import '@accord/runtime/with-v8-flags';
import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { closeOnSignals, createLogger, loadConfigOrExit } from '@accord/runtime';
import { createHttpApp } from './http/http-app';
import { openInfrastructure } from './infrastructure/infrastructure';

/** The embedded default: the API, and the background parts ACCORD_ROLES names, in one process. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel);
  const infrastructure = await openInfrastructure(config, logger);
  // From the moment the background parts run, a signal closes them in order (the API, once it is built).
  let app: NestFastifyApplication | null = null;
  closeOnSignals(logger, async () => {
    await app?.close();
    await infrastructure.close();
  });
  app = await createHttpApp(infrastructure, logger);
  await app.listen({ port: config.port, host: config.host });
  logger.info(
    { url: `http://${config.host}:${config.port}`, roles: config.roles, dataDir: config.dataDir },
    'Accord API listening',
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
