import { EventStore, sleep, StoredEvent } from '@accord/event-store';
import { Fence, FencedError } from '@accord/lease';
import { AccordKafkaMessage, toKafkaMessage } from './cloud-event';
import { RelayCheckpointMovedError, RelayCheckpointStore } from './relay-checkpoint-store';

/** Where the relay publishes: `KafkaPublisher`, or anything that resolves only once the broker acknowledged. */
export interface RelayPublisher {
  readonly topic: string;
  publish(messages: readonly AccordKafkaMessage[]): Promise<void>;
  /** A cheap round trip to the broker, made while idle so that the status stays true. */
  probe(): Promise<void>;
  /** Called after failures: the next publish starts afresh. */
  reset(): Promise<void>;
}

export interface RelayOptions {
  /** CloudEvents `source` (ACCORD_EVENT_SOURCE). */
  source: string;
  /** Events read from the log and sent to Kafka together (one `sendBatch`). */
  batchSize?: number;
  /** Longest wait for new events before the relay looks again. */
  idleWaitMs?: number;
  /** While idle, how often the broker is probed so that the status does not go stale. */
  probeIntervalMs?: number;
  /**
   * A publish not acknowledged within this time reports Kafka down at once. (With the broker down,
   * kafkajs gives up on a request only after its own retries, 10 to 20 s.)
   */
  ackTimeoutMs?: number;
  /** First pause after a failed publish; doubled on each consecutive failure up to `maxBackoffMs`. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** A failed publish is retried with a new producer session after this many consecutive failures. */
  resetAfterFailures?: number;
  onPublished?: (events: number, checkpoint: number) => void;
  onPublishError?: (error: unknown, consecutiveFailures: number, retryInMs: number) => void;
  /** Errors other than publishing: reading the log, saving the checkpoint. */
  onError?: (error: unknown) => void;
  onKafkaStatus?: (up: boolean) => void;
}

export interface RelayStatus {
  /** `unknown` until the first round trip to the broker. */
  kafka: 'up' | 'down' | 'unknown';
  topic: string;
  /** The last global log position Kafka acknowledged (and the relay saved). */
  checkpoint: number;
  consecutiveFailures: number;
  lastError: string | null;
  lastErrorAt: string | null;
  lastPublishedAt: string | null;
}

/**
 * Delivers the event store's durable log to Kafka. It follows the global log from its own saved
 * checkpoint, publishes a whole batch at once, and saves the checkpoint only after the broker
 * acknowledged the batch (acks = all): nothing reaches Kafka that is not stored, and nothing stored
 * is skipped. After a crash, the events published since the last saved checkpoint are published
 * again (at-least-once; consumers drop duplicates by the CloudEvent id).
 *
 * While Kafka is down, the same batch is retried with an exponential, capped back-off. The relay only
 * reads the log: commands never wait for it.
 */
export class Relay {
  private position = 0;
  private relaying = false;
  private kafka: RelayStatus['kafka'] = 'unknown';
  private consecutiveFailures = 0;
  private lastError: string | null = null;
  private lastErrorAt: Date | null = null;
  private lastPublishedAt: Date | null = null;
  private lastContactAt = 0;
  private readonly batchSize: number;
  private readonly idleWaitMs: number;
  private readonly probeIntervalMs: number;
  private readonly ackTimeoutMs: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly resetAfterFailures: number;

  constructor(
    private readonly events: EventStore,
    private readonly checkpoints: RelayCheckpointStore,
    private readonly publisher: RelayPublisher,
    private readonly options: RelayOptions,
  ) {
    this.batchSize = options.batchSize ?? 1000;
    this.idleWaitMs = options.idleWaitMs ?? 1000;
    this.probeIntervalMs = options.probeIntervalMs ?? 5000;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 5000;
    this.initialBackoffMs = options.initialBackoffMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
    this.resetAfterFailures = options.resetAfterFailures ?? 3;
  }

  /** The checkpoint row's name: one per topic, so that a new topic is filled from the start. */
  get checkpointName(): string {
    return this.publisher.topic;
  }

  get checkpoint(): number {
    return this.position;
  }

  /** Whether this process relays now (a standby of ACCORD_LEASE=postgres does not). */
  get running(): boolean {
    return this.relaying;
  }

  /** Events stored but not yet acknowledged by Kafka, whoever relays them. */
  async lag(): Promise<number> {
    const position = this.relaying ? this.position : await this.checkpoints.load(this.checkpointName);
    return Math.max(0, (await this.events.headPosition()) - position);
  }

  status(): RelayStatus {
    return {
      kafka: this.kafka,
      topic: this.publisher.topic,
      checkpoint: this.position,
      consecutiveFailures: this.consecutiveFailures,
      lastError: this.lastError,
      lastErrorAt: this.lastErrorAt?.toISOString() ?? null,
      lastPublishedAt: this.lastPublishedAt?.toISOString() ?? null,
    };
  }

