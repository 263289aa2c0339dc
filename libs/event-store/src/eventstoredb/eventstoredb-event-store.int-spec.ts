import { randomUUID } from 'node:crypto';
import { createServer, Server, Socket } from 'node:net';
import { EventStoreDBClient, jsonEvent, NO_STREAM } from '@eventstore/db-client';
import { EventStoreDbDouble, startEventStoreDbDouble } from '../../../../test/eventstoredb-double';
import { ConcurrencyError, DuplicateEventError, EventStoreUnavailableError } from '../errors';
import { IdempotencyRecord } from '../event-store';
import { eventStoreContract, newEvent } from '../testing/event-store-contract';
import {
  EventStoreDbEventStore,
  EventStoreDbEventStoreOptions,
  keyStreamOf,
  openEventStoreDb,
} from './eventstoredb-event-store';

/**
 * The shared contract over the real client and the real gRPC wire. With EVENTSTORE_CONNECTION_STRING set
 * it runs against that server (`npm run test:eventstoredb`); otherwise against the wire-level double in
 * test/eventstoredb-double. Every test opens its own adapter on one shared server: the contract's streams
 * are random and its global-log checks are relative to the head, so the tests do not see each other.
 */
// Each call is a gRPC round trip (about 2 ms on the double); the contract's 16 racing writers make
// hundreds. Room for a remote server and for `--detectOpenHandles`, which slows every call down.
jest.setTimeout(30_000);

/** What the runtime passes from the domain; a fixture here, so that the adapter's tests need no domain. */
const GLOBAL_LOG_PREFIX = 'initiative-';
const realServer = process.env.EVENTSTORE_CONNECTION_STRING;
let double: EventStoreDbDouble | null = null;
let connectionString = realServer ?? '';

beforeAll(async () => {
  if (realServer) {
    console.log(`EventStoreDB adapter tests: against the real server at ${realServer}`);
    return;
  }
  double = await startEventStoreDbDouble();
  connectionString = double.connectionString;
  console.log(
    `EventStoreDB adapter tests: against the wire-level double at ${connectionString} — no real EventStoreDB server runs on this machine`,
  );
});
afterAll(async () => {
  await double?.stop();
});

eventStoreContract(realServer ? 'EventStoreDB (real server)' : 'EventStoreDB (wire double)', async () =>
  openEventStoreDb(connectionString, { streamPrefixes: [GLOBAL_LOG_PREFIX], operationTimeoutMs: 5_000 }),
);

