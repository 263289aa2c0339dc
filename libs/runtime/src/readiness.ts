import { EventStore } from '@accord/event-store';
import { ReadStore } from '@accord/read-model';
import { OpsCheck } from './ops-server';
import { Workers } from './workers';

/**
 * What readiness reports: the stores (critical); the projection's lag, Kafka and the relay's lag, and whether this
 * process is the active one or a standby (reported, never failing: a standby is ready to take over).
 */
export function readinessChecks(deps: {
  eventStore: EventStore;
  readStore?: ReadStore;
  workers: Pick<Workers, 'projector' | 'relay' | 'leadership'>;
}): OpsCheck[] {
  const { eventStore, readStore, workers } = deps;
  const checks: OpsCheck[] = [{ name: 'eventStore', critical: true, run: () => eventStore.ping() }];
  if (readStore) {
    checks.push({ name: 'readStore', critical: true, run: () => readStore.ping() });
    checks.push({
      name: 'projection',
      critical: false,
      run: async () => {
        const head = await eventStore.headPosition();
        const projector = workers.projector;
        const checkpoint = projector?.running ? projector.checkpoint : await readStore.checkpoint();
        return {
          lag: Math.max(0, head - checkpoint),
          checkpoint,
          head,
          runsHere: projector?.running ?? false,
        };
      },
    });
  }
  const relay = workers.relay;
  if (relay)
    checks.push({
      name: 'kafka',
      critical: false,
      run: async () => {
        const status = relay.status();
        return {
          status: status.kafka,
          topic: status.topic,
          relayLag: await relay.lag(),
          checkpoint: status.checkpoint,
          lastError: status.lastError,
          lastErrorAt: status.lastErrorAt,
          lastPublishedAt: status.lastPublishedAt,
        };
      },
    });
  const leased = workers.leadership.filter((leadership) => leadership.status().lease !== null);
  if (leased.length > 0)
    checks.push({
      name: 'leases',
      critical: false,
      run: async () =>
        Object.fromEntries(
          leased.map((leadership) => {
            const { lease, holder, active, fencingToken } = leadership.status();
            return [lease, { active, holder, fencingToken }];
          }),
        ),
    });
  return checks;
}