  /**
   * Runs until `signal` aborts. A batch in flight is given `ackTimeoutMs` to be acknowledged (and its
   * checkpoint saved); if Kafka does not answer by then, it is left to be published again after a restart.
   * With a `fence`, every checkpoint is saved under it, and a save it refuses ends the run with FencedError
   * (the batch just published was a duplicate: another relay is the active one now).
   */
  async run(signal: AbortSignal, fence: Fence | null = null): Promise<void> {
    this.relaying = true;
    try {
      await this.publishFromCheckpoint(signal, fence);
    } finally {
      this.relaying = false;
    }
  }

  private async publishFromCheckpoint(signal: AbortSignal, fence: Fence | null): Promise<void> {
    while (!signal.aborted) {
      try {
        this.position = await this.checkpoints.load(this.checkpointName);
        await this.follow(signal, fence);
      } catch (error) {
        if (error instanceof FencedError) throw error;
        if (signal.aborted) return;
        // Another relay or an operator moved the checkpoint: go on from where it is now.
        if (error instanceof RelayCheckpointMovedError) continue;
        this.options.onError?.(error);
        await sleep(1000, signal);
      }
    }
  }

  private async follow(signal: AbortSignal, fence: Fence | null): Promise<void> {
    // The next batch is read (and serialised) while the broker stores the current one.
    let next: Promise<StoredEvent[]> | null = null;
    while (!signal.aborted) {
      const batch: StoredEvent[] = await (next ?? this.events.readAll(this.position, this.batchSize));
      next = null;
      if (batch.length === 0) {
        await this.idle(signal);
        continue;
      }
      const last = batch[batch.length - 1].position;
      const published = this.publish(
        batch.map((event) => toKafkaMessage(event, this.options.source)),
        signal,
      );
      if (batch.length === this.batchSize) {
        await yieldToIo();
        next = this.events.readAll(last, this.batchSize);
        next.catch(() => undefined);
      }
      if (!(await published)) return; // stopped while Kafka was down: the batch stays unacknowledged
      await this.checkpoints.save(this.checkpointName, this.position, last, fence);
      this.position = last;
      this.options.onPublished?.(batch.length, last);
    }
  }

  /** Publishes until the broker acknowledges; `false` when stopped first. */
  private async publish(messages: readonly AccordKafkaMessage[], signal: AbortSignal): Promise<boolean> {
    for (;;) {
      const unacknowledged = setTimeout(() => {
        this.failed(new Error(`Kafka has not acknowledged a batch for ${this.ackTimeoutMs} ms`));
      }, this.ackTimeoutMs);
      try {
        if (!(await acknowledgedUnlessStopped(this.publisher.publish(messages), signal, this.ackTimeoutMs))) {
          // Stopped, and the broker did not answer in time: the batch is published again after a restart.
          clearTimeout(unacknowledged);
          return false;
        }
        clearTimeout(unacknowledged);
        this.reachedKafka(true);
        this.consecutiveFailures = 0;
        this.lastPublishedAt = new Date();
        return true;
      } catch (error) {
        clearTimeout(unacknowledged);
        this.failed(error);
        this.consecutiveFailures += 1;
        const delay = this.backoff(this.consecutiveFailures);
        this.options.onPublishError?.(error, this.consecutiveFailures, delay);
        if (this.consecutiveFailures % this.resetAfterFailures === 0 || needsNewSession(error))
          await this.publisher.reset();
        if (signal.aborted) return false;
        await sleep(delay, signal);
        if (signal.aborted) return false;
      }
    }
  }

  private async idle(signal: AbortSignal): Promise<void> {
    if (Date.now() - this.lastContactAt >= this.probeIntervalMs) {
      try {
        await this.publisher.probe();
        this.reachedKafka(true);
      } catch (error) {
        this.failed(error);
      }
      if (signal.aborted) return;
    }
    await this.events.waitForAppend(this.position, this.idleWaitMs, signal);
  }

  private failed(error: unknown): void {
    this.lastError = describe(error);
    this.lastErrorAt = new Date();
    this.reachedKafka(false);
  }

  private reachedKafka(up: boolean): void {
    this.lastContactAt = Date.now();
    const status = up ? 'up' : 'down';
    if (this.kafka !== status) {
      this.kafka = status;
      this.options.onKafkaStatus?.(up);
    }
  }

  /** Exponential with jitter: between half and all of min(max, initial × 2^(failures−1)). */
  private backoff(failures: number): number {
    const ceiling = Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** Math.min(failures - 1, 20));
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }
}

/**
 * `true` once `sent` resolves; `false` when `signal` aborts and `sent` has not resolved `graceMs`
 * later (its outcome is then ignored). Rejects as `sent` does.
 */
function acknowledgedUnlessStopped(
  sent: Promise<void>,
  signal: AbortSignal,
  graceMs: number,
): Promise<boolean> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      timer = setTimeout(() => resolve(false), graceMs);
    };
    const settle = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    sent.then(
      () => {
        settle();
        resolve(true);
      },
      (error: unknown) => {
        settle();
        reject(error);
      },
    );
  });
}

/** Errors after which the producer session itself is suspect. */
function needsNewSession(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return (
    typeof type === 'string' &&
    /OUT_OF_ORDER_SEQUENCE_NUMBER|UNKNOWN_PRODUCER_ID|INVALID_PRODUCER_EPOCH|PRODUCER_FENCED/.test(type)
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Lets the request just handed to kafkajs reach the socket before the next read takes the thread. */
function yieldToIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