describe('EventStoreDB event store', () => {
  const stream = () => `initiative-${randomUUID()}`;
  const record = (sub: string, body = '{}'): IdempotencyRecord => ({
    sub,
    key: `k-${randomUUID()}`,
    requestHash: 'h',
    status: 201,
    body,
    createdAt: '2026-03-01T09:00:00.000Z',
  });
  const stores: EventStoreDbEventStore[] = [];
  const open = (options: Partial<EventStoreDbEventStoreOptions> = {}, target = connectionString) => {
    const store = new EventStoreDbEventStore(target, {
      streamPrefixes: [GLOBAL_LOG_PREFIX],
      operationTimeoutMs: 2_000,
      ...options,
    });
    stores.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });

  describe('the global log', () => {
    it('is named by the runtime, and refuses a prefix that would take in every, system or key stream', () => {
      for (const streamPrefix of ['', '$', '$et-', 'accord-', 'accord-idempotency-', 'accord-idempotency-ab'])
        expect(
          () => new EventStoreDbEventStore(connectionString, { streamPrefixes: [streamPrefix] }),
        ).toThrow(/the global log's stream prefix/);
    });

    it('holds the initiative streams only: no idempotency-key streams, no system or metadata events', async () => {
      const store = open();
      const start = await store.headPosition();
      const id = stream();
      await store.append(id, [newEvent('Keyed')], 'no-stream', { idempotency: record('dora') });
      await store.saveIdempotencyRecord(record('dora'));
      const log = await store.readAll(start, 100);
      expect(log.map((event) => event.streamId)).toEqual([id]);
      expect(await store.headPosition()).toBe(log[0].position);
    });

    it('gives each event of a multi-event append its own position and resumes between them', async () => {
      const store = open();
      const start = await store.headPosition();
      const id = stream();
      const result = await store.append(id, [newEvent('A'), newEvent('B'), newEvent('C')], 'no-stream');
      const all = await store.readAll(start, 10);
      expect(all.map((event) => event.type)).toEqual(['A', 'B', 'C']);
      expect(all[2].position).toBe(result.position);
      expect(all[0].position).toBeLessThan(all[1].position);
      expect(all[1].position).toBeLessThan(all[2].position);
      expect((await store.readAll(all[0].position, 10)).map((event) => event.type)).toEqual(['B', 'C']);
      expect((await store.readAll(all[1].position, 1)).map((event) => event.type)).toEqual(['C']);
      expect((await store.readStream(id)).map((event) => event.position)).toEqual(
        all.map((event) => event.position),
      );
    });
  });

  describe('appends', () => {
    it('refuses an event id already in the stream, which EventStoreDB itself would store a second time', async () => {
      const store = open();
      const id = stream();
      const first = newEvent('A');
      await store.append(id, [first, newEvent('B')], 'no-stream');
      await expect(store.append(id, [{ ...first }], 1)).rejects.toBeInstanceOf(DuplicateEventError);
      expect(await store.readStream(id)).toHaveLength(2);
    });
  });

  describe('idempotency keys', () => {
    const keyStream = ({ sub, key }: IdempotencyRecord) => keyStreamOf(sub, key);

    it('answer only once the events they answered for are stored; a key left behind is taken again', async () => {
      const store = open({ orphanedKeyAfterMs: 0 });
      const key = record('erin', '{"first":true}');
      // What an append leaves when it wrote its key and then got no answer, its events never stored.
      const lost = stream();
      const client = EventStoreDBClient.connectionString(connectionString);
      await client.appendToStream(
        keyStream(key),
        jsonEvent({
          type: 'IdempotencyKeyTaken',
          data: { record: key, appended: { streamId: lost, revision: 0, eventId: randomUUID() } },
        }),
        { expectedRevision: NO_STREAM },
      );
      await client.dispose();
      expect(await store.findIdempotencyRecord(key.sub, key.key)).toBeNull();

      const retried = { ...key, body: '{"second":true}' };
      await store.append(stream(), [newEvent('Retried')], 'no-stream', { idempotency: retried });
      expect(await store.findIdempotencyRecord(key.sub, key.key)).toEqual(retried);
      expect(await store.readStream(lost)).toEqual([]);
    });

    it('stay with the append in flight while they are young', async () => {
      const store = open();
      const key = record('gwen');
      const client = EventStoreDBClient.connectionString(connectionString);
      await client.appendToStream(
        keyStream(key),
        jsonEvent({
          type: 'IdempotencyKeyTaken',
          data: { record: key, appended: { streamId: stream(), revision: 0, eventId: randomUUID() } },
        }),
        { expectedRevision: NO_STREAM },
      );
      await client.dispose();
      await expect(
        store.append(stream(), [newEvent()], 'no-stream', { idempotency: key }),
      ).rejects.toBeInstanceOf(ConcurrencyError);
    });

    it('go back when another writer wins the revision, so that the retry can take them', async () => {
      const store = open();
      const id = stream();
      await store.append(id, [newEvent('Start')], 'no-stream');
      const key = record('finn');
      // Both writers saw revision 0; the one with the key loses.
      const [won, lost] = await Promise.allSettled([
        store.append(id, [newEvent('Winner')], 0),
        store.append(id, [newEvent('Loser')], 0, { idempotency: key }),
      ]);
      expect(won.status).toBe('fulfilled');
      expect(lost.status === 'rejected' && lost.reason).toBeInstanceOf(ConcurrencyError);
      expect(await store.findIdempotencyRecord(key.sub, key.key)).toBeNull();
      await store.append(id, [newEvent('Retry')], 1, { idempotency: key });
      expect(await store.findIdempotencyRecord(key.sub, key.key)).toEqual(key);
      expect((await store.readStream(id)).map((event) => event.type)).toEqual(['Start', 'Winner', 'Retry']);
    });
  });

  if (!realServer) {
    describe('through server restarts (double)', () => {
      it('answers "unavailable" while the server is down and works again once it is back', async () => {
        const store = open();
        const id = stream();
        await store.append(id, [newEvent('Before')], 'no-stream');

        await double!.stop();
        const started = Date.now();
        await expect(store.readStream(id)).rejects.toBeInstanceOf(EventStoreUnavailableError);
        await expect(store.append(id, [newEvent('During')], 0)).rejects.toBeInstanceOf(
          EventStoreUnavailableError,
        );
        await expect(store.readAll(0, 10)).rejects.toBeInstanceOf(EventStoreUnavailableError);
        await expect(store.ping()).rejects.toBeInstanceOf(EventStoreUnavailableError);
        expect(Date.now() - started).toBeLessThan(1_000);

        await double!.start();
        await store.ping();
        await store.append(id, [newEvent('After')], 0);
        expect((await store.readStream(id)).map((event) => event.type)).toEqual(['Before', 'After']);
      });

      it('survives a restart between two calls without the caller noticing', async () => {
        const store = open();
        const id = stream();
        await store.append(id, [newEvent('Before')], 'no-stream');
        await double!.restart();
        const attempts = [];
        for (let attempt = 0; attempt < 3; attempt++) {
          const outcome = await store.append(id, [newEvent('After')], 0).then(
            () => 'ok',
            (error: unknown) => error,
          );
          attempts.push(outcome);
          if (outcome === 'ok') break;
          expect(outcome).toBeInstanceOf(EventStoreUnavailableError);
        }
        expect(attempts.at(-1)).toBe('ok');
        expect((await store.readStream(id)).map((event) => event.type)).toEqual(['Before', 'After']);
      });

      it('wakes a waiting follower through a new subscription after the server restarted', async () => {
        // No polling to speak of: only the subscription can wake this follower in time.
        const follower = open({ pollIntervalMs: 60_000 });
        const writer = open();
        const head = await follower.headPosition();
        await follower.waitForAppend(head, 10); // subscribed
        await double!.restart();
        const waiting = follower.waitForAppend(head, 10_000);
        await sleep(200); // the old subscription is seen to drop, a new one runs
        const started = Date.now();
        await writer.append(stream(), [newEvent('Elsewhere')], 'no-stream');
        await waiting;
        expect(Date.now() - started).toBeLessThan(1_000);
        expect((await follower.readAll(head, 10)).map((event) => event.type)).toEqual(['Elsewhere']);
      });
    });

    describe('followers (double)', () => {
      it('are woken by an append made through another connection', async () => {
        const follower = open({ pollIntervalMs: 60_000 });
        const writer = open();
        const head = await follower.headPosition();
        const waiting = follower.waitForAppend(head, 10_000);
        await sleep(100);
        const started = Date.now();
        await writer.append(stream(), [newEvent('Remote')], 'no-stream');
        await waiting;
        expect(Date.now() - started).toBeLessThan(1_000);
      });

      it('are not woken by appends outside the global log', async () => {
        const follower = open({ pollIntervalMs: 60_000 });
        const writer = open();
        const head = await follower.headPosition();
        const started = Date.now();
        const waiting = follower.waitForAppend(head, 300);
        await sleep(50);
        await writer.saveIdempotencyRecord(record('hana'));
        await waiting;
        expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      });
    });

    describe('a server older than 21.10 (double without BatchAppend and filtered reads)', () => {
      it('appends through Append and reads the global log unfiltered, page by page, filtering it here', async () => {
        const old = await startEventStoreDbDouble({ filteredReads: false, batchAppend: false });
        try {
          const store = open({}, old.connectionString);
          const client = EventStoreDBClient.connectionString(old.connectionString);
          const noise = (count: number) =>
            Array.from({ length: count }, (_, n) => jsonEvent({ type: 'Noise', data: { n } }));
          await client.appendToStream('other-1', noise(300));
          await store.append('initiative-a', [newEvent('A0')], 'no-stream');
          await client.appendToStream('other-2', noise(300));
          await store.append('initiative-b', [newEvent('B0'), newEvent('B1')], 'no-stream');
          await client.appendToStream('other-3', noise(300));
          await client.dispose();
          const all = await store.readAll(0, 10);
          expect(all.map((event) => event.type)).toEqual(['A0', 'B0', 'B1']);
          expect((await store.readAll(all[0].position, 1)).map((event) => event.type)).toEqual(['B0']);
          expect(await store.headPosition()).toBe(all[2].position);
          await expect(store.append('initiative-a', [newEvent('A1')], 'no-stream')).rejects.toBeInstanceOf(
            ConcurrencyError,
          );
        } finally {
          await old.stop();
        }
      });
    });
  }

  describe('when the server cannot be reached', () => {
    it('fails fast with "unavailable" when nothing listens', async () => {
      const port = await freePort();
      const store = open({ operationTimeoutMs: 1_000 }, `esdb://127.0.0.1:${port}?tls=false`);
      const started = Date.now();
      await expect(store.append(stream(), [newEvent()], 'no-stream')).rejects.toBeInstanceOf(
        EventStoreUnavailableError,
      );
      await expect(store.readAll(0, 10)).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(store.headPosition()).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(store.findIdempotencyRecord('ida', 'k')).rejects.toBeInstanceOf(
        EventStoreUnavailableError,
      );
      expect(Date.now() - started).toBeLessThan(1_000);
    });

    it('gives up within its deadline when the server takes connections and never answers', async () => {
      const silent = await silentServer();
      try {
        const store = open(
          { operationTimeoutMs: 200, pollIntervalMs: 50 },
          `esdb://127.0.0.1:${silent.port}?tls=false`,
        );
        const calls = [
          () => store.readStream(stream()),
          () => store.append(stream(), [newEvent()], 'no-stream'),
          () => store.readAll(0, 10),
          () => store.ping(),
        ];
        for (const call of calls) {
          const started = Date.now();
          await expect(call()).rejects.toBeInstanceOf(EventStoreUnavailableError);
          expect(Date.now() - started).toBeLessThan(600);
        }
        const started = Date.now();
        await store.waitForAppend(0, 100);
        expect(Date.now() - started).toBeLessThan(300);
      } finally {
        await silent.close();
      }
    });
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Takes TCP connections and never says a word: a hung server, or a network path that drops its replies. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
