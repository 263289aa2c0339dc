/**
 * The gRPC face of the double: EventStoreDB's `Streams` and `ServerFeatures` services, built from the
 * service definitions generated inside `@eventstore/db-client`, so the real client talks to it over the
 * wire exactly as it talks to a server. Answers (messages, status codes, error metadata, the packed
 * `google.rpc.Status` details of BatchAppend) follow EventStoreDB's `Streams.*.cs`, `RpcExceptions.cs`
 * and `Status.cs`.
 */
import * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { Any } from 'google-protobuf/google/protobuf/any_pb';
import { Empty as ProtobufEmpty } from 'google-protobuf/google/protobuf/empty_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import {
  AppendReq,
  AppendResp,
  BatchAppendReq,
  BatchAppendResp,
  DeleteReq,
  DeleteResp,
  ReadReq,
  ReadResp,
  TombstoneReq,
  TombstoneResp,
} from '@eventstore/db-client/generated/streams_pb';
import {
  AllStreamPosition,
  BadRequest,
  Empty,
  StreamDeleted,
  StreamIdentifier,
  UUID,
  WrongExpectedVersion,
} from '@eventstore/db-client/generated/shared_pb';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { SupportedMethod, SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import { Status } from '@eventstore/db-client/generated/status_pb';
import { Code } from '@eventstore/db-client/generated/code_pb';
import {
  DELETED_STREAM,
  Direction,
  EventFilter,
  ExpectedRevision,
  InMemoryEventStoreDb,
  LogRecord,
  matches,
  ProposedEvent,
  TOMBSTONE_REVISION,
} from './database';

export interface DoubleFeatures {
  /** Advertise and serve `Streams.BatchAppend` (EventStoreDB ≥ 21.10); without it the client falls back to `Append`. */
  batchAppend: boolean;
  /** Serve filtered non-subscription reads of `$all` (EventStoreDB ≥ 21.10); without it they fail as on 20.10. */
  filteredReads: boolean;
}

export const SERVER_VERSION = '24.10.0';
const STREAMS = 'event_store.client.streams.Streams';
/** The server's default search window of a filtered subscription when the client sends `count`. */
const DEFAULT_SEARCH_WINDOW = 32;

const streamName = (identifier: StreamIdentifier | undefined) =>
  Buffer.from(identifier?.getStreamName_asU8() ?? new Uint8Array()).toString('utf8');

const streamIdentifier = (name: string) => {
  const identifier = new StreamIdentifier();
  identifier.setStreamName(Uint8Array.from(Buffer.from(name, 'utf8')));
  return identifier;
};

function parseUuid(uuid: UUID | undefined): string | null {
  if (!uuid) return null;
  let text: string;
  if (uuid.hasStructured()) {
    const structured = uuid.getStructured()!;
    const hex = (value: string) => BigInt.asUintN(64, BigInt(value)).toString(16).padStart(16, '0');
    const digits = hex(structured.getMostSignificantBits()) + hex(structured.getLeastSignificantBits());
    text = `${digits.slice(0, 8)}-${digits.slice(8, 12)}-${digits.slice(12, 16)}-${digits.slice(16, 20)}-${digits.slice(20)}`;
  } else {
    text = uuid.getString();
  }
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)
    ? text.toLowerCase()
    : null;
}

function toUuid(id: string, asString: boolean): UUID {
  const uuid = new UUID();
  if (asString) {
    uuid.setString(id);
  } else {
    const digits = id.replace(/-/g, '');
    const structured = new UUID.Structured();
    structured.setMostSignificantBits(BigInt.asIntN(64, BigInt(`0x${digits.slice(0, 16)}`)).toString());
    structured.setLeastSignificantBits(BigInt.asIntN(64, BigInt(`0x${digits.slice(16)}`)).toString());
    uuid.setStructured(structured);
  }
  return uuid;
}

