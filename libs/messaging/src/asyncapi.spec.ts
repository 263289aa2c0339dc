import { Parser } from '@asyncapi/parser';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  INITIATIVE_EVENT_TYPES,
  InitiativeState,
  isLogStream,
  isProposed,
  LOG_EVENT_SCHEMA_VERSION,
  LogEvent,
  proposalTextOf,
  SCHEMA_VERSION,
  SignatureRef,
} from '@accord/domain';
import { InMemoryEventStore, StoredEvent } from '@accord/event-store';
import { proposalHash } from '@accord/trust';
import {
  AccordKafkaMessage,
  cloudEventType,
  DEFAULT_EVENT_SOURCE,
  EventFamily,
  toKafkaMessage,
} from './cloud-event';
import { TestTransparencyLog } from './testing/log-events';
import { ALL_VARIANTS, runScenario, scenario, scenarioHandler } from './testing/scenarios';

const DOCUMENT = join(__dirname, '..', 'asyncapi.yaml');
/** Events exactly as an older Accord stored them, at schema version 1. */
const V1_HISTORY = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'v1-history.json');
/** DiagnosticSeverity.Error of @stoplight/types. */
const ERROR = 0;
/** The schema versions the document describes: every version an initiative's event was ever stored at. */
const VERSIONS = [1, 2];
/** Every version a transparency log's event was ever stored at. */
const LOG_VERSIONS = [1];
/** Every type of the transparency log's events: adding one to the domain fails to compile here. */
const LOG_EVENT_TYPES = Object.keys({
  CheckpointSigned: true,
  CheckpointCosigned: true,
} satisfies Record<LogEvent['type'], true>) as LogEvent['type'][];
/** Every message the document has: one per family, event type and schema version. */
const FAMILIES: { family: EventFamily; types: readonly string[]; versions: number[] }[] = [
  { family: 'initiative', types: INITIATIVE_EVENT_TYPES, versions: VERSIONS },
  { family: 'log', types: LOG_EVENT_TYPES, versions: LOG_VERSIONS },
];

/** `InitiativeProposed` for version 1, `InitiativeProposedV2` for version 2. */
const messageId = (type: string, version: number) => (version === 1 ? type : `${type}V${version}`);
const messageIdOf = (event: StoredEvent) => messageId(event.type, event.metadata.schemaVersion);

type Json = Record<string, unknown>;
type Validator = ((value: unknown) => boolean) & { errors?: unknown };

/** Verified before the domain sees them; the schema checks only their shape. */
const SIGNATURES: SignatureRef[] = [
  { jws: 'eyJhbGciOiJFZERTQSJ9.eyJjb21tYW5kIjoieCJ9.c2lnbmF0dXJl', kid: 'kaz-2026', alg: 'EdDSA' },
  { jws: 'eyJhbGciOiJFUzI1NiJ9.eyJjb21tYW5kIjoieCJ9.c2lnbmF0dXJl', kid: 'aze-p256', alg: 'ES256' },
];

/**
 * The same lives as `runScenario`, every command signed as a party with keys signs it: with a signature, and a
 * sign-off or change request naming the hash of the current text.
 */
async function runSignedScenario(
  handler: ReturnType<typeof scenarioHandler>,
  initiativeId: string,
  variant: (typeof ALL_VARIANTS)[number],
): Promise<void> {
  let state: InitiativeState = { status: 'not-proposed' };
  for (const [index, command] of scenario(initiativeId, variant).entries()) {
    const text = isProposed(state) ? proposalHash(proposalTextOf(state)) : null;
    const signed = { ...command, metadata: { ...command.metadata, signature: SIGNATURES[index % 2] } };
    if (signed.type === 'RecordNationalSignOff' || signed.type === 'RequestChanges')
      signed.data = { ...signed.data, proposalHash: text };
    const result = await handler.handle(
      `initiative-${initiativeId}`,
      command.type === 'ExpireSignOffs' ? command : signed,
      { correlationId: `signed-${initiativeId}`, causationId: null, idempotencyKey: null },
    );
    if (result.kind !== 'decided') throw new Error('unexpected recalled answer');
    state = result.state;
  }
}

/** The record the relay makes of an event, its value parsed. */
function recordOf(event: StoredEvent): { key: string; value: Json; headers: AccordKafkaMessage['headers'] } {
  const record = toKafkaMessage(event, DEFAULT_EVENT_SOURCE);
  return { key: record.key, value: JSON.parse(record.value) as Json, headers: record.headers };
}

/** The members a schema (dereferenced) declares under `properties`, through its `allOf`s. */
function declaredMembers(schema: Json | undefined): Set<string> {
  const members = new Set(Object.keys((schema?.properties as Json | undefined) ?? {}));
  for (const part of (schema?.allOf as Json[] | undefined) ?? [])
    for (const member of declaredMembers(part)) members.add(member);
  return members;
}

