import { randomUUID } from 'node:crypto';
import { verifyChain } from '@accord/audit';
import { Decider } from '@accord/decider';
import { DecisionHandler, RevisionMismatchError } from './decision-handler';
import { InMemoryEventStore } from './in-memory/in-memory-event-store';
import { StoredEvent } from './event-record';

/** A counter that accepts increments up to a limit: just enough of a decider to exercise the handler. */
type Increment = { type: 'Increment'; by: number; limit: number; sub: string; at?: string };
type Incremented = {
  type: 'Incremented';
  data: { by: number };
  metadata: { actor: { sub: string; role: string; country: null }; occurredAt: string };
};
const counter: Decider<Increment, Incremented, number> = {
  initialState: () => 0,
  authorize: (command) => {
    if (command.sub === 'intruder') throw new Error('forbidden');
  },
  evolve: (total, event) => total + event.data.by,
  decide: (command, total) => {
    if (total + command.by > command.limit) throw new Error('limit');
    if (command.by === 0) return [];
    return [
      {
        type: 'Incremented',
        data: { by: command.by },
        metadata: {
          actor: { sub: command.sub, role: 'secretariat', country: null },
          occurredAt: command.at ?? '2026-03-01T09:00:00.000Z',
        },
      },
    ];
  },
};
/** How the counter reads its stored events, and the version it writes them at. */
const OPTIONS = {
  newEventId: randomUUID,
  read: (stored: StoredEvent): Incremented => ({
    type: 'Incremented',
    data: stored.data as { by: number },
    metadata: { actor: { ...stored.actor, country: null }, occurredAt: stored.occurredAt },
  }),
  schemaVersion: 3,
};

/** The counter's value after the stored events. */
const total = (events: readonly StoredEvent[]) =>
  events.reduce((sum, event) => sum + (event.data as { by: number }).by, 0);
const context = { correlationId: 'corr-1', causationId: null, idempotencyKey: null };
const increment = (by: number, limit = 1_000, sub = 'someone'): Increment => ({
  type: 'Increment',
  by,
  limit,
  sub,
});

describe('Command handler', () => {
  let store: InMemoryEventStore;
  let handler: DecisionHandler<Increment, Incremented, number>;
  beforeEach(() => {
    store = new InMemoryEventStore();
    handler = new DecisionHandler(store, counter, OPTIONS);
  });

  describe('when the stream is new', () => {
    it('appends the decided events chained from the genesis hash, with their metadata', async () => {
      const result = await handler.handle('counter-1', increment(2), context);
      expect(result).toEqual({ kind: 'decided', state: 2, revision: 0, appended: 1 });
      const [stored] = await store.readStream('counter-1');
      expect(stored.metadata).toEqual({
        correlationId: 'corr-1',
        causationId: null,
        schemaVersion: 3,
        idempotencyKey: null,
      });
      expect(verifyChain('counter-1', await store.readStream('counter-1')).verified).toBe(true);
    });

    it('appends nothing when the decider decides nothing, answering the current revision', async () => {
      expect(await handler.handle('counter-2', increment(0), context)).toEqual({
        kind: 'decided',
        state: 0,
        revision: -1,
        appended: 0,
      });
    });
  });

  describe('when writers in several processes race on one stream', () => {
    it('decides each command again on fresh state until it lands, keeping the chain whole', async () => {
      const elsewhere = () => new DecisionHandler(store, counter, OPTIONS);
      const results = await Promise.all(
        Array.from({ length: 10 }, () => elsewhere().handle('counter-3', increment(1), context)),
      );
      expect(
        results
          .map((result) => result.kind === 'decided' && result.revision)
          .sort((a, b) => Number(a) - Number(b)),
      ).toEqual(Array.from({ length: 10 }, (_, i) => i));
      const stream = await store.readStream('counter-3');
      expect(total(stream)).toBe(10);
      expect(verifyChain('counter-3', stream)).toMatchObject({ verified: true, eventCount: 10 });
    });

    it('lets a rule refuse a command once the fresh state breaks it', async () => {
      const elsewhere = () => new DecisionHandler(store, counter, OPTIONS);
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, () => elsewhere().handle('counter-4', increment(1, 3), context)),
      );
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(3);
      expect(total(await store.readStream('counter-4'))).toBe(3);
    });
  });

  describe('when the caller names the revision it saw', () => {
    it('refuses the command if the stream moved on', async () => {
      await handler.handle('counter-5', increment(1), context);
      const refused = handler.handle('counter-5', increment(1), { ...context, expectedRevision: [3] });
      await expect(refused).rejects.toBeInstanceOf(RevisionMismatchError);
      // Its stable code, the one the API answers (412) and counts it under.
      await expect(refused).rejects.toMatchObject({ code: 'revision-mismatch', expected: [3], actual: 0 });
      await expect(
        handler.handle('counter-5', increment(1), { ...context, expectedRevision: [2, 0] }),
      ).resolves.toMatchObject({
        revision: 1,
      });
    });

    it('refuses an actor the decider does not authorize before comparing revisions', async () => {
      await handler.handle('counter-6', increment(1), context);
      await expect(
        handler.handle('counter-6', increment(1, 1_000, 'intruder'), { ...context, expectedRevision: [9] }),
      ).rejects.toThrow('forbidden');
    });

    it("takes 'any' as: the stream exists", async () => {
      await expect(
        handler.handle('counter-7', increment(1), { ...context, expectedRevision: 'any' }),
      ).rejects.toBeInstanceOf(RevisionMismatchError);
      await handler.handle('counter-7', increment(1), context);
      await expect(
        handler.handle('counter-7', increment(1), { ...context, expectedRevision: 'any' }),
      ).resolves.toMatchObject({ revision: 1 });
    });
  });

  describe('when a command was decided with a clock behind the stream', () => {
    it("gives its events the stream's last time, so that time never goes backwards in a stream", async () => {
      await handler.handle('counter-8', { ...increment(1), at: '2026-03-01T10:00:00.000Z' }, context);
      const late = await handler.handle(
        'counter-8',
        { ...increment(1), at: '2026-03-01T09:59:59.000Z' },
        context,
      );
      const events = await store.readStream('counter-8');
      expect(events.map((event) => event.occurredAt)).toEqual([
        '2026-03-01T10:00:00.000Z',
        '2026-03-01T10:00:00.000Z',
      ]);
      expect(verifyChain('counter-8', events).verified).toBe(true);
      expect(late).toMatchObject({ revision: 1 });
    });
  });

  describe('when the request was answered before', () => {
    it('answers from memory without deciding again', async () => {
      const result = await handler.handle('counter-6', increment(1), {
        ...context,
        recall: async () => 'remembered',
      });
      expect(result).toEqual({ kind: 'recalled', answer: 'remembered' });
      expect(await store.readStream('counter-6')).toEqual([]);
    });
  });
});