const revisionText = (revision: number) =>
  revision === TOMBSTONE_REVISION ? DELETED_STREAM : String(revision);

function serviceError(
  code: grpc.status,
  details: string,
  metadata: Record<string, string> = {},
): grpc.ServiceError {
  const meta = new grpc.Metadata();
  for (const [key, value] of Object.entries(metadata)) meta.set(key, value);
  return Object.assign(new Error(details), { code, details, metadata: meta });
}

const streamDeletedError = (name: string) =>
  serviceError(grpc.status.FAILED_PRECONDITION, `Event stream '${name}' is deleted.`, {
    exception: 'stream-deleted',
    'stream-name': name,
  });

/** The server's `long` encoding of an expected version: -2 any, -1 no stream, -4 stream exists. */
function expectedVersionNumber(expected: ExpectedRevision): number {
  switch (expected.kind) {
    case 'any':
      return -2;
    case 'no-stream':
      return -1;
    case 'stream-exists':
      return -4;
    default:
      return expected.revision;
  }
}

/** Ends a streaming call with an error status (grpc-js turns an emitted error into the call's status). */
const fail = (
  call:
    grpc.ServerWritableStream<ReadReq, ReadResp> | grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>,
  error: grpc.ServiceError,
) => {
  call.emit('error', error);
};

function wrongExpectedVersionError(
  operation: string,
  name: string,
  expected: ExpectedRevision,
  current: number,
) {
  const expectedVersion = expectedVersionNumber(expected);
  return serviceError(
    grpc.status.FAILED_PRECONDITION,
    `${operation} failed due to WrongExpectedVersion. Stream: ${name}, Expected version: ${expectedVersion}, Actual version: ${current}`,
    {
      exception: 'wrong-expected-version',
      'stream-name': name,
      'expected-version': String(expectedVersion),
      'actual-version': String(current),
    },
  );
}

function badRequest(details: string) {
  return serviceError(grpc.status.INVALID_ARGUMENT, details);
}

function missingMetadata(property: string) {
  return serviceError(grpc.status.INVALID_ARGUMENT, `Required Metadata Property '${property}' is missing`, {
    exception: 'missing-required-metadata-property',
    'required-metadata-properties': 'type,content-type',
  });
}

/** A proposed message as the server reads it, or the error it answers. */
function toProposedEvent(
  message: AppendReq.ProposedMessage | BatchAppendReq.ProposedMessage,
): ProposedEvent | grpc.ServiceError {
  const id = parseUuid(message.getId());
  if (!id) return badRequest('Invalid UUID for a proposed message');
  const metadata = message.getMetadataMap();
  const type = metadata.get('type');
  if (!type) return missingMetadata('type');
  const contentType = metadata.get('content-type');
  if (!contentType) return missingMetadata('content-type');
  return { id, type, contentType, data: message.getData_asU8(), metadata: message.getCustomMetadata_asU8() };
}

function wrongExpectedVersionDetails(expected: ExpectedRevision, current: number): WrongExpectedVersion {
  const details = new WrongExpectedVersion();
  if (current < 0) details.setCurrentNoStream(new ProtobufEmpty());
  else details.setCurrentStreamRevision(String(current));
  switch (expected.kind) {
    case 'any':
      details.setExpectedAny(new ProtobufEmpty());
      break;
    case 'no-stream':
      details.setExpectedNoStream(new ProtobufEmpty());
      break;
    case 'stream-exists':
      details.setExpectedStreamExists(new ProtobufEmpty());
      break;
    default:
      details.setExpectedStreamPosition(String(expected.revision));
  }
  return details;
}

function packedStatus(code: Code, message: string, typeName: string, payload: Uint8Array): Status {
  const status = new Status();
  status.setCode(code);
  status.setMessage(message);
  const details = new Any();
  details.pack(payload, typeName);
  status.setDetails(details);
  return status;
}

