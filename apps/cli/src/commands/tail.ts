import { randomUUID } from 'node:crypto';
import { Kafka, KafkaMessage, logLevel } from 'kafkajs';
import { DEFAULT_KAFKA_TOPIC, isBrokerAddress, splitBrokers } from '@accord/config';
import { untilInterrupted } from '../until-interrupted';

/**
 * `accord tail`: the reference consumer of Accord's Kafka topic. It prints every event once, as one
 * line of JSON (the CloudEvent), in the order Kafka delivers them: stream order per key. A key is an
 * initiative (`accord.initiative.*` types), or one of the transparency log's streams
 * (`accord.log.*`: `log-checkpoints`, whose `data` is the signed note as a string, and
 * `log-cosignatures-<treeSize>`); the CloudEvent `type` and `subject` tell them apart, so every
 * line is printed as it came, whatever its kind.
 *
 * Delivery is at-least-once, so a consumer must drop duplicates by the CloudEvent `id`; this one
 * remembers the last DEDUPE_WINDOW ids it printed. A durable consumer would keep the ids (or, per
 * `subject`, the last `streamrevision`) with its own state, in the same transaction.
 */
const USAGE = `Usage: accord tail [--brokers HOST:PORT[,…]] [--topic TOPIC] [--from-beginning] [--group GROUP] [--max-events N]
  --brokers         default: KAFKA_BROKERS, else 127.0.0.1:9092
  --topic           default: ACCORD_KAFKA_TOPIC, else accord.initiatives.v1
  --from-beginning  a new consumer group starts at the oldest record (else at the newest)
  --group           consumer group id; resumes from its committed offsets (default: a new group each run)
  --max-events      stop after printing N events
Prints each event once, as a JSON line (the CloudEvent): the initiatives' events (type
accord.initiative.*) and the transparency log's checkpoints and cosignatures (type accord.log.*,
subject the log stream). Stops on Ctrl-C.
`;

/** How many recently printed event ids are remembered to drop duplicates. */
export const DEDUPE_WINDOW = 100_000;

export interface TailOptions {
  brokers: string[];
  topic: string;
  fromBeginning: boolean;
  groupId: string;
  maxEvents: number | null;
}

export async function tailCommand(args: string[]): Promise<number> {
  const options = parseTailArgs(args, process.env);
  if (typeof options === 'string') {
    process.stderr.write(`${options}\n${USAGE}`);
    return 2;
  }
  try {
    await untilInterrupted((signal) =>
      tail(options, {
        signal,
        write: (line) => process.stdout.write(`${line}\n`),
        warn: (message) => process.stderr.write(`accord tail: ${message}\n`),
      }),
    );
    return 0;
  } catch (error) {
    process.stderr.write(`accord tail: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

export function parseTailArgs(args: string[], env: Record<string, string | undefined>): TailOptions | string {
  const options: TailOptions = {
    brokers: splitBrokers(env.KAFKA_BROKERS ?? '127.0.0.1:9092'),
    topic: env.ACCORD_KAFKA_TOPIC?.trim() || DEFAULT_KAFKA_TOPIC,
    fromBeginning: false,
    groupId: `accord-tail-${randomUUID()}`,
    maxEvents: null,
  };
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    const value = () => {
      const next = args[++index];
      if (next === undefined || next.startsWith('--')) throw new Error(`${arg} needs a value`);
      return next;
    };
    try {
      switch (arg) {
        case '--brokers':
          options.brokers = splitBrokers(value());
          break;
        case '--topic':
          options.topic = value();
          break;
        case '--from-beginning':
          options.fromBeginning = true;
          break;
        case '--group':
          options.groupId = value();
          break;
        case '--max-events': {
          const count = Number(value());
          if (!Number.isInteger(count) || count < 1) return '--max-events must be a positive integer';
          options.maxEvents = count;
          break;
        }
        default:
          return `unknown option ${arg}`;
      }
    } catch (error) {
      return (error as Error).message;
    }
  }
  if (options.brokers.length === 0 || options.brokers.some((broker) => !isBrokerAddress(broker)))
    return '--brokers must list host:port entries';
  return options;
}

/** Remembers the last `capacity` ids, forgetting the oldest first (a Set keeps its insertion order). */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity: number) {}

  /** `true` the first time an id is seen (within the window). */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    if (this.ids.size >= this.capacity) this.ids.delete(this.ids.values().next().value as string);
    this.ids.add(id);
    return true;
  }
}

/** Consumes until `signal` aborts (or `maxEvents` were printed), writing each event once. */
export async function tail(
  options: TailOptions,
  io: { signal: AbortSignal; write: (line: string) => void; warn: (message: string) => void },
): Promise<{ printed: number; duplicates: number }> {
  const kafka = new Kafka({ clientId: 'accord-tail', brokers: options.brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: options.groupId });
  const seen = new RecentIds(DEDUPE_WINDOW);
  const counts = { printed: 0, duplicates: 0 };
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  if (io.signal.aborted) return counts;
  io.signal.addEventListener('abort', () => finish(), { once: true });

  const handle = (message: KafkaMessage) => {
    const value = message.value?.toString('utf8') ?? '';
    let event: { id?: unknown };
    try {
      event = JSON.parse(value) as { id?: unknown };
    } catch {
      io.warn(`skipped a record that is not JSON (offset ${message.offset})`);
      return;
    }
    if (typeof event?.id !== 'string') {
      io.warn(`skipped a record without a CloudEvent id (offset ${message.offset})`);
      return;
    }
    if (!seen.add(event.id)) {
      counts.duplicates++;
      return;
    }
    io.write(JSON.stringify(event));
    counts.printed++;
    if (options.maxEvents !== null && counts.printed >= options.maxEvents) finish();
  };

  await consumer.connect();
  try {
    await consumer.subscribe({ topic: options.topic, fromBeginning: options.fromBeginning });
    let crashed: Error | null = null;
    consumer.on(consumer.events.CRASH, (event) => {
      // kafkajs restarts the consumer after a retriable error (a broker restarting); the rest ends the tail.
      if (!event.payload.restart) {
        crashed = event.payload.error;
        finish();
      }
    });
    await consumer.run({
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        for (const message of batch.messages) {
          if (!isRunning() || isStale() || finishedNow()) break;
          handle(message);
          resolveOffset(message.offset);
        }
        await heartbeat();
      },
    });
    await finished;
    if (crashed) throw crashed;
  } finally {
    await consumer.disconnect();
  }
  return counts;

  function finishedNow(): boolean {
    return io.signal.aborted || (options.maxEvents !== null && counts.printed >= options.maxEvents);
  }
}
