import {
  Admin,
  CompressionTypes,
  Kafka,
  logCreator,
  logLevel,
  Message,
  Partitioners,
  Producer,
} from 'kafkajs';
import type { Logger } from 'pino';
import { AccordKafkaMessage } from './cloud-event';

/**
 * The broker's default `message.max.bytes` is 1,048,588 per record batch, and a produce request
 * carries one batch per partition: keeping a whole request under 1 MB keeps every batch under the
 * limit, however the keys fall on partitions.
 */
export const DEFAULT_MAX_REQUEST_BYTES = 1_000_000;
/** Per record on the wire besides key, value and header bytes (RecordBatch v2, generous). */
const RECORD_OVERHEAD_BYTES = 64;

/** A Kafka client for Accord: kafkajs's log lines go to pino, its partitioner warning is answered. */
export function createKafka(options: { brokers: string[]; clientId: string; logger?: Logger }): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: 3000,
    logLevel: logLevel.WARN,
    logCreator: options.logger ? pinoLogCreator(options.logger) : undefined,
  });
}

/**
 * kafkajs logs every failed connection attempt as an error. The relay reports each failed publish
 * itself, with its consequence; kafkajs's own lines are details, logged at `debug`.
 */
function pinoLogCreator(logger: Logger): logCreator {
  const log = logger.child({ part: 'kafkajs' });
  return () =>
    ({ namespace, log: { message, timestamp: _timestamp, logger: _logger, ...extra } }) =>
      log.debug({ namespace, ...extra }, message);
}

/** Creates the topic when it is missing (the broker does not create topics itself). */
export async function ensureTopic(
  admin: Admin,
  topic: string,
  partitions: number,
  replicationFactor: number,
): Promise<'created' | 'exists'> {
  const topics = await admin.listTopics();
  if (topics.includes(topic)) return 'exists';
  const created = await admin.createTopics({
    topics: [{ topic, numPartitions: partitions, replicationFactor }],
    waitForLeaders: true,
  });
  return created ? 'created' : 'exists';
}

/** The producer settings every Accord publisher uses. */
export function createAccordProducer(kafka: Kafka): Producer {
  return kafka.producer({
    // Retries inside one producer session never duplicate or reorder a record on the broker.
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // The Java client's murmur2 partitioner: a key lands on the same partition whatever the client.
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

/** Splits records into produce requests of at most `maxBytes` (a single record larger than that goes alone). */
export function splitBySize<T extends Message>(messages: readonly T[], maxBytes: number): T[][] {
  const chunks: T[][] = [];
  let chunk: T[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = messageSize(message);
    if (chunk.length > 0 && bytes + size > maxBytes) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(message);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

function messageSize(message: Message): number {
  let size = RECORD_OVERHEAD_BYTES + byteLength(message.key) + byteLength(message.value);
  for (const [name, value] of Object.entries(message.headers ?? {}))
    size += name.length + byteLength(value as string | Buffer | undefined);
  return size;
}

function byteLength(value: string | Buffer | null | undefined): number {
  if (value === null || value === undefined) return 0;
  // UTF-8 takes at most 3 bytes per UTF-16 unit; exact for ASCII, which is nearly all of an event.
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}

export interface KafkaPublisherOptions {
  topic: string;
  partitions: number;
  replicationFactor: number;
  /** Largest produce request, in bytes; a batch above it goes in several requests, in order. */
  maxRequestBytes?: number;
}

/**
 * Publishes batches of records to one topic with `acks = -1` (all in-sync replicas) from an idempotent
 * producer, one request in flight, no compression. `publish` resolves only once the broker
 * acknowledged every record, and rejects otherwise: some records may then be stored already, and the
 * caller sends the batch again (at-least-once).
 */
export class KafkaPublisher {
  private producer: Producer | null = null;
  private admin: Admin | null = null;
  private topicReady = false;
  private readonly maxRequestBytes: number;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: KafkaPublisherOptions,
  ) {
    this.maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  }

  get topic(): string {
    return this.options.topic;
  }

  /** Connects and creates the topic when missing; `publish` does it itself when needed. */
  async connect(): Promise<void> {
    await this.ensureTopic();
    await this.connectedProducer();
  }

  async publish(messages: readonly AccordKafkaMessage[]): Promise<void> {
    if (messages.length === 0) return;
    if (!this.topicReady) await this.ensureTopic();
    const producer = await this.connectedProducer();
    for (const chunk of splitBySize(messages, this.maxRequestBytes))
      await producer.sendBatch({
        topicMessages: [{ topic: this.options.topic, messages: chunk }],
        acks: -1,
        compression: CompressionTypes.None,
      });
  }

  /**
   * A cheap round trip to the cluster (a metadata request), which also creates the topic when it is
   * missing: at start-up, before anything was published. Throws when no broker answers.
   */
  async probe(): Promise<void> {
    await this.ensureTopic();
  }

  /**
   * Drops the producer after failures: the next publish starts a new producer session, free of any
   * sequence-number state a half-failed request left behind. The topic is checked again as well.
   */
  async reset(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    this.topicReady = false;
    await producer?.disconnect().catch(() => undefined);
  }

  async disconnect(): Promise<void> {
    const admin = this.admin;
    this.admin = null;
    await this.reset();
    await admin?.disconnect().catch(() => undefined);
  }

  private async ensureTopic(): Promise<void> {
    const admin = await this.connectedAdmin();
    const { topic, partitions, replicationFactor } = this.options;
    await ensureTopic(admin, topic, partitions, replicationFactor);
    this.topicReady = true;
  }

  private async connectedProducer(): Promise<Producer> {
    this.producer ??= await connected(createAccordProducer(this.kafka));
    return this.producer;
  }

  private async connectedAdmin(): Promise<Admin> {
    this.admin ??= await connected(this.kafka.admin());
    return this.admin;
  }
}

/** A connected client; one that failed to connect is disposed of, so that it holds no sockets or timers. */
async function connected<Client extends Producer | Admin>(client: Client): Promise<Client> {
  try {
    await client.connect();
  } catch (error) {
    await client.disconnect().catch(() => undefined);
    throw error;
  }
  return client;
}
