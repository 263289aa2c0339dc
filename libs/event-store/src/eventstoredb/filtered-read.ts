import type { Metadata, CallOptions } from '@grpc/grpc-js';
import {
  AllStreamResolvedEvent,
  BACKWARDS,
  END,
  EventStoreDBClient,
  Position,
  START,
} from '@eventstore/db-client';
import { StreamsClient } from '@eventstore/db-client/generated/streams_grpc_pb';
import { ReadReq } from '@eventstore/db-client/generated/streams_pb';
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import { ReadStream } from '@eventstore/db-client/dist/streams/utils/ReadStream';
import { convertGrpcEvent } from '@eventstore/db-client/dist/utils/convertGrpcEvent';

/**
 * Every use the adapter makes of `@eventstore/db-client`'s non-public parts lives in this file: the
 * modules under its `dist/` and `generated/` folders and the client's protected members
 * (`CLIENT_PROTECTED_MEMBERS`). They are no API and may change in any release: filtered-read.spec.ts
 * fails when the installed client is not the version they were written for.
 */

/** The `@eventstore/db-client` version whose private modules and members this file was written for. */
export const INTERNALS_WRITTEN_FOR_CLIENT_VERSION = '6.2.1';

/** The client's protected members this file calls. */
export const CLIENT_PROTECTED_MEMBERS = ['GRPCStreamCreator', 'callArguments', 'getChannel'] as const;

/**
 * A read of `$all` filtered on the server by stream-name prefix, without subscribing.
 *
 * EventStoreDB serves filtered non-subscription reads of `$all` since 21.10 (`ReadAllForwardsFiltered`,
 * `ReadAllBackwardsFiltered`), and the gRPC `ReadReq` carries the filter, but `@eventstore/db-client`
 * 6.2.x only exposes the filter on `subscribeToAll` (`readAll` always sends `no_filter`; the option came
 * to the Node client in 2025, after 6.2.1). So this builds the same `ReadReq` that `client.readAll` builds,
 * plus the filter that `client.subscribeToAll` builds, and sends it through the client's own channel
 * (`GRPCStreamCreator`, the protected member every client command uses): reconnection, credentials,
 * `dispose()` and error conversion stay the client's.
 *
 * Returns null when this client version no longer has that member; the caller then reads `$all`
 * unfiltered and filters itself.
 */
export function readAllFilteredByStreamPrefix(
  client: EventStoreDBClient,
  options: {
    direction: 'forwards' | 'backwards';
    fromPosition: typeof START | typeof END | Position;
    maxCount: number;
    prefixes: string[];
  },
): ReadStream<AllStreamResolvedEvent> | null {
  const internals = client as unknown as ClientInternals;
  if (typeof internals.GRPCStreamCreator !== 'function' || typeof internals.callArguments !== 'function')
    return null;

  const allOptions = new ReadReq.Options.AllOptions();
  if (options.fromPosition === START) allOptions.setStart(new Empty());
  else if (options.fromPosition === END) allOptions.setEnd(new Empty());
  else {
    const position = new ReadReq.Options.Position();
    position.setCommitPosition(options.fromPosition.commit.toString(10));
    position.setPreparePosition(options.fromPosition.prepare.toString(10));
    allOptions.setPosition(position);
  }
  const expression = new ReadReq.Options.FilterOptions.Expression();
  expression.setPrefixList(options.prefixes);
  const filter = new ReadReq.Options.FilterOptions();
  filter.setStreamIdentifier(expression);
  filter.setCount(new Empty());
  filter.setCheckpointintervalmultiplier(1);
  const uuidOption = new ReadReq.Options.UUIDOption();
  uuidOption.setString(new Empty());

  const readOptions = new ReadReq.Options();
  readOptions.setAll(allOptions);
  readOptions.setResolveLinks(false);
  readOptions.setCount(String(options.maxCount));
  readOptions.setUuidOption(uuidOption);
  readOptions.setFilter(filter);
  readOptions.setReadDirection(
    options.direction === BACKWARDS
      ? ReadReq.Options.ReadDirection.BACKWARDS
      : ReadReq.Options.ReadDirection.FORWARDS,
  );
  const request = new ReadReq();
  request.setOptions(readOptions);

  const createStream = internals.GRPCStreamCreator(StreamsClient, 'readAll', (grpcClient: StreamsClient) =>
    grpcClient.read(request, ...internals.callArguments({}, { deadline: Infinity })),
  );
  return new ReadStream<AllStreamResolvedEvent>(createStream, convertGrpcEvent, {});
}

/**
 * Closes the client's gRPC channel, which `dispose()` leaves open. Asks the client for it, so only for
 * a client whose channel is known to be one node (see `EventStoreDbConnection`). Never throws.
 */
export async function closeClientChannel(client: EventStoreDBClient): Promise<void> {
  try {
    const channel = await (client as unknown as ClientInternals).getChannel();
    channel.close();
  } catch {
    // Never connected, the address never resolved, or this client version has no such member.
  }
}

interface ClientInternals {
  getChannel(): Promise<{ close(): void }>;
  GRPCStreamCreator<T>(
    Client: typeof StreamsClient,
    debugName: string,
    creator: (client: StreamsClient) => T,
  ): () => Promise<T>;
  callArguments(options: object, callOptions?: Partial<CallOptions>): [Metadata, Partial<CallOptions>];
}
