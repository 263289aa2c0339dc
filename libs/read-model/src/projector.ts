import { EventStore, followLog, sleep } from '@accord/event-store';
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
 * checkpoint as stored, never from memory.
 */
export class Projector {
  private position = 0;
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

  get checkpoint(): number {
    return this.position;
  }

  async lag(): Promise<number> {
    return Math.max(0, (await this.events.headPosition()) - this.position);
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        this.position = await this.readStore.checkpoint();
        for await (const batch of followLog(this.events, this.position, {
          batchSize: this.batchSize,
          idleWaitMs: this.idleWaitMs,
          signal,
        })) {
          await this.readStore.applyBatch(this.position, batch);
          this.position = batch[batch.length - 1].position;
          this.options.onBatch?.(this.position, batch.length);
        }
      } catch (error) {
        if (signal.aborted) return;
        if (!(error instanceof CheckpointMovedError)) {
          this.options.onError?.(error);
          await sleep(500, signal);
        }
      }
    }
  }
}
