import type { Logger } from 'pino';
import { AccordConfig, ConfigError, loadConfig } from '@accord/config';

/** Reads the configuration once; a bad value stops the process with a message naming the variable. */
export function loadConfigOrExit(defaults: Record<string, string> = {}): AccordConfig {
  try {
    return loadConfig({ ...defaults, ...process.env });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}

/** Closes the process's parts in order on SIGTERM or SIGINT, then exits. */
export function closeOnSignals(logger: Logger, close: () => Promise<void>): void {
  let closing = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    try {
      await close();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
