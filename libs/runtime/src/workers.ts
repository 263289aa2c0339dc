import type { Logger } from 'pino';
import { AccordConfig } from '@accord/config';
import { initiativeStreamId } from '@accord/domain';
import { EventStore } from '@accord/event-store';
import { RunningRelay, startRelay } from '@accord/messaging';
import {
  DeadlineScheduler,
  InitiativeQueries,
  Projector,
  ReadStore,
  TransparencyLogQueries,
} from '@accord/read-model';
import { LogKeys } from '@accord/config';
import { CheckpointSigner } from './checkpoint-signer';
import { AccordMetrics } from './metrics';
import { InitiativeDecisionHandler } from './stores';

export interface WorkerDependencies {
  config: AccordConfig;
  eventStore: EventStore;
  readStore: ReadStore;
  decisionHandler: InitiativeDecisionHandler;
  logger: Logger;
  metrics: AccordMetrics;
  logKeys: LogKeys;
}

export interface Workers {
  projector: Projector | null;
  /** Beside the projector, when this process holds the log's signer key. */
  checkpointSigner: CheckpointSigner | null;
  relay: RunningRelay | null;
  stop(): Promise<void>;
}

/**
 * Starts the background parts this process runs (ACCORD_ROLES): the projector (with the transparency log's
 * checkpoint signer when the process holds the log key), the deadline scheduler, and the Kafka relay when
 * KAFKA_BROKERS is set.
 */
export function startWorkers(deps: WorkerDependencies): Workers {
  const { config, eventStore, readStore, decisionHandler, logger, metrics, logKeys } = deps;
  const controller = new AbortController();
  const running: Promise<void>[] = [];

  let projector: Projector | null = null;
  if (config.roles.includes('projector')) {
    const log = logger.child({ part: 'projector' });
    projector = new Projector(eventStore, readStore, {
      onError: (error) => log.error({ err: error }, 'projection batch failed; retrying from the checkpoint'),
    });
    const started = projector;
    metrics.lagReaders.projection = () => started.lag();
    running.push(projector.run(controller.signal));
    log.info('projector started');
  }

  let checkpointSigner: CheckpointSigner | null = null;
  if (projector && logKeys.privateKey !== null) {
    const log = logger.child({ part: 'checkpoint-signer' });
    checkpointSigner = new CheckpointSigner(
      eventStore,
      new TransparencyLogQueries(readStore),
      logKeys.privateKey,
    );
    const intervalMs = config.log.checkpointIntervalSeconds * 1000;
    running.push(
      checkpointSigner.run(controller.signal, intervalMs, (error) =>
        log.error({ err: error }, 'signing a checkpoint failed; trying again next interval'),
      ),
    );
    log.info({ intervalMs, origin: config.log.origin }, 'checkpoint signer started');
  }

  if (config.roles.includes('scheduler')) {
    const log = logger.child({ part: 'scheduler' });
    const scheduler = new DeadlineScheduler(
      new InitiativeQueries(readStore),
      async (initiativeId, command) => {
        const result = await decisionHandler.handle(initiativeStreamId(initiativeId), command, {
          correlationId: `expire-${initiativeId}`,
          causationId: null,
          idempotencyKey: null,
        });
        const appended = result.kind === 'decided' ? result.appended : 0;
        metrics.commands.inc({ type: command.type, outcome: appended > 0 ? 'appended' : 'unchanged' });
        metrics.eventsAppended.inc(appended);
        if (appended > 0) log.info({ initiativeId }, 'sign-off deadline expired');
        return appended;
      },
    );
    running.push(
      scheduler.run(controller.signal, config.schedulerIntervalMs, (error) =>
        log.error({ err: error }, 'deadline scan failed'),
      ),
    );
    log.info({ intervalMs: config.schedulerIntervalMs }, 'deadline scheduler started');
  }

  const relay =
    config.kafka && config.roles.includes('relay')
      ? startRelay({ config, eventStore, logger, metrics })
      : null;

  return {
    projector,
    checkpointSigner,
    relay,
    stop: async () => {
      controller.abort();
      await Promise.all([relay?.stop(), ...running]);
    },
  };
}