function toFilter(options: ReadReq.Options.FilterOptions): EventFilter {
  const streamExpression = options.getStreamIdentifier();
  const expression = streamExpression ?? options.getEventType();
  return {
    on: streamExpression ? 'stream' : 'event-type',
    prefixes: expression?.getPrefixList() ?? [],
    regex: expression?.getRegex() ?? '',
  };
}

function toRecordedEvent(record: LogRecord, uuidAsString: boolean): ReadResp.ReadEvent {
  const recorded = new ReadResp.ReadEvent.RecordedEvent();
  recorded.setId(toUuid(record.id, uuidAsString));
  recorded.setStreamIdentifier(streamIdentifier(record.streamName));
  recorded.setStreamRevision(revisionText(record.revision));
  // Self-committed events: the server knows their $all position on every read (≥ 22.6).
  recorded.setPreparePosition(String(record.position));
  recorded.setCommitPosition(String(record.position));
  const metadata = recorded.getMetadataMap();
  metadata.set('type', record.type);
  metadata.set('created', record.created.toString());
  metadata.set('content-type', record.contentType);
  recorded.setCustomMetadata(record.metadata);
  recorded.setData(record.data);
  const readEvent = new ReadResp.ReadEvent();
  readEvent.setEvent(recorded);
  readEvent.setCommitPosition(String(record.position));
  return readEvent;
}

const eventResponse = (record: LogRecord, uuidAsString: boolean) => {
  const response = new ReadResp();
  response.setEvent(toRecordedEvent(record, uuidAsString));
  return response;
};

const checkpointResponse = (position: number) => {
  const checkpoint = new ReadResp.Checkpoint();
  checkpoint.setCommitPosition(String(position));
  checkpoint.setPreparePosition(String(position));
  const response = new ReadResp();
  response.setCheckpoint(checkpoint);
  return response;
};

function expectedFromOptions(
  options: AppendReq.Options | BatchAppendReq.Options | DeleteReq.Options | TombstoneReq.Options,
): ExpectedRevision {
  if (options.hasNoStream()) return { kind: 'no-stream' };
  if (options.hasAny()) return { kind: 'any' };
  if (options.hasStreamExists()) return { kind: 'stream-exists' };
  const revision =
    options instanceof BatchAppendReq.Options ? options.getStreamPosition() : options.getRevision();
  return { kind: 'revision', revision: Number(revision) };
}

/** Tracks what calls hold in the database (subscription listeners), so a server stop releases it. */
export class Connections {
  readonly cleanups = new Set<() => void>();

  track(cleanup: () => void): () => void {
    this.cleanups.add(cleanup);
    return () => {
      if (this.cleanups.delete(cleanup)) cleanup();
    };
  }

  releaseAll(): void {
    for (const cleanup of [...this.cleanups]) {
      this.cleanups.delete(cleanup);
      cleanup();
    }
  }
}

