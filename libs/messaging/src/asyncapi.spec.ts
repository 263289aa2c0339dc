import { Parser } from '@asyncapi/parser';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INITIATIVE_EVENT_TYPES } from '@accord/domain';
import { InMemoryEventStore, StoredEvent } from '@accord/event-store';
import { DEFAULT_EVENT_SOURCE, toKafkaMessage } from './cloud-event';
import { ALL_VARIANTS, runScenario, scenarioHandler } from './testing/scenarios';

const DOCUMENT = join(__dirname, '..', 'asyncapi.yaml');
/** DiagnosticSeverity.Error of @stoplight/types. */
const ERROR = 0;

describe('AsyncAPI document (libs/messaging/asyncapi.yaml)', () => {
  let document: NonNullable<Awaited<ReturnType<Parser['parse']>>['document']>;
  let events: StoredEvent[];

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
  });

  it('is AsyncAPI 3.0 and describes the topic accord.initiatives.v1', () => {
    expect(document.version()).toBe('3.0.0');
    const channel = document.channels().all()[0];
    expect(channel.address()).toBe('accord.initiatives.v1');
    expect(document.channels().all()).toHaveLength(1);
  });

  it('has one message per event type, each on the topic and sent by an operation', () => {
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
    for (const type of INITIATIVE_EVENT_TYPES) {
      expect(channelMessages).toContain(type);
      expect(sent).toContain(type);
    }
    expect(channelMessages).toHaveLength(INITIATIVE_EVENT_TYPES.length);
  });

  it('describes the key (the initiativeId) and the headers of every message', () => {
    for (const message of document.messages().all()) {
      const key = message.bindings().get('kafka')?.value()?.key as { type?: string } | undefined;
      expect(key?.type).toBe('string');
      expect(Object.keys(message.headers()?.properties() ?? {}).sort()).toEqual([
        'ce_id',
        'ce_type',
        'content-type',
      ]);
      expect(message.contentType()).toBe('application/cloudevents+json');
    }
  });

  it('accepts every record the relay makes of real events, and only under its own message', () => {
    expect(new Set(events.map((event) => event.type))).toEqual(new Set(INITIATIVE_EVENT_TYPES));
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const validators = new Map(
      document
        .messages()
        .all()
        .map((message) => [
          message.id(),
          {
            payload: ajv.compile(message.payload()!.json() as object),
            headers: ajv.compile(message.headers()!.json() as object),
          },
        ]),
    );
    for (const event of events) {
      const record = toKafkaMessage(event, DEFAULT_EVENT_SOURCE);
      const value = JSON.parse(record.value);
      for (const [id, validate] of validators) {
        const payloadValid = validate.payload(value);
        const headersValid = validate.headers(record.headers);
        if (id === event.type) {
          expect({
            event: event.type,
            errors: validate.payload.errors ?? validate.headers.errors ?? null,
          }).toEqual({
            event: event.type,
            errors: null,
          });
          expect(payloadValid && headersValid).toBe(true);
        } else expect(payloadValid).toBe(false);
      }
    }
  });
});