/** The schemas a payload (dereferenced) gives its member `name`, through its `allOf`s. */
function memberSchemas(schema: Json, name: string): Json[] {
  const own = (schema.properties as Record<string, Json> | undefined)?.[name];
  return [
    ...(own ? [own] : []),
    ...((schema.allOf as Json[] | undefined) ?? []).flatMap((part) => memberSchemas(part, name)),
  ];
}

describe('AsyncAPI document (libs/messaging/asyncapi.yaml)', () => {
  let document: NonNullable<Awaited<ReturnType<Parser['parse']>>['document']>;
  /** Version 2 events, as the decider makes them now: unsigned, then signed. */
  let events: StoredEvent[];
  let signedEvents: StoredEvent[];
  /** Version 1 events, as an older Accord stored them. */
  let v1Events: StoredEvent[];
  /** The transparency log's events, as its checkpoint signer and the cosignatures route store them. */
  let logEvents: StoredEvent[];
  let validators: Map<string, { payload: Validator; headers: Validator; key: Validator }>;

  beforeAll(async () => {
    const { document: parsed, diagnostics } = await new Parser().parse(readFileSync(DOCUMENT, 'utf8'));
    const errors = diagnostics.filter((diagnostic) => diagnostic.severity === ERROR);
    expect(errors.map((error) => `${error.path.join('.')}: ${error.message}`)).toEqual([]);
    expect(parsed).toBeDefined();
    document = parsed!;

    // Real events, as the decider makes them, of every type.
    const store = new InMemoryEventStore();
    const handler = scenarioHandler(store);
    for (const [index, variant] of ALL_VARIANTS.entries())
      await runScenario(handler, `00000000-0000-4000-8000-00000000000${index}`, variant);
    events = await store.readAll(0, 1000);
    const signedStore = new InMemoryEventStore();
    const signedHandler = scenarioHandler(signedStore);
    for (const variant of ALL_VARIANTS) await runSignedScenario(signedHandler, randomUUID(), variant);
    signedEvents = await signedStore.readAll(0, 1000);

    v1Events = (JSON.parse(readFileSync(V1_HISTORY, 'utf8')) as { events: StoredEvent[] }).events;

    // Two checkpoints (the second chained to the first) over a growing tree, each cosigned by two states.
    const logStore = new InMemoryEventStore();
    const logHandler = scenarioHandler(logStore);
    const log = new TestTransparencyLog(logStore);
    for (const variant of ['withdrawn', 'funded'] as const) {
      await runScenario(logHandler, randomUUID(), variant);
      const checkpoint = await log.signCheckpoint();
      for (const country of ['KAZ', 'UZB']) await log.cosign(checkpoint, country);
    }
    logEvents = (await logStore.readAll(0, 1000)).filter((event) => isLogStream(event.streamId));

    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    validators = new Map(
      document
        .messages()
        .all()
        .map((message) => [
          message.id(),
          {
            payload: ajv.compile(message.payload()!.json() as object),
            headers: ajv.compile(message.headers()!.json() as object),
            key: ajv.compile(message.bindings().get('kafka')!.value().key as object),
          },
        ]),
    );
  });

  /** Every record validates under its own message (payload, headers and key), and its payload under no other. */
  function expectOnlyUnderItsOwnMessage(event: StoredEvent) {
    const { key, value, headers } = recordOf(event);
    const own = messageIdOf(event);
    expect([...validators.keys()]).toContain(own);
    for (const [id, validate] of validators) {
      const payloadValid = validate.payload(value);
      const headersValid = validate.headers(headers);
      if (id === own) {
        const keyValid = validate.key(key);
        expect({
          message: id,
          errors: validate.payload.errors ?? validate.headers.errors ?? validate.key.errors ?? null,
        }).toEqual({ message: id, errors: null });
        expect(payloadValid && headersValid && keyValid).toBe(true);
      } else expect({ message: id, payloadValid }).toEqual({ message: id, payloadValid: false });
    }
  }

  it('is AsyncAPI 3.0 and describes the topic accord.initiatives.v1', () => {
    expect(document.version()).toBe('3.0.0');
    const channel = document.channels().all()[0];
    expect(channel.address()).toBe('accord.initiatives.v1');
    expect(document.channels().all()).toHaveLength(1);
  });

  it('has one message per event type and schema version, of initiatives and of the log, each on the topic and sent by an operation', () => {
    // The document describes every version up to the one the deciders record now.
    expect(VERSIONS).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, index) => index + 1));
    expect(LOG_VERSIONS).toEqual(Array.from({ length: LOG_EVENT_SCHEMA_VERSION }, (_, index) => index + 1));
    const channelMessages = document
      .channels()
      .all()[0]
      .messages()
      .all()
      .map((message) => message.id());
    const sent = document
      .operations()
      .all()
      .flatMap((operation) =>
        operation
          .messages()
          .all()
          .map((message) => message.id()),
      );
    for (const { family, types, versions } of FAMILIES)
      for (const type of types)
        for (const version of versions) {
          const id = messageId(type, version);
          expect(channelMessages).toContain(id);
          expect(sent).toContain(id);
          // The message is the one of that type and version: its CloudEvents type, in the value and the header.
          const message = document.messages().get(id)!;
          const payloadTypes = memberSchemas(message.payload()!.json() as Json, 'type')
            .map((schema) => schema.const)
            .filter((value) => value !== undefined);
          expect({ id, payloadTypes }).toEqual({
            id,
            payloadTypes: [cloudEventType(family, type, version)],
          });
          const headerType = (message.headers()!.json() as { properties: { ce_type: Json } }).properties
            .ce_type;
          expect({ id, ceType: headerType.const }).toEqual({
            id,
            ceType: cloudEventType(family, type, version),
          });
        }
    const messageCount = FAMILIES.reduce(
      (sum, { types, versions }) => sum + types.length * versions.length,
      0,
    );
    expect(channelMessages).toHaveLength(messageCount);
    expect(new Set(channelMessages).size).toBe(channelMessages.length);
    expect(sent).toHaveLength(messageCount);
  });

  it('describes the key (the initiativeId, or the log stream id) and the headers of every message', () => {
    const logMessages = new Set(LOG_EVENT_TYPES.map((type) => messageId(type, LOG_EVENT_SCHEMA_VERSION)));
    for (const message of document.messages().all()) {
      const key = message.bindings().get('kafka')?.value()?.key as { type?: string } | undefined;
      expect(key?.type).toBe('string');
      const validKey = validators.get(message.id())!.key;
      const keys = { initiative: validKey(randomUUID()), log: validKey('log-cosignatures-12') };
      expect({ message: message.id(), keys }).toEqual({
        message: message.id(),
        keys: logMessages.has(message.id())
          ? { initiative: false, log: true }
          : { initiative: true, log: false },
      });
      expect(Object.keys(message.headers()?.properties() ?? {}).sort()).toEqual([
        'ce_id',
        'ce_type',
        'content-type',
      ]);
      expect(message.contentType()).toBe('application/cloudevents+json');
    }
  });

  it('accepts every record the relay makes of real version 2 events, and only under its version 2 message', () => {
    for (const batch of [events, signedEvents]) {
      expect(new Set(batch.map((event) => event.type))).toEqual(new Set(INITIATIVE_EVENT_TYPES));
      expect(new Set(batch.map((event) => event.metadata.schemaVersion))).toEqual(new Set([2]));
    }
    // The signed lives do carry signatures of both algorithms, and proposal hashes.
    const signatures = signedEvents.map((event) => event.data.signature as SignatureRef | null);
    expect(new Set(signatures.map((signature) => signature?.alg ?? null))).toEqual(
      new Set(['EdDSA', 'ES256', null]),
    );
    const hashed = signedEvents.filter((event) => typeof event.data.proposalHash === 'string');
    expect(new Set(hashed.map((event) => event.type))).toEqual(
      new Set(['NationalSignOffRecorded', 'ChangesRequested']),
    );
    for (const event of [...events, ...signedEvents]) expectOnlyUnderItsOwnMessage(event);
  });

  it('accepts every record of events stored at version 1 by an older Accord, and only under its version 1 message', () => {
    expect(new Set(v1Events.map((event) => event.type))).toEqual(new Set(INITIATIVE_EVENT_TYPES));
    expect(new Set(v1Events.map((event) => event.metadata.schemaVersion))).toEqual(new Set([1]));
    expect(v1Events.filter((event) => 'signature' in event.data || 'proposalHash' in event.data)).toEqual([]);
    for (const event of v1Events) expectOnlyUnderItsOwnMessage(event);
  });

  it('accepts every record the relay makes of the transparency log’s events, and only under its own message', () => {
    expect(new Set(logEvents.map((event) => event.type))).toEqual(new Set(LOG_EVENT_TYPES));
    expect(new Set(logEvents.map((event) => event.metadata.schemaVersion))).toEqual(new Set(LOG_VERSIONS));
    // Both checkpoints, the second chained to the first, and two witnesses' cosignatures of each, a stream per size.
    const streams = new Map<string, number>();
    for (const event of logEvents) streams.set(event.streamId, (streams.get(event.streamId) ?? 0) + 1);
    expect(streams).toEqual(
      new Map([
        ['log-checkpoints', 2],
        ['log-cosignatures-3', 2],
        ['log-cosignatures-13', 2],
      ]),
    );
    for (const event of logEvents) expectOnlyUnderItsOwnMessage(event);
  });

  it('refuses a log record whose data, subject or actor is not what its type says', () => {
    const checkpoint = logEvents.find((event) => event.type === 'CheckpointSigned')!;
    const cosignature = logEvents.find((event) => event.type === 'CheckpointCosigned')!;
    const refused = (event: StoredEvent, change: (value: Json) => void): boolean => {
      const { value } = recordOf(event);
      change(value);
      return !validators.get(messageIdOf(event))!.payload(value);
    };
    const cases: [StoredEvent, string, (value: Json) => void][] = [
      [checkpoint, 'its data as a JSON object', (value) => (value.data = checkpoint.data)],
      [checkpoint, 'as JSON data', (value) => (value.datacontenttype = 'application/json')],
      [
        checkpoint,
        'a note without signature',
        (value) => (value.data = (value.data as string).split('\n\n')[0]),
      ],
      [checkpoint, 'another stream', (value) => (value.subject = 'log-cosignatures-3')],
      [checkpoint, 'signed by a witness', (value) => (value.actorrole = 'witness')],
      [cosignature, 'its data as text', (value) => (value.data = JSON.stringify(value.data))],
      [cosignature, 'keyed as the checkpoints', (value) => (value.subject = 'log-checkpoints')],
      [cosignature, 'without the witness’s country', (value) => delete value.actorcountry],
      [cosignature, 'by a focal point', (value) => (value.actorrole = 'focal-point')],
      [cosignature, 'a root hash in hex', (value) => ((value.data as Json).rootHash = 'ab'.repeat(32))],
      [cosignature, 'without cosignature', (value) => delete (value.data as Json).cosignature],
    ];
    for (const [event, name, change] of cases)
      expect({ type: event.type, name, refused: refused(event, change) }).toEqual({
        type: event.type,
        name,
        refused: true,
      });
  });

  it('declares every member of the data of every version, where the data is a JSON object', () => {
    for (const event of [...v1Events, ...events, ...signedEvents, ...logEvents]) {
      const message = document.messages().get(messageIdOf(event))!;
      const { data } = recordOf(event).value;
      if (typeof data === 'string') continue; // a signed note: its pattern is checked with the payload
      const declared = new Set(
        memberSchemas(message.payload()!.json() as Json, 'data').flatMap((schema) => [
          ...declaredMembers(schema),
        ]),
      );
      const undeclared = Object.keys(data as Json).filter((member) => !declared.has(member));
      expect({ message: message.id(), undeclared }).toEqual({ message: message.id(), undeclared: [] });
    }
  });

  it('refuses a version 2 record without what version 2 adds, or with it malformed', () => {
    const refused = (event: StoredEvent, change: (data: Json) => void): boolean => {
      const { value, headers } = recordOf(event);
      change(value.data as Json);
      const validate = validators.get(messageId(event.type, 2))!;
      return !validate.payload(value) && validate.headers(headers);
    };
    const signed = (type: string) =>
      signedEvents.find((event) => event.type === type && event.data.signature !== null) ??
      signedEvents.find((event) => event.type === type)!;
    for (const type of INITIATIVE_EVENT_TYPES) {
      const event = signed(type);
      const cases: Record<string, (data: Json) => void> = {
        'no signature': (data) => delete data.signature,
        'a signature that is a string': (data) => (data.signature = SIGNATURES[0].jws),
        'a signature without kid': (data) => (data.signature = { jws: SIGNATURES[0].jws, alg: 'EdDSA' }),
        'a signature of another alg': (data) => (data.signature = { ...SIGNATURES[0], alg: 'RS256' }),
        'a signature with another member': (data) => (data.signature = { ...SIGNATURES[0], typ: 'JWT' }),
      };
      if (type === 'NationalSignOffRecorded' || type === 'ChangesRequested')
        Object.assign(cases, {
          'no proposalHash': (data: Json) => delete data.proposalHash,
          'an upper-case proposalHash': (data: Json) => (data.proposalHash = 'AB'.repeat(32)),
          'a short proposalHash': (data: Json) => (data.proposalHash = 'ab'.repeat(31)),
        });
      for (const [name, change] of Object.entries(cases))
        expect({ type, name, refused: refused(event, change) }).toEqual({ type, name, refused: true });
    }
    // A version 1 event is not a version 2 one under another name: its data lacks what version 2 adds.
    for (const event of v1Events) {
      const relabelled = { ...event, metadata: { ...event.metadata, schemaVersion: 2 } };
      const { value, headers } = recordOf(relabelled);
      const validate = validators.get(messageId(event.type, 2))!;
      expect({ event: event.eventId, valid: validate.payload(value) }).toEqual({
        event: event.eventId,
        valid: false,
      });
      expect(validate.headers(headers)).toBe(true);
    }
  });
});
