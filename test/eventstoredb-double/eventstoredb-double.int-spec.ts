import { randomUUID } from 'node:crypto';
import {
  AllStreamResolvedEvent,
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  eventTypeFilter,
  Filter,
  FORWARDS,
  jsonEvent,
  NO_STREAM,
  Position,
  ResolvedEvent,
  START,
  STREAM_EXISTS,
  StreamDeletedError,
  streamNameFilter,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { readAllFilteredByStreamPrefix } from '../../libs/event-store/src/eventstoredb/filtered-read';
import { EventStoreDbDouble, startEventStoreDbDouble } from './index';

/** The double's EventStoreDB semantics, seen through the real client over the wire. */
describe.each([
  ['BatchAppend', true],
  ['Append (no BatchAppend, as before 21.10)', false],
])('EventStoreDB double, appending through %s', (_name, batchAppend) => {
  let double: EventStoreDbDouble;
  let client: EventStoreDBClient;
  const stream = () => `s-${randomUUID()}`;
  const event = (type = 'E', data: Record<string, unknown> = {}, id: string = randomUUID()) =>
    jsonEvent({ id, type, data });
  const read = async (name: string, options: Parameters<EventStoreDBClient['readStream']>[1] = {}) => {
    const events: ResolvedEvent[] = [];
    for await (const resolved of client.readStream(name, options)) events.push(resolved);
    return events;
  };
  const readAll = async (options: Parameters<EventStoreDBClient['readAll']>[0] = {}) => {
    const events: AllStreamResolvedEvent[] = [];
    for await (const resolved of client.readAll(options)) events.push(resolved);
    return events;
  };
  const wrongVersion = (promise: Promise<unknown>) =>
    promise.then(
      () => null,
      (error: unknown) => error,
    );

  beforeAll(async () => {
    double = await startEventStoreDbDouble({ batchAppend });
    client = EventStoreDBClient.connectionString(double.connectionString);
  });
  afterAll(async () => {
    await client.dispose();
    await double.stop();
  });

  it('lists the methods it serves as ServerFeatures', () => {
    expect(double.methods).toEqual(
      expect.arrayContaining([
        'event_store.client.streams.Streams/Read',
        'event_store.client.streams.Streams/Append',
        'event_store.client.server_features.ServerFeatures/GetSupportedMethods',
      ]),
    );
    expect(double.methods.includes('event_store.client.streams.Streams/BatchAppend')).toBe(batchAppend);
  });

  describe('expected revisions', () => {
    it('creates with no_stream, then appends at the exact revision', async () => {
      const name = stream();
      const first = await client.appendToStream(name, [event('A'), event('B')], {
        expectedRevision: NO_STREAM,
      });
      expect(first.nextExpectedRevision).toBe(1n);
      const second = await client.appendToStream(name, event('C'), { expectedRevision: 1n });
      expect(second.nextExpectedRevision).toBe(2n);
      expect((await read(name)).map((resolved) => resolved.event?.type)).toEqual(['A', 'B', 'C']);
    });

    it('refuses a wrong exact revision, no_stream on an existing stream, stream_exists on a missing one', async () => {
      const name = stream();
      await client.appendToStream(name, event(), { expectedRevision: NO_STREAM });
      const wrong = await wrongVersion(client.appendToStream(name, event(), { expectedRevision: 5n }));
      expect(wrong).toBeInstanceOf(WrongExpectedVersionError);
      expect(wrong).toMatchObject({ expectedVersion: 5n, actualVersion: 0n });
      expect(
        await wrongVersion(client.appendToStream(name, event(), { expectedRevision: NO_STREAM })),
      ).toMatchObject({
        expectedVersion: 'no_stream',
        actualVersion: 0n,
      });
      expect(
        await wrongVersion(client.appendToStream(stream(), event(), { expectedRevision: STREAM_EXISTS })),
      ).toMatchObject({
        expectedVersion: 'stream_exists',
        actualVersion: 'no_stream',
      });
      expect(
        await wrongVersion(client.appendToStream(stream(), event(), { expectedRevision: 0n })),
      ).toMatchObject({
        actualVersion: 'no_stream',
      });
    });

    it('takes any and stream_exists without looking at the revision', async () => {
      const name = stream();
      await client.appendToStream(name, event(), { expectedRevision: ANY });
      await client.appendToStream(name, event(), { expectedRevision: STREAM_EXISTS });
      expect(await read(name)).toHaveLength(2);
    });
  });

  describe('idempotent appends', () => {
    it('answers a repeated append at the same revision as the first time, writing nothing', async () => {
      const name = stream();
      await client.appendToStream(name, event('A'), { expectedRevision: NO_STREAM });
      const events = [event('B'), event('C')];
      const first = await client.appendToStream(name, events, { expectedRevision: 0n });
      const again = await client.appendToStream(name, events, { expectedRevision: 0n });
      expect(again).toEqual(first);
      const repeatedCreate = await client.appendToStream(
        name,
        event('A', {}, (await read(name))[0].event!.id),
        {
          expectedRevision: NO_STREAM,
        },
      );
      expect(repeatedCreate.nextExpectedRevision).toBe(0n);
      expect(await read(name)).toHaveLength(3);
    });

    it('answers a repeat with any by event id, and refuses a partial repeat', async () => {
      const name = stream();
      const events = [event('A'), event('B')];
      const first = await client.appendToStream(name, events, { expectedRevision: ANY });
      expect(await client.appendToStream(name, events, { expectedRevision: ANY })).toEqual(first);
      const partial = await wrongVersion(
        client.appendToStream(name, [events[0], event('X')], { expectedRevision: NO_STREAM }),
      );
      expect(partial).toBeInstanceOf(WrongExpectedVersionError);
      expect(await read(name)).toHaveLength(2);
    });

    it('stores an event id again at a revision it does not already hold, as EventStoreDB does', async () => {
      const name = stream();
      const repeated = event('A');
      await client.appendToStream(name, repeated, { expectedRevision: NO_STREAM });
      await client.appendToStream(name, jsonEvent({ id: repeated.id, type: 'A', data: {} }), {
        expectedRevision: 0n,
      });
      expect((await read(name)).map((resolved) => resolved.event?.id)).toEqual([repeated.id, repeated.id]);
    });
  });

  describe('positions', () => {
    it('gives each event of one append its own position, commit == prepare, in both reads', async () => {
      const name = stream();
      const result = await client.appendToStream(name, [event('A'), event('B'), event('C')], {
        expectedRevision: NO_STREAM,
      });
      const positions = (await read(name)).map((resolved) => resolved.event!.position!);
      for (const position of positions) expect(position.commit).toBe(position.prepare);
      expect(positions[0].prepare < positions[1].prepare && positions[1].prepare < positions[2].prepare).toBe(
        true,
      );
      expect(result.position).toEqual(positions[2]);
      const fromAll = (await readAll({ fromPosition: positions[0], maxCount: 3 })).map(
        (resolved) => resolved.event!.position,
      );
      expect(fromAll).toEqual(positions);
    });

    it('reads $all forwards from a position including it, backwards excluding it', async () => {
      const name = stream();
      await client.appendToStream(name, [event('A'), event('B'), event('C')]);
      const [a, b] = (await read(name)).map((resolved) => resolved.event!.position!);
      expect((await readAll({ fromPosition: b, maxCount: 1 }))[0].event?.type).toBe('B');
      expect(
        (await readAll({ fromPosition: b, direction: BACKWARDS, maxCount: 1 }))[0].event?.position,
      ).toEqual(a);
      expect((await readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 }))[0].event?.type).toBe(
        'C',
      );
      expect(await readAll({ fromPosition: END, maxCount: 1 })).toEqual([]);
    });

    it('keeps the system events of a fresh server before the first user event', async () => {
      const [first] = await readAll({ fromPosition: START, maxCount: 1 });
      expect(first.event?.streamId.startsWith('$')).toBe(true);
      expect(first.event!.position!.prepare > 0n).toBe(true);
    });
  });

  describe('stream reads', () => {
    it('reads forwards and backwards from a revision', async () => {
      const name = stream();
      await client.appendToStream(
        name,
        ['A', 'B', 'C', 'D'].map((type) => event(type)),
      );
      const types = (resolved: ResolvedEvent[]) => resolved.map((item) => item.event?.type);
      expect(types(await read(name, { fromRevision: 1n, maxCount: 2 }))).toEqual(['B', 'C']);
      expect(types(await read(name, { fromRevision: END, direction: BACKWARDS, maxCount: 2 }))).toEqual([
        'D',
        'C',
      ]);
      expect(types(await read(name, { fromRevision: 2n, direction: BACKWARDS }))).toEqual(['C', 'B', 'A']);
      expect(types(await read(name, { fromRevision: 9n }))).toEqual([]);
      expect(types(await read(name, { direction: FORWARDS, maxCount: 1 }))).toEqual(['A']);
    });

    it('answers data and metadata as written, with the created time', async () => {
      const name = stream();
      const before = Date.now();
      await client.appendToStream(
        name,
        jsonEvent({ type: 'T', data: { a: ['ü', 1] }, metadata: { m: true } }),
      );
      const [resolved] = await read(name);
      expect(resolved.event).toMatchObject({
        type: 'T',
        data: { a: ['ü', 1] },
        metadata: { m: true },
        isJson: true,
      });
      expect(resolved.event!.created.getTime()).toBeGreaterThanOrEqual(before - 1);
    });

    it('says "not found" for a stream never written', async () => {
      await expect(read(stream())).rejects.toBeInstanceOf(StreamNotFoundError);
    });
  });

  describe('deleting', () => {
    it('soft-deletes at the expected revision; the stream reads as not found until written again, numbering on', async () => {
      const name = stream();
      await client.appendToStream(name, [event('A'), event('B')], { expectedRevision: NO_STREAM });
      expect(await wrongVersion(client.deleteStream(name, { expectedRevision: 0n }))).toBeInstanceOf(
        WrongExpectedVersionError,
      );
      await client.deleteStream(name, { expectedRevision: 1n });
      await expect(read(name)).rejects.toBeInstanceOf(StreamNotFoundError);
      const again = await client.appendToStream(name, event('C'), { expectedRevision: NO_STREAM });
      expect(again.nextExpectedRevision).toBe(2n);
      expect((await read(name)).map((resolved) => [resolved.event?.revision, resolved.event?.type])).toEqual([
        [2n, 'C'],
      ]);
      expect(
        await wrongVersion(client.appendToStream(name, event('D'), { expectedRevision: NO_STREAM })),
      ).toBeInstanceOf(WrongExpectedVersionError);
      const metadata = (await readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 10 })).filter(
        (resolved) => resolved.event?.streamId === `$$${name}`,
      );
      expect(metadata.map((resolved) => resolved.event?.type)).toEqual(['$metadata', '$metadata']);
    });

    it('tombstones for good', async () => {
      const name = stream();
      await client.appendToStream(name, event());
      await client.tombstoneStream(name);
      await expect(read(name)).rejects.toBeInstanceOf(StreamDeletedError);
      await expect(client.appendToStream(name, event())).rejects.toBeInstanceOf(StreamDeletedError);
    });
  });

  describe('filters on $all', () => {
    it('serves reads filtered by stream-name prefix, forwards and backwards', async () => {
      const tag = randomUUID().slice(0, 8);
      await client.appendToStream(`keep-${tag}-1`, event('Kept1'));
      await client.appendToStream(`drop-${tag}`, event('Dropped'));
      await client.appendToStream(`keep-${tag}-2`, event('Kept2'));
      const filtered = async (
        direction: 'forwards' | 'backwards',
        fromPosition: typeof START | typeof END,
      ) => {
        const events: AllStreamResolvedEvent[] = [];
        const reading = readAllFilteredByStreamPrefix(client, {
          direction,
          fromPosition,
          maxCount: 10,
          prefixes: [`keep-${tag}`],
        })!;
        for await (const resolved of reading) events.push(resolved);
        return events.map((resolved) => resolved.event?.type);
      };
      expect(await filtered('forwards', START)).toEqual(['Kept1', 'Kept2']);
      expect(await filtered('backwards', END)).toEqual(['Kept2', 'Kept1']);
    });

    it('filters subscriptions by stream-name regex and by event type', async () => {
      const tag = randomUUID().slice(0, 8);
      await client.appendToStream(`one-${tag}`, event(`First${tag}`));
      await client.appendToStream(`two-${tag}`, event(`Second${tag}`));
      const first = async (filter: Filter) => {
        const subscription = client.subscribeToAll({ fromPosition: START, filter });
        for await (const resolved of subscription) {
          await subscription.unsubscribe();
          return resolved.event;
        }
      };
      expect((await first(streamNameFilter({ regex: `^two-${tag}$` })))?.streamId).toBe(`two-${tag}`);
      expect((await first(eventTypeFilter({ prefixes: [`Second${tag}`] })))?.type).toBe(`Second${tag}`);
    });
  });

  describe('subscriptions to $all', () => {
    it('confirm, catch up strictly after the position, say so, then follow live', async () => {
      const name = stream();
      await client.appendToStream(name, [event('Past0'), event('Past1')]);
      const [from] = (await read(name)).map((resolved) => resolved.event!.position!);
      const subscription = client.subscribeToAll({ fromPosition: from });
      const steps: string[] = [];
      subscription.on('confirmation', () => steps.push('confirmed'));
      subscription.on('caughtUp', () => steps.push('caught up'));
      const seen = new Promise<void>((resolve) =>
        subscription.on('data', (resolved: AllStreamResolvedEvent) => {
          if (resolved.event?.streamId !== name) return;
          steps.push(resolved.event.type);
          if (resolved.event.type === 'Live') resolve();
        }),
      );
      await new Promise((resolve) => subscription.once('caughtUp', resolve));
      await client.appendToStream(name, event('Live'));
      await seen;
      await subscription.unsubscribe();
      expect(steps).toEqual(['confirmed', 'Past1', 'caught up', 'Live']);
    });

    it('send a checkpoint every search window times the multiplier of events looked at', async () => {
      const tag = randomUUID().slice(0, 8);
      const start = (await readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 }))[0].event!
        .position!;
      await client.appendToStream(
        `noise-${tag}`,
        Array.from({ length: 10 }, () => event('Noise')),
      );
      const checkpoints: Position[] = [];
      const subscription = client.subscribeToAll({
        fromPosition: start,
        filter: streamNameFilter({
          prefixes: [`wanted-${tag}`],
          maxSearchWindow: 2,
          checkpointInterval: 2,
          checkpointReached: (_subscription, position) => {
            checkpoints.push(position);
          },
        }),
      });
      await new Promise((resolve) => subscription.once('caughtUp', resolve));
      await subscription.unsubscribe();
      expect(checkpoints).toHaveLength(2); // 10 events looked at, one checkpoint every 4
      expect(checkpoints[0].prepare < checkpoints[1].prepare).toBe(true);
    });
  });

  it('keeps its data through a restart on the same port', async () => {
    const name = stream();
    await client.appendToStream(name, event('Kept'));
    const port = double.port;
    await double.restart();
    expect(double.port).toBe(port);
    let events: ResolvedEvent[] | null = null;
    for (let attempt = 0; attempt < 3 && !events; attempt++) events = await read(name).catch(() => null);
    expect(events?.map((resolved) => resolved.event?.type)).toEqual(['Kept']);
  });
});
