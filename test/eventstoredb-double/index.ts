/**
 * A wire-level test double of a single-node, insecure EventStoreDB: a gRPC server speaking the
 * protocol of `@eventstore/db-client` (the service definitions generated inside that package), over an
 * in-memory database with EventStoreDB's write and read rules (see `database.ts`).
 *
 * Served: `Streams.Read` (stream reads forwards/backwards, `$all` reads forwards/backwards with or
 * without a stream-name / event-type filter, catch-up subscriptions to `$all` with filter,
 * confirmation, checkpoints and "caught up"), `Streams.Append`, `Streams.BatchAppend`,
 * `Streams.Delete` (soft delete), `Streams.Tombstone` and `ServerFeatures.GetSupportedMethods`.
 * Not served: stream subscriptions, persistent subscriptions, projections, users, operations, gossip
 * (a single-node `esdb://host:port?tls=false` connection never asks for gossip), authentication and TLS.
 *
 * It is not EventStoreDB: nothing is durable, there is no cluster, no scavenging, no ACLs. It exists so
 * that the EventStoreDB adapter runs its contract over the real client and the real wire on a machine
 * without the server; the same contract runs against a real server when one is available.
 */
import * as grpc from '@grpc/grpc-js';
import { InMemoryEventStoreDb } from './database';
import {
  Connections,
  DoubleFeatures,
  ServerFeaturesService,
  serverFeaturesImplementation,
  StreamsService,
  streamsImplementation,
  supportedMethods,
} from './services';

export interface EventStoreDbDoubleOptions extends Partial<DoubleFeatures> {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
}

export interface EventStoreDbDouble {
  /** `esdb://host:port?tls=false` */
  readonly connectionString: string;
  readonly port: number;
  /** The in-memory database, to look at what the server holds. */
  readonly database: InMemoryEventStoreDb;
  readonly running: boolean;
  /** The gRPC methods served, as `Service/Method`. */
  readonly methods: string[];
  /** Stops listening and drops every connection and call at once, like a crashed server. The data stays. */
  stop(): Promise<void>;
  /** Listens again on the same port, with the data it held. */
  start(): Promise<void>;
  /** `stop()` then `start()`. */
  restart(): Promise<void>;
}

export async function startEventStoreDbDouble(
  options: EventStoreDbDoubleOptions = {},
): Promise<EventStoreDbDouble> {
  const host = options.host ?? '127.0.0.1';
  const features: DoubleFeatures = {
    batchAppend: options.batchAppend ?? true,
    filteredReads: options.filteredReads ?? true,
  };
  const database = new InMemoryEventStoreDb();
  let port = options.port ?? 0;
  let server: grpc.Server | null = null;
  let connections = new Connections();

  const listen = async () => {
    const next = new grpc.Server();
    connections = new Connections();
    next.addService(StreamsService, streamsImplementation(database, features, connections));
    next.addService(ServerFeaturesService, serverFeaturesImplementation(features));
    port = await new Promise<number>((resolve, reject) =>
      next.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    server = next;
  };

  const stop = async () => {
    if (!server) return;
    const current = server;
    server = null;
    // Like a crash: every connection and call drops at once, nothing is ended gracefully.
    current.forceShutdown();
    connections.releaseAll();
  };

  await listen();
  return {
    get connectionString() {
      return `esdb://${host}:${port}?tls=false`;
    },
    get port() {
      return port;
    },
    database,
    get running() {
      return server !== null;
    },
    methods: supportedMethods(features).map(({ service, method }) => `${service}/${method}`),
    stop,
    start: async () => {
      if (!server) await listen();
    },
    restart: async () => {
      await stop();
      await listen();
    },
  };
}

export { InMemoryEventStoreDb } from './database';