export function streamsImplementation(
  db: InMemoryEventStoreDb,
  features: DoubleFeatures,
  connections: Connections,
): grpc.UntypedServiceImplementation {
  return {
    read(call: grpc.ServerWritableStream<ReadReq, ReadResp>) {
      const options = call.request.getOptions();
      if (!options) return fail(call, badRequest('Missing read options'));
      const uuidAsString = options.getUuidOption()?.hasString() ?? true;
      const direction: Direction =
        options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS ? 'backwards' : 'forwards';
      const filter = options.hasFilter() ? toFilter(options.getFilter()!) : null;
      const subscription = options.hasSubscription();
      const count = options.hasCount() ? Math.min(Number(options.getCount()), Number.MAX_SAFE_INTEGER) : 0;

      if (options.hasStream()) {
        const stream = options.getStream()!;
        const name = streamName(stream.getStreamIdentifier());
        if (subscription || filter) {
          return fail(
            call,
            badRequest(
              `The combination of (Stream, ${subscription ? 'Subscription' : 'Count'}, ${direction}, ${filter ? 'Filter' : 'NoFilter'}) is invalid.`,
            ),
          );
        }
        const from = stream.hasStart() ? 'start' : stream.hasEnd() ? 'end' : Number(stream.getRevision());
        const outcome = db.readStream(name, from, direction, count);
        if (outcome.kind === 'stream-deleted') return fail(call, streamDeletedError(name));
        if (outcome.kind === 'stream-not-found') {
          const notFound = new ReadResp.StreamNotFound();
          notFound.setStreamIdentifier(streamIdentifier(name));
          const response = new ReadResp();
          response.setStreamNotFound(notFound);
          call.write(response);
          return call.end();
        }
        for (const record of outcome.events) call.write(eventResponse(record, uuidAsString));
        return call.end();
      }

      const all = options.getAll();
      if (!all) return fail(call, badRequest('Missing stream options'));
      const position = all.getPosition();
      const from = all.hasStart() ? 'start' : all.hasEnd() ? 'end' : Number(position!.getPreparePosition());

      if (!subscription) {
        if (filter && !features.filteredReads) {
          return fail(
            call,
            badRequest(
              `The combination of (All, Count, ${direction === 'forwards' ? 'Forwards' : 'Backwards'}, Filter) is invalid.`,
            ),
          );
        }
        for (const record of db.readAll(from, direction, count, filter))
          call.write(eventResponse(record, uuidAsString));
        return call.end();
      }
      if (direction === 'backwards') return fail(call, badRequest('Subscriptions read forwards only'));

      // A catch-up subscription: confirmation, the past strictly after `from`, "caught up", then live.
      const filterOptions = options.getFilter();
      const window = filterOptions?.hasMax() ? filterOptions.getMax() : DEFAULT_SEARCH_WINDOW;
      const checkpointEvery = filter
        ? Math.max(1, (filterOptions!.getCheckpointintervalmultiplier() || 1) * window)
        : 0;
      let scanned = 0;
      const deliver = (record: LogRecord) => {
        if (matches(filter, record)) call.write(eventResponse(record, uuidAsString));
        scanned += 1;
        if (checkpointEvery && scanned % checkpointEvery === 0)
          call.write(checkpointResponse(record.position));
      };
      const confirmation = new ReadResp.SubscriptionConfirmation();
      confirmation.setSubscriptionId(randomUUID());
      const confirmed = new ReadResp();
      confirmed.setConfirmation(confirmation);
      call.write(confirmed);
      for (const record of db.catchUp(from)) deliver(record);
      const caughtUp = new ReadResp();
      caughtUp.setCaughtUp(new ReadResp.CaughtUp());
      call.write(caughtUp);
      const release = connections.track(db.onRecord(deliver));
      call.on('cancelled', release);
      call.on('close', release);
      call.on('error', release);
    },

    append(call: grpc.ServerReadableStream<AppendReq, AppendResp>, callback: grpc.sendUnaryData<AppendResp>) {
      let options: AppendReq.Options | undefined;
      const events: ProposedEvent[] = [];
      let failure: grpc.ServiceError | null = null;
      call.on('data', (request: AppendReq) => {
        if (failure) return;
        if (request.hasOptions()) {
          options = request.getOptions();
          return;
        }
        if (!options) {
          failure = badRequest('The first message of an append carries its options');
          return;
        }
        const proposed = toProposedEvent(request.getProposedMessage()!);
        if ('code' in proposed) failure = proposed;
        else events.push(proposed);
      });
      call.on('error', () => undefined);
      call.on('end', () => {
        if (failure || !options) return callback(failure ?? badRequest('Missing append options'), null);
        const name = streamName(options.getStreamIdentifier());
        const expected = expectedFromOptions(options);
        const outcome = db.append(name, expected, events);
        const response = new AppendResp();
        if (outcome.kind === 'stream-deleted') return callback(streamDeletedError(name), null);
        if (outcome.kind === 'wrong-expected-version') {
          const wrong = new AppendResp.WrongExpectedVersion();
          if (outcome.current < 0) wrong.setCurrentNoStream(new Empty());
          else wrong.setCurrentRevision(String(outcome.current));
          if (expected.kind === 'revision') wrong.setExpectedRevision(String(expected.revision));
          else if (expected.kind === 'any') wrong.setExpectedAny(new Empty());
          else if (expected.kind === 'stream-exists') wrong.setExpectedStreamExists(new Empty());
          else wrong.setExpectedNoStream(new Empty());
          response.setWrongExpectedVersion(wrong);
          return callback(null, response);
        }
        const success = new AppendResp.Success();
        if (outcome.revision < 0) success.setNoStream(new Empty());
        else success.setCurrentRevision(String(outcome.revision));
        if (outcome.position === null) {
          success.setNoPosition(new Empty());
        } else {
          const position = new AppendResp.Position();
          position.setCommitPosition(String(outcome.position));
          position.setPreparePosition(String(outcome.position));
          success.setPosition(position);
        }
        response.setSuccess(success);
        callback(null, response);
      });
    },

    batchAppend(call: grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>) {
      if (!features.batchAppend) {
        return fail(call, serviceError(grpc.status.UNIMPLEMENTED, 'Method BatchAppend is unimplemented'));
      }
      const pending = new Map<
        string,
        { options: BatchAppendReq.Options; events: ProposedEvent[]; failure: Status | null }
      >();
      call.on('data', (request: BatchAppendReq) => {
        const correlationId = parseUuid(request.getCorrelationId()) ?? '';
        const requestOptions = request.getOptions();
        if (requestOptions && !pending.has(correlationId)) {
          pending.set(correlationId, { options: requestOptions, events: [], failure: null });
        }
        const write = pending.get(correlationId);
        if (!write) return;
        for (const message of request.getProposedMessagesList()) {
          const proposed = toProposedEvent(message);
          if ('code' in proposed) {
            const details = new BadRequest();
            details.setMessage(proposed.details);
            write.failure ??= packedStatus(
              Code.INVALID_ARGUMENT,
              'BadRequest',
              'event_store.client.BadRequest',
              details.serializeBinary(),
            );
          } else {
            write.events.push(proposed);
          }
        }
        if (!request.getIsFinal()) return;
        pending.delete(correlationId);

        const response = new BatchAppendResp();
        response.setCorrelationId(request.getCorrelationId());
        response.setStreamIdentifier(write.options.getStreamIdentifier());
        const name = streamName(write.options.getStreamIdentifier());
        const deadline = write.options.getDeadline()?.toDate();
        if (write.failure) {
          response.setError(write.failure);
        } else if (deadline && deadline.getTime() <= Date.now()) {
          response.setError(
            packedStatus(Code.DEADLINE_EXCEEDED, 'Timeout', 'event_store.client.Timeout', new Uint8Array()),
          );
        } else {
          const expected = expectedFromOptions(write.options);
          const outcome = db.append(name, expected, write.events);
          if (outcome.kind === 'stream-deleted') {
            const deleted = new StreamDeleted();
            deleted.setStreamIdentifier(streamIdentifier(name));
            response.setError(
              packedStatus(
                Code.NOT_FOUND,
                'StreamDeleted',
                'event_store.client.StreamDeleted',
                deleted.serializeBinary(),
              ),
            );
          } else if (outcome.kind === 'wrong-expected-version') {
            const details = wrongExpectedVersionDetails(expected, outcome.current);
            response.setError(
              packedStatus(
                Code.ALREADY_EXISTS,
                'WrongExpectedVersion',
                'event_store.client.WrongExpectedVersion',
                details.serializeBinary(),
              ),
            );
          } else {
            const success = new BatchAppendResp.Success();
            if (outcome.revision < 0) success.setNoStream(new ProtobufEmpty());
            else success.setCurrentRevision(String(outcome.revision));
            if (outcome.position === null) {
              success.setNoPosition(new ProtobufEmpty());
            } else {
              const position = new AllStreamPosition();
              position.setCommitPosition(String(outcome.position));
              position.setPreparePosition(String(outcome.position));
              success.setPosition(position);
            }
            response.setSuccess(success);
          }
        }
        call.write(response);
      });
      call.on('end', () => call.end());
      call.on('error', () => undefined);
    },

    delete(call: grpc.ServerUnaryCall<DeleteReq, DeleteResp>, callback: grpc.sendUnaryData<DeleteResp>) {
      const options = call.request.getOptions();
      if (!options) return callback(badRequest('Missing delete options'), null);
      const name = streamName(options.getStreamIdentifier());
      const expected = expectedFromOptions(options);
      const outcome = db.delete(name, expected, false);
      if (outcome.kind === 'stream-deleted') return callback(streamDeletedError(name), null);
      if (outcome.kind === 'wrong-expected-version')
        return callback(wrongExpectedVersionError('Delete', name, expected, outcome.current), null);
      const position = new DeleteResp.Position();
      position.setCommitPosition(String(outcome.position));
      position.setPreparePosition(String(outcome.position));
      const response = new DeleteResp();
      response.setPosition(position);
      callback(null, response);
    },

    tombstone(
      call: grpc.ServerUnaryCall<TombstoneReq, TombstoneResp>,
      callback: grpc.sendUnaryData<TombstoneResp>,
    ) {
      const options = call.request.getOptions();
      if (!options) return callback(badRequest('Missing tombstone options'), null);
      const name = streamName(options.getStreamIdentifier());
      const expected = expectedFromOptions(options);
      const outcome = db.delete(name, expected, true);
      if (outcome.kind === 'stream-deleted') return callback(streamDeletedError(name), null);
      if (outcome.kind === 'wrong-expected-version')
        return callback(wrongExpectedVersionError('Delete', name, expected, outcome.current), null);
      const position = new TombstoneResp.Position();
      position.setCommitPosition(String(outcome.position));
      position.setPreparePosition(String(outcome.position));
      const response = new TombstoneResp();
      response.setPosition(position);
      callback(null, response);
    },
  };
}

