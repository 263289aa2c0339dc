import fc from 'fast-check';
import { randomBytes, randomUUID } from 'node:crypto';
import { InMemoryEventStore, StoredEvent } from '@accord/event-store';
import { Projection } from '../projection';
import { PROJECTIONS } from '../projections';
import { rebuildReadModel } from '../rebuild';
import { historyArbitrary, playHistory } from '../testing/random-history';
import { postgresBackend, ReadStoreBackend, sqliteBackend } from '../testing/read-store-backends';
import { InitiativeQueries } from '../queries/initiative-queries';
import { PortfolioQueries } from '../queries/portfolio-queries';
import { CheckpointMovedError, ReadStore } from './read-store';

const RANDOM_COMMANDS = 10_000;

/** Events of one initiative, as the command handler would store them (only what the projection reads). */
function stream(
  initiativeId: string,
  startPosition: number,
  types: { type: string; data: object; occurredAt?: string }[],
): StoredEvent[] {
  return types.map(({ type, data, occurredAt }, revision) => ({
    streamId: `initiative-${initiativeId}`,
    revision,
    position: startPosition + revision,
    eventId: randomUUID(),
    type,
    occurredAt: occurredAt ?? `2026-03-0${1 + revision}T09:00:00.000Z`,
    actor: { sub: 'someone', role: 'secretariat', country: null },
    data: { initiativeId, ...data },
    metadata: { correlationId: 'c', causationId: null, schemaVersion: 1, idempotencyKey: null },
    prevHash: '',
    // Any 32 bytes: the transparency log takes every event's hash as a leaf.
    hash: randomBytes(32).toString('hex'),
  }));
}

const proposal = (overrides: object = {}) => ({
  title: 'CubeSat programme',
  summary: 'A constellation',
  category: 'space',
  proposingState: 'AZE',
  participatingStates: ['AZE', 'KAZ', 'TUR'],
  approvalRule: { kind: 'unanimity' },
  signOffDeadline: '2026-06-30T00:00:00.000Z',
  requestedFunding: null,
  proposalVersion: 1,
  ...overrides,
});

