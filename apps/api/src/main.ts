import 'reflect-metadata';
import { ConfigError, loadConfig } from '@accord/config';
import { createLogger } from '@accord/runtime';
import { createHttpApp } from './http/http-app';
import { openInfrastructure } from './infrastructure/infrastructure';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const infrastructure = await openInfrastructure(config, logger);
  const app = await createHttpApp(infrastructure, logger);
  await app.listen({ port: config.port, host: config.host });
  logger.info(
    { url: `http://${config.host}:${config.port}`, dataDir: config.dataDir },
    'Accord API listening',
  );

  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await app.close();
    await infrastructure.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
