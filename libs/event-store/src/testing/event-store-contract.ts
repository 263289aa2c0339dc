import { randomUUID } from 'node:crypto';
import { NewEvent } from '../event-record';
import { ConcurrencyError, DuplicateEventError } from '../errors';
import { EventStore, followLog, IdempotencyRecord } from '../event-store';

export function newEvent(
  type = 'Tested',
  data: Record<string, unknown> = {},
  occurredAt = '2026-03-01T09:00:00.000Z',
): NewEvent {
  return {
    eventId: randomUUID(),
    type,
    occurredAt,
    actor: { sub: 'tester', role: 'secretariat', country: null },
    data,
    metadata: { correlationId: randomUUID(), causationId: null, schemaVersion: 1, idempotencyKey: null },
    prevHash: '0'.repeat(64),
    hash: 'f'.repeat(64),
  };
}

const key = (sub: string, keyValue: string): IdempotencyRecord => ({
  sub,
  key: keyValue,
  requestHash: 'abc',
  status: 201,
  body: '{"ok":true}',
  createdAt: '2026-03-01T09:00:00.000Z',
});

/**
 * The contract every EventStore adapter passes (architecture.md, rule 6). `open` gives a fresh, empty
 * store for each test; `reopen`, where given, opens the same store again to prove durability.
 */
