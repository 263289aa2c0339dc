import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { AccordConfig } from '@accord/config';
import { assertNever } from '@accord/domain';
import { Leadership, LeaseHolder, PostgresLeaseStore, TermEnd, Unleased } from '@accord/lease';
import { AccordMetrics } from './metrics';

/** The lease of the projector: every projection of the read store is applied in one transaction, under one lease. */
export const PROJECTOR_LEASE = 'projector';

/** The lease of the relay: one per topic, like its checkpoint. */
export const relayLease = (topic: string) => `relay:${topic}`;

/** This process among the candidates for a lease: its host (the pod's name on Kubernetes), pid and a random part. */
export const PROCESS_HOLDER_ID = `${hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`;

/**
 * When this process runs the part behind lease `name`: always without a lease (ACCORD_LEASE=none); with
 * ACCORD_LEASE=postgres while it holds the lease, reported as `accord_lease_active{name}` and in the logs.
 */
export function leadershipFor(
  name: string,
  deps: { config: Pick<AccordConfig, 'lease'>; logger: Logger; metrics: AccordMetrics },
): Leadership {
  const { config, metrics } = deps;
  const lease = config.lease;
  switch (lease.kind) {
    case 'none':
      return new Unleased();
    case 'postgres': {
      const log = deps.logger.child({ lease: name, holder: PROCESS_HOLDER_ID });
      // Every series from the start, so that a standby reports its zeros.
      metrics.leaseActive.set({ name }, 0);
      metrics.leaseAcquisitions.inc({ name }, 0);
      metrics.fencedWritesRefused.inc({ name }, 0);
      return new LeaseHolder(new PostgresLeaseStore(lease.databaseUrl, lease.renewMs), {
        name,
        holder: PROCESS_HOLDER_ID,
        ttlMs: lease.ttlMs,
        renewMs: lease.renewMs,
        onAcquired: (fencingToken) => {
          metrics.leaseActive.set({ name }, 1);
          metrics.leaseAcquisitions.inc({ name });
          log.info({ fencingToken }, 'lease acquired: this process is the active one');
        },
        onTermEnd: (fencingToken, end) => {
          metrics.leaseActive.set({ name }, 0);
          logTermEnd(log, fencingToken, end);
        },
        onFenced: (error) => {
          metrics.fencedWritesRefused.inc({ name });
          log.warn({ err: error }, 'a write was refused by the fence: another process holds the lease');
        },
        onError: (error) =>
          log.warn({ err: error }, 'the lease could not be acquired or renewed, or its work failed'),
      });
    }
    default:
      return assertNever(lease);
  }
}

function logTermEnd(log: Logger, fencingToken: number, end: TermEnd): void {
  switch (end) {
    case 'released':
      return log.info({ fencingToken, end }, 'lease released: this process stops');
    case 'lost':
      return log.warn({ fencingToken, end }, 'lease lost to another process: standing by');
    case 'expired':
      return log.warn({ fencingToken, end }, 'lease not renewed within its TTL: stepped down, standing by');
    case 'fenced':
      return log.warn({ fencingToken, end }, 'lease gone (a write was refused): standing by');
    case 'failed':
      return log.error({ fencingToken, end }, 'the active work stopped: lease released for a standby');
    default:
      return assertNever(end);
  }
}