describe.each<ReadStoreBackend>([sqliteBackend, postgresBackend])('$name read store', (backend) => {
  let opened: Awaited<ReturnType<ReadStoreBackend['open']>>;
  let store: ReadStore;
  let queries: InitiativeQueries;
  beforeEach(async () => {
    opened = await backend.open();
    store = opened.store;
    queries = new InitiativeQueries(store);
  });
  afterEach(() => opened.dispose());

  /** Before the deadline of every proposal here. */
  const NOW = new Date('2026-03-15T00:00:00Z');

  describe('when batches of the log are applied', () => {
    const a = randomUUID();
    const b = randomUUID();
    const events = [
      ...stream(a, 1, [
        { type: 'InitiativeProposed', data: proposal() },
        {
          type: 'NationalSignOffRecorded',
          data: { state: 'AZE', decision: 'approve', proposalVersion: 1, comment: null },
        },
      ]),
      ...stream(b, 3, [
        {
          type: 'InitiativeProposed',
          data: proposal({
            category: 'green-technology',
            participatingStates: ['KAZ', 'UZB'],
            proposingState: 'KAZ',
          }),
        },
      ]),
    ];

    beforeEach(async () => {
      await store.applyBatch(0, events.slice(0, 2));
      await store.applyBatch(2, events.slice(2));
    });

    it('keeps the state, revision and checkpoint of each initiative', async () => {
      expect(await store.checkpoint()).toBe(3);
      const found = await queries.findInitiative(a);
      expect(found?.revision).toBe(1);
      expect(found?.state.signOffs.map((signOff) => signOff.state)).toEqual(['AZE']);
    });

    it('lists newest first with the filters and a cursor', async () => {
      const all = await queries.list({ limit: 10 });
      expect(all.rows.map((row) => row.state.initiativeId)).toEqual([b, a]);
      expect(
        (await queries.list({ limit: 10, category: 'space' })).rows.map((row) => row.state.initiativeId),
      ).toEqual([a]);
      expect(
        (await queries.list({ limit: 10, participant: 'TUR' })).rows.map((row) => row.state.initiativeId),
      ).toEqual([a]);
      expect(
        (await queries.list({ limit: 10, visibleTo: 'UZB' })).rows.map((row) => row.state.initiativeId),
      ).toEqual([b]);
      expect((await queries.list({ limit: 10, pendingFor: { country: 'AZE', at: NOW } })).rows).toEqual([]);
      expect(
        (await queries.list({ limit: 10, pendingFor: { country: 'KAZ', at: NOW } })).rows.map(
          (row) => row.state.initiativeId,
        ),
      ).toEqual([b, a]);
      const first = await queries.list({ limit: 1 });
      expect(first.hasMore).toBe(true);
      const second = await queries.list({ limit: 1, before: first.rows[0].createdPosition });
      expect(second.rows.map((row) => row.state.initiativeId)).toEqual([a]);
      expect(second.hasMore).toBe(false);
    });

    it('leaves an initiative out of the inbox once its deadline has come, expired or not', async () => {
      const deadline = new Date('2026-06-30T00:00:00Z');
      const justBefore = new Date(deadline.getTime() - 1);
      const inbox = async (at: Date) =>
        (await queries.list({ limit: 10, pendingFor: { country: 'KAZ', at } })).rows.length;
      expect(await inbox(justBefore)).toBe(2);
      expect(await inbox(deadline)).toBe(0);
    });

    it('finds the open initiatives past their deadline', async () => {
      expect(await queries.dueForExpiry(new Date('2026-06-29T00:00:00Z'), 10)).toEqual([]);
      expect((await queries.dueForExpiry(new Date('2026-06-30T00:00:00Z'), 10)).sort()).toEqual(
        [a, b].sort(),
      );
    });

    it('puts every participant back in the inbox after an amendment', async () => {
      await store.applyBatch(3, [
        {
          ...stream(a, 4, [
            { type: 'InitiativeAmended', data: { proposalVersion: 2, changes: { summary: 'New' } } },
          ])[0],
          revision: 2,
        },
      ]);
      expect(
        (await queries.list({ limit: 10, pendingFor: { country: 'AZE', at: NOW } })).rows.map(
          (row) => row.state.initiativeId,
        ),
      ).toEqual([a]);
    });

    it('refuses a batch after a gap in the log, changing nothing', async () => {
      const ahead = stream(randomUUID(), 9, [{ type: 'InitiativeProposed', data: proposal() }]);
      await expect(store.applyBatch(8, ahead)).rejects.toBeInstanceOf(CheckpointMovedError);
      expect(await store.checkpoint()).toBe(3);
      expect((await queries.list({ limit: 10 })).rows).toHaveLength(2);
    });

    it('applies of a batch it has partly seen only the events past its checkpoint (a second projector)', async () => {
      const c = randomUUID();
      const again = [...events, ...stream(c, 4, [{ type: 'InitiativeProposed', data: proposal() }])];
      await store.applyBatch(0, again);
      expect(await store.checkpoint()).toBe(4);
      expect((await queries.findInitiative(a))?.revision).toBe(1);
      expect((await queries.list({ limit: 10 })).rows).toHaveLength(3);
    });

    it('counts the initiatives per status and category (the portfolio)', async () => {
      expect(await new PortfolioQueries(store).counts()).toEqual([
        { status: 'awaiting-sign-offs', category: 'green-technology', initiatives: 1 },
        { status: 'awaiting-sign-offs', category: 'space', initiatives: 1 },
      ]);
      await store.applyBatch(3, [
        {
          ...stream(a, 4, [
            { type: 'InitiativeRejected', data: { proposalVersion: 1, reason: 'rejected-by-state' } },
          ])[0],
          revision: 2,
        },
      ]);
      expect(await new PortfolioQueries(store).counts()).toEqual([
        { status: 'awaiting-sign-offs', category: 'green-technology', initiatives: 1 },
        { status: 'rejected', category: 'space', initiatives: 1 },
      ]);
    });
  });

  describe('when a projection fails in the middle of a rebuild', () => {
    it('fails the rebuild with its error, and leaves the live read model as it was', async () => {
      let rebuildBatches = 0;
      const failing = (projection: Projection): Projection => ({
        ...projection,
        forRebuild: undefined,
        async apply(db, names, events, rebuilding) {
          if (rebuilding && ++rebuildBatches === 3) throw new Error('the disk is full');
          return projection.apply(db, names, events, rebuilding);
        },
      });
      const fresh = await backend.open(
        PROJECTIONS.map((projection) => (projection.name === 'portfolio' ? failing(projection) : projection)),
      );
      try {
        const events = new InMemoryEventStore();
        const [steps] = fc.sample(historyArbitrary(1_000), { numRuns: 1, seed: 42 });
        await playHistory(events, steps);
        const head = await events.headPosition();
        await fresh.store.applyBatch(0, await events.readAll(0, head));
        const live = await fresh.dump();

        await expect(rebuildReadModel(events, fresh.store, { batchSize: 50 })).rejects.toThrow(
          'the disk is full',
        );
        expect(rebuildBatches).toBe(3);
        expect(await fresh.dump()).toEqual(live);
        expect(await fresh.store.checkpoint()).toBe(head);
      } finally {
        await fresh.dispose();
      }
    });
  });

  describe('when rebuilt after a random history', () => {
    // A rebuild on PostgreSQL keeps the rows it changed last between batches (RebuildRows): with 3 kept, most rows
    // are written mid-history, read back and changed again.
    it.each([
      ['', undefined],
      [', keeping 3 rows between batches', 3],
    ])(
      `equals the live read model row for row (${RANDOM_COMMANDS.toLocaleString('en')} random commands%s)`,
      async (_, rowsKept) => {
        const projections =
          rowsKept === undefined
            ? undefined
            : PROJECTIONS.map((projection) => ({
                ...projection,
                forRebuild: projection.forRebuild && (() => projection.forRebuild!({ rowsKept })),
              }));
        await fc.assert(
          fc.asyncProperty(historyArbitrary(RANDOM_COMMANDS), async (steps) => {
            const fresh = await backend.open(projections);
            try {
              const events = new InMemoryEventStore();
              let live = 0;
              // The live projection follows the log in small batches as commands arrive.
              const catchUp = async () => {
                for (
                  let batch = await events.readAll(live, 250);
                  batch.length > 0;
                  batch = await events.readAll(live, 250)
                ) {
                  await fresh.store.applyBatch(live, batch);
                  live = batch[batch.length - 1].position;
                }
              };
              const appended = await playHistory(events, steps, {
                afterEach: async (index) => (index % 97 === 0 ? catchUp() : undefined),
              });
              await catchUp();
              const liveRows = await fresh.dump();

              await rebuildReadModel(events, fresh.store, { batchSize: 700 });
              expect(await fresh.dump()).toEqual(liveRows);
              expect(await fresh.store.checkpoint()).toBe(await events.headPosition());
              // A history that goes nowhere would prove little.
              expect(appended).toBeGreaterThan(RANDOM_COMMANDS / 10);
              expect(liveRows.views.length).toBeGreaterThan(20);
            } finally {
              await fresh.dispose();
            }
          }),
          // Ten thousand steps shrink slowly and print hugely: report the failure as found.
          { numRuns: 1, endOnFailure: true, verbose: 0 },
        );
      },
      180_000,
    );
  });
});