export function eventStoreContract(name: string, open: () => Promise<EventStore>) {
  describe(`${name} event store contract`, () => {
    let store: EventStore;
    const stream = () => `initiative-${randomUUID()}`;

    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('when the stream does not exist', () => {
      it('appends the first events at revisions 0.. and reads them back as written', async () => {
        const id = stream();
        const events = [
          newEvent('A', { n: 1, nested: { list: ['x', 'ü'] } }),
          newEvent('B', { amount: '12.50' }),
        ];
        const result = await store.append(id, events, 'no-stream');
        expect(result.revision).toBe(1);

        const read = await store.readStream(id);
        expect(read.map((event) => event.revision)).toEqual([0, 1]);
        expect(
          read.map(({ streamId, revision: _r, position: _p, ...rest }) => ({ streamId, ...rest })),
        ).toEqual(events.map((event) => ({ streamId: id, ...event })));
        expect(read[1].position).toBe(result.position);
        expect(read[0].position).toBeLessThan(read[1].position);
      });

      it('reads an unknown stream as empty', async () => {
        expect(await store.readStream(stream())).toEqual([]);
      });

      it('refuses an append that expects an existing revision', async () => {
        const id = stream();
        await expect(store.append(id, [newEvent()], 0)).rejects.toBeInstanceOf(ConcurrencyError);
        expect(await store.readStream(id)).toEqual([]);
      });
    });

    describe('when the stream has events', () => {
      let id: string;
      beforeEach(async () => {
        id = stream();
        await store.append(id, [newEvent('A'), newEvent('B'), newEvent('C')], 'no-stream');
      });

      it('appends at the expected revision', async () => {
        const result = await store.append(id, [newEvent('D')], 2);
        expect(result.revision).toBe(3);
        expect((await store.readStream(id)).map((event) => event.type)).toEqual(['A', 'B', 'C', 'D']);
      });

      it.each([['no-stream' as const], [1], [3]])(
        'refuses an append expecting %s and stores nothing',
        async (expected) => {
          await expect(store.append(id, [newEvent('X')], expected)).rejects.toBeInstanceOf(ConcurrencyError);
          expect(await store.readStream(id)).toHaveLength(3);
        },
      );

      it('answers a retried append (same event ids, same revision) as the first time, storing nothing new', async () => {
        const events = [newEvent('D'), newEvent('E')];
        const first = await store.append(id, events, 2);
        const again = await store.append(id, events, 2);
        expect(again).toEqual(first);
        expect(await store.readStream(id)).toHaveLength(5);
      });

      it('never stores one event id twice', async () => {
        const [existing] = await store.readStream(id);
        const { streamId: _s, revision: _r, position: _p, ...repeated } = existing;
        const error = await store.append(id, [repeated], 2).catch((caught: unknown) => caught);
        expect(error instanceof DuplicateEventError || error instanceof ConcurrencyError).toBe(true);
        const ids = (await store.readStream(id)).map((event) => event.eventId);
        expect(ids.filter((eventId) => eventId === existing.eventId)).toHaveLength(1);
      });
    });

    describe('when many writers append to one stream at once', () => {
      it('lets exactly one win each revision', async () => {
        const id = stream();
        await store.append(id, [newEvent('Start')], 'no-stream');
        const attempts = await Promise.allSettled(
          Array.from({ length: 32 }, (_, writer) => store.append(id, [newEvent('Race', { writer })], 0)),
        );
        const won = attempts.filter((attempt) => attempt.status === 'fulfilled');
        expect(won).toHaveLength(1);
        for (const attempt of attempts)
          if (attempt.status === 'rejected') expect(attempt.reason).toBeInstanceOf(ConcurrencyError);
        expect(await store.readStream(id)).toHaveLength(2);
      });

      it('keeps every writer that retries with fresh revisions, without gaps or interleaving', async () => {
        const id = stream();
        const writers = 16;
        const eventsPerWriter = 3;
        await Promise.all(
          Array.from({ length: writers }, async (_, writer) => {
            for (;;) {
              const current = (await store.readStream(id)).length - 1;
              const events = Array.from({ length: eventsPerWriter }, (_, n) =>
                newEvent('Step', { writer, n }),
              );
              try {
                await store.append(id, events, current < 0 ? 'no-stream' : current);
                return;
              } catch (error) {
                if (!(error instanceof ConcurrencyError)) throw error;
              }
            }
          }),
        );
        const read = await store.readStream(id);
        expect(read.map((event) => event.revision)).toEqual(
          Array.from({ length: writers * eventsPerWriter }, (_, i) => i),
        );
        for (let batch = 0; batch < writers; batch++) {
          const slice = read.slice(batch * eventsPerWriter, (batch + 1) * eventsPerWriter);
          expect(new Set(slice.map((event) => event.data.writer)).size).toBe(1);
          expect(slice.map((event) => event.data.n)).toEqual([0, 1, 2]);
        }
      });
    });

    describe('the global log', () => {
      it('reads every stream in append order, in batches after a position', async () => {
        const start = await store.headPosition();
        const [a, b] = [stream(), stream()];
        await store.append(a, [newEvent('A0')], 'no-stream');
        await store.append(b, [newEvent('B0'), newEvent('B1')], 'no-stream');
        await store.append(a, [newEvent('A1')], 0);

        const first = await store.readAll(start, 3);
        const rest = await store.readAll(first[first.length - 1].position, 10);
        expect([...first, ...rest].map((event) => event.type)).toEqual(['A0', 'B0', 'B1', 'A1']);
        expect(await store.headPosition()).toBe(rest[rest.length - 1].position);
        expect(await store.readAll(await store.headPosition(), 10)).toEqual([]);
      });

      it('wakes a follower when an event is appended', async () => {
        const controller = new AbortController();
        const head = await store.headPosition();
        const received: string[] = [];
        const following = (async () => {
          for await (const batch of followLog(store, head, {
            batchSize: 10,
            idleWaitMs: 5_000,
            signal: controller.signal,
          })) {
            received.push(...batch.map((event) => event.type));
            if (received.length >= 2) controller.abort();
          }
        })();
        await store.append(stream(), [newEvent('First')], 'no-stream');
        await store.append(stream(), [newEvent('Second')], 'no-stream');
        await following;
        expect(received).toEqual(['First', 'Second']);
      });

      it('lets a wait for appends time out', async () => {
        const started = Date.now();
        await store.waitForAppend(await store.headPosition(), 50);
        expect(Date.now() - started).toBeGreaterThanOrEqual(40);
      });
    });

    describe('idempotency records', () => {
      it('stores a record with the events it answered for', async () => {
        const id = stream();
        await store.append(id, [newEvent()], 'no-stream', { idempotency: key('alice', 'k-1') });
        expect(await store.findIdempotencyRecord('alice', 'k-1')).toEqual(key('alice', 'k-1'));
        expect(await store.findIdempotencyRecord('bob', 'k-1')).toBeNull();
      });

      it('refuses a second append under a key already used, storing none of its events', async () => {
        await store.append(stream(), [newEvent()], 'no-stream', { idempotency: key('alice', 'k-2') });
        const other = stream();
        await expect(
          store.append(other, [newEvent()], 'no-stream', { idempotency: key('alice', 'k-2') }),
        ).rejects.toBeInstanceOf(ConcurrencyError);
        expect(await store.readStream(other)).toEqual([]);
      });

      it('keeps the first record saved for a key', async () => {
        await store.saveIdempotencyRecord(key('carol', 'k-3'));
        await store.saveIdempotencyRecord({ ...key('carol', 'k-3'), status: 200 });
        expect((await store.findIdempotencyRecord('carol', 'k-3'))?.status).toBe(201);
      });
    });
  });
}
