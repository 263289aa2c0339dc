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
import { Leadership } from '@accord/lease';
import { CheckpointSigner } from './checkpoint-signer';
import { leadershipFor, PROJECTOR_LEASE, relayLease } from './leadership';
import { AccordMetrics } from './metrics';
import { ProjectorRun, ProjectorThread } from './projector-thread';
import { InitiativeDecisionHandler } from './stores';

export interface WorkerDependencies {
  config: AccordConfig;
  eventStore: EventStore;
  /** Whether the event store is the one `config` names (not a test's in-memory one): another thread may open it. */
  eventStoreFromConfig: boolean;
  readStore: ReadStore;
  decisionHandler: InitiativeDecisionHandler;
  logger: Logger;
  metrics: AccordMetrics;
  logKeys: LogKeys;
}

export interface Workers {
  projector: ProjectorRun | null;
  /** Beside the projector, when this process holds the log's signer key. */
  checkpointSigner: CheckpointSigner | null;
  relay: RunningRelay | null;
  /** When the projector and the relay run here: with ACCORD_LEASE=postgres, only while this process holds their lease. */
  leadership: Leadership[];
  stop(): Promise<void>;
}

/**
 * Starts the background parts this process runs (ACCORD_ROLES): the projector (with the transparency log's
 * checkpoint signer when the process holds the log key), the deadline scheduler, and the Kafka relay when
 * KAFKA_BROKERS is set. With ACCORD_LEASE=postgres the projector (with its signer) and the relay run only while this
 * process holds their lease; the scheduler runs in every instance (its expiries are appended at an expected revision).
 */
export function startWorkers(deps: WorkerDependencies): Workers {
  const { config, eventStore, readStore, decisionHandler, logger, metrics, logKeys } = deps;
  const controller = new AbortController();
  const running: Promise<void>[] = [];
  const leadership: Leadership[] = [];

  let projector: ProjectorRun | null = null;
  let checkpointSigner: CheckpointSigner | null = null;
  if (config.roles.includes('projector')) {
    const log = logger.child({ part: 'projector' });
    const onError = (error: unknown) =>
      log.error({ err: error }, 'projection batch failed; retrying from the checkpoint');
    const started = projectsOnThread(deps)
      ? new ProjectorThread(config, eventStore, onError)
      : new Projector(eventStore, readStore, { onError });
    projector = started;
    metrics.lagReaders.projection = () => started.lag();
    const signer = logKeys.privateKey === null ? null : checkpointSignerOf(deps, logKeys.privateKey);
    checkpointSigner = signer?.signer ?? null;
    const projectorLeadership = leadershipFor(PROJECTOR_LEASE, deps);
    leadership.push(projectorLeadership);
    running.push(
      projectorLeadership.run(controller.signal, async (fence, term) => {
        log.info(
          { fencingToken: fence?.token ?? null, thread: started instanceof ProjectorThread },
          'projector started',
        );
        // The signer signs beside the active projector only, and stops with it (its appends are guarded by the
        // expected revision of the log's checkpoint stream in any case).
        const projecting = new AbortController();
        const signing = signer?.run(AbortSignal.any([term, projecting.signal]));
        try {
          await started.run(term, fence);
        } finally {
          projecting.abort();
          await signing;
        }
      }),
    );
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

  let relay: RunningRelay | null = null;
  if (config.kafka && config.roles.includes('relay')) {
    const relayLeadership = leadershipFor(relayLease(config.kafka.topic), deps);
    leadership.push(relayLeadership);
    relay = startRelay({ config, eventStore, logger, metrics, leadership: relayLeadership });
  }

  return {
    projector,
    checkpointSigner,
    relay,
    leadership,
    stop: async () => {
      controller.abort();
      await Promise.all([relay?.stop(), ...running]);
    },
  };
}

/**
 * The projector gets a thread of its own where it would share the event loop with the API, on the embedded event
 * store (a file another thread can open) and without a lease (whose fence holds a connection of this process).
 */
function projectsOnThread({ config, eventStoreFromConfig }: WorkerDependencies): boolean {
  return (
    config.roles.includes('api') &&
    config.eventStore.kind === 'sqlite' &&
    eventStoreFromConfig &&
    config.lease.kind === 'none'
  );
}

/** The transparency log's checkpoint signer, and its rounds while the projector is active here. */
function checkpointSignerOf(
  deps: WorkerDependencies,
  privateKey: string,
): { signer: CheckpointSigner; run: (term: AbortSignal) => Promise<void> } {
  const { config, eventStore, readStore, logger } = deps;
  const log = logger.child({ part: 'checkpoint-signer' });
  const signer = new CheckpointSigner(eventStore, new TransparencyLogQueries(readStore), privateKey);
  const intervalMs = config.log.checkpointIntervalSeconds * 1000;
  return {
    signer,
    run: (term) => {
      log.info({ intervalMs, origin: config.log.origin }, 'checkpoint signer started');
      return signer.run(term, intervalMs, (error) =>
        log.error({ err: error }, 'signing a checkpoint failed; trying again next interval'),
      );
    },
  };
}
