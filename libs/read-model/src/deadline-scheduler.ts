import { Actor, InitiativeCommand } from '@accord/domain';
import { sleep } from '@accord/event-store';
import { InitiativeQueries } from './queries/initiative-queries';

/** Issues a command as the engine itself; answers how many events it appended. */
export type SystemCommandSender = (initiativeId: string, command: InitiativeCommand) => Promise<number>;

export const SCHEDULER_ACTOR: Actor = { sub: 'accord-deadline-scheduler', role: 'system', country: null };

/**
 * Finds open initiatives past their sign-off deadline and expires them. Several instances may run at
 * once: the event store's expected revision lets one expiry through, and the decider adds nothing twice.
 */
export class DeadlineScheduler {
  constructor(
    private readonly initiatives: InitiativeQueries,
    private readonly send: SystemCommandSender,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** One pass: answers how many initiatives it expired. */
  async runOnce(batchSize = 100): Promise<number> {
    const now = this.clock();
    let expired = 0;
    for (const initiativeId of await this.initiatives.dueForExpiry(now, batchSize)) {
      const appended = await this.send(initiativeId, {
        type: 'ExpireSignOffs',
        data: { initiativeId },
        metadata: { actor: SCHEDULER_ACTOR, now },
      });
      if (appended > 0) expired += 1;
    }
    return expired;
  }

  async run(signal: AbortSignal, intervalMs: number, onError: (error: unknown) => void): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.runOnce();
      } catch (error) {
        onError(error);
      }
      await sleep(intervalMs, signal);
    }
  }
}
