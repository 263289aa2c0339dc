import { EventStore, followLog, sleep } from '@accord/event-store';
import { Fence, FencedError } from '@accord/lease';
import { CheckpointMovedError, ReadStore } from './store/read-store';

export interface ProjectorOptions {
  batchSize?: number;
  idleWaitMs?: number;
  onError?: (error: unknown) => void;
  onBatch?: (position: number, events: number) => void;
}

/**
 * Follows the event store's global log from the read model's saved checkpoint, batch by batch, until
 * stopped. Errors (a store restarting, a rebuild swapping tables in) are logged and retried from the
 * checkpoint as stored, never from memory. A write refused by its fence ends the run: another process is the
 * active projector now.
 */
export class Projector {
  private position = 0;
  private projecting = false;
  private readonly batchSize: number;
  private readonly idleWaitMs: number;

  constructor(
    private readonly events: EventStore,
    private readonly readStore: ReadStore,
    private readonly options: ProjectorOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 1000;
    this.idleWaitMs = options.idleWaitMs ?? 1000;
  }

  /** Whether this process is projecting now (a standby of ACCORD_LEASE=postgres is not). */
  get running(): boolean {
    return this.projecting;
  }

  /** Where this projector stands; while it is not running, where it stood last. */
  get checkpoint(): number {
    return this.position;
  }

  /** Events of the log the read model has not applied yet, whoever applies them. */
  async lag(): Promise<number> {
    const position = this.running ? this.position : await this.readStore.checkpoint();
    return Math.max(0, (await this.events.headPosition()) - position);
  }

  /** Projects until `signal` aborts, each batch under `fence` when given; rejects with FencedError when refused. */
  async run(signal: AbortSignal, fence: Fence | null = null): Promise<void> {
    this.projecting = true;
    try {
      await this.follow(signal, fence);
    } finally {
      this.projecting = false;
    }
  }

  private async follow(signal: AbortSignal, fence: Fence | null): Promise<void> {
    while (!signal.aborted) {
      try {
        this.position = await this.readStore.checkpoint();
        for await (const batch of followLog(this.events, this.position, {
          batchSize: this.batchSize,
          idleWaitMs: this.idleWaitMs,
          signal,
        })) {
          await this.readStore.applyBatch(this.position, batch, fence);
          this.position = batch[batch.length - 1].position;
          this.options.onBatch?.(this.position, batch.length);
        }
      } catch (error) {
        if (error instanceof FencedError) throw error;
        if (signal.aborted) return;
        if (!(error instanceof CheckpointMovedError)) {
          this.options.onError?.(error);
          await sleep(500, signal);
        }
      }
    }
  }
}