/** The methods the double serves, as `ServerFeatures.GetSupportedMethods` lists them (lower case, as the server does). */
export function supportedMethods(
  features: DoubleFeatures,
): Array<{ service: string; method: string; features: string[] }> {
  const methods = [
    { service: STREAMS, method: 'Read', features: ['position', 'events'] },
    { service: STREAMS, method: 'Append', features: [] },
    { service: STREAMS, method: 'Delete', features: [] },
    { service: STREAMS, method: 'Tombstone', features: [] },
    {
      service: 'event_store.client.server_features.ServerFeatures',
      method: 'GetSupportedMethods',
      features: [],
    },
  ];
  if (features.batchAppend) methods.push({ service: STREAMS, method: 'BatchAppend', features: [] });
  return methods;
}

export function serverFeaturesImplementation(features: DoubleFeatures): grpc.UntypedServiceImplementation {
  return {
    getSupportedMethods(
      _call: grpc.ServerUnaryCall<Empty, SupportedMethods>,
      callback: grpc.sendUnaryData<SupportedMethods>,
    ) {
      const response = new SupportedMethods();
      response.setEventStoreServerVersion(SERVER_VERSION);
      response.setMethodsList(
        supportedMethods(features).map(({ service, method, features: list }) => {
          const supported = new SupportedMethod();
          supported.setServiceName(service.toLowerCase());
          supported.setMethodName(method.toLowerCase());
          supported.setFeaturesList(list);
          return supported;
        }),
      );
      callback(null, response);
    },
  };
}

export { StreamsService, ServerFeaturesService };
