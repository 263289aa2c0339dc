import Database from 'better-sqlite3';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { InitiativeStatus } from '@accord/domain';
import { SQLITE_READINESS_SQL, SqliteEventStore, StoredEvent } from '@accord/event-store';
import { InitiativeQueries, ListFilter } from '../queries/initiative-queries';
import { postgresBackend, ReadStoreBackend, sqliteBackend } from '../testing/read-store-backends';
import { ReadStore } from './read-store';

/**
 * The plans of every query the API and the scheduler run on the read model, on a read model of 20,000 initiatives
 * (built by a rebuild, then changed by live batches) on both stores: each list is read from an index in the order
 * it is shown — the inbox and a country's lists from that country's rows — so that a page costs a page, not the
 * read model. A change that brings back a scan (or a sort of everything that matches) fails here.
 *
 * SQLite keeps no statistics: its plans are the same at any size. PostgreSQL plans by its statistics (the rebuild
 * analyses the tables it swaps in): the lists it drives from a country's rows are pinned as on SQLite; where it may
 * choose between two indexes of initiative_views that both give the order (position, or status and position), it
 * may choose either.
 */

const MEMBERS = ['AZE', 'KAZ', 'KGZ', 'TUR', 'UZB'];
const CATEGORIES = ['space', 'green-technology', 'intellectual-property', 'standardization', 'sme-support'];
const NOW = new Date('2026-03-15T00:00:00Z');
const OPEN_DEADLINE = '2026-06-30T00:00:00.000Z';
const PAST_DEADLINE = '2026-03-10T00:00:00.000Z';
const INITIATIVES = 20_000;
const LIMIT = 50;

/** What the read model must answer for one initiative. */
interface Expected {
  id: string;
  createdPosition: number;
  status: InitiativeStatus;
  category: string;
  participants: string[];
  pending: string[];
  deadlineMs: number;
}

type EventSpec = { type: string; data: object };

function storedEvent(id: string, revision: number, position: number, { type, data }: EventSpec): StoredEvent {
  return {
    streamId: `initiative-${id}`,
    revision,
    position,
    eventId: randomUUID(),
    type,
    occurredAt: '2026-03-01T09:00:00.000Z',
    actor: { sub: 'someone', role: 'secretariat', country: null },
    data: { initiativeId: id, ...data },
    metadata: { correlationId: 'c', causationId: null, schemaVersion: 1, idempotencyKey: null },
    prevHash: '',
    // The transparency log takes every initiative event's chain hash as a leaf: 32 bytes.
    hash: randomBytes(32).toString('hex'),
  };
}

/**
 * A log of `initiatives` initiatives, most of them closed and a few open (some past their deadline), KAZ taking part
 * in most and UZB in few; then live batches that amend the initiatives whose changes were requested (new category,
 * UZB added) and approve some open ones. And what the read model should answer.
 */
function history(initiatives: number) {
  const rebuilt: StoredEvent[] = [];
  const expected: Expected[] = [];
  const revisions = new Map<string, number>();
  let position = 0;
  const append = (into: StoredEvent[], id: string, spec: EventSpec) => {
    const revision = revisions.get(id) ?? 0;
    revisions.set(id, revision + 1);
    into.push(storedEvent(id, revision, ++position, spec));
  };
  for (let i = 0; i < initiatives; i++) {
    const id = randomUUID();
    const participants = MEMBERS.filter((country, k) =>
      country === 'KAZ' ? i % 5 !== 0 : country === 'UZB' ? i % 20 === 3 : (i >> k) % 2 === 0,
    );
    for (const country of ['AZE', 'TUR'])
      if (participants.length < 2 && !participants.includes(country)) participants.push(country);
    participants.sort();
    const category = i % 10 === 0 ? 'space' : CATEGORIES[1 + (i % 4)];
    const outcome = i % 100;
    const deadline = outcome === 2 ? PAST_DEADLINE : OPEN_DEADLINE;
    const createdPosition = position + 1;
    append(rebuilt, id, {
      type: 'InitiativeProposed',
      data: {
        title: `Initiative ${i}`,
        summary: 'Synthetic',
        category,
        proposingState: participants[0],
        participatingStates: participants,
        approvalRule: { kind: 'unanimity' },
        signOffDeadline: deadline,
        requestedFunding: null,
        proposalVersion: 1,
      },
    });
    const initiative: Expected = {
      id,
      createdPosition,
      status: 'awaiting-sign-offs',
      category,
      participants,
      pending: [...participants],
      deadlineMs: Date.parse(deadline),
    };
    if (outcome === 3 || outcome === 4) {
      append(rebuilt, id, {
        type: 'NationalSignOffRecorded',
        data: { state: participants[0], decision: 'approve', proposalVersion: 1, comment: null },
      });
      initiative.pending = participants.slice(1);
    } else if (outcome === 5) {
      append(rebuilt, id, {
        type: 'ChangesRequested',
        data: { state: participants[0], proposalVersion: 1, comment: 'Clarify' },
      });
      initiative.status = 'changes-requested';
    } else if (outcome > 5) {
      const [type, status, data]: [string, InitiativeStatus, object] =
        outcome <= 30
          ? ['InitiativeRejected', 'rejected', { reason: 'rejected-by-state', rejectingStates: participants }]
          : outcome <= 50
            ? ['InitiativeWithdrawn', 'withdrawn', { reason: 'Superseded' }]
            : ['InitiativeApproved', 'approved', { approvals: participants, abstentions: [] }];
      append(rebuilt, id, { type, data: { proposalVersion: 1, ...data } });
      initiative.status = status;
    }
    if (initiative.status !== 'awaiting-sign-offs') initiative.pending = [];
    expected.push(initiative);
  }

  const live: StoredEvent[] = [];
  for (const initiative of expected)
    if (initiative.status === 'changes-requested') {
      const participants = [...new Set([...initiative.participants, 'UZB'])].sort();
      append(live, initiative.id, {
        type: 'InitiativeAmended',
        data: {
          proposalVersion: 2,
          changes: { category: 'standardization', participatingStates: participants },
        },
      });
      Object.assign(initiative, {
        status: 'awaiting-sign-offs',
        category: 'standardization',
        participants,
        pending: participants,
      });
    } else if (initiative.status === 'awaiting-sign-offs' && initiative.createdPosition % 3 === 0) {
      append(live, initiative.id, {
        type: 'InitiativeApproved',
        data: { proposalVersion: 1, approvals: initiative.participants, abstentions: [] },
      });
      Object.assign(initiative, { status: 'approved', pending: [] });
    }
  return { rebuilt, live, expected };
}

async function fill(store: ReadStore, rebuilt: StoredEvent[], live: StoredEvent[]): Promise<void> {
  await store.prepareRebuild();
  let position = 0;
  for (let start = 0; start < rebuilt.length; start += 5_000) {
    const batch = rebuilt.slice(start, start + 5_000);
    await store.applyRebuildBatch(position, batch);
    position = batch[batch.length - 1].position;
  }
  await store.finishRebuild(position, async () => []);
  for (let start = 0; start < live.length; start += 50) {
    const batch = live.slice(start, start + 50);
    await store.applyBatch(position, batch);
    position = batch[batch.length - 1].position;
  }
}

/** The page a full scan would answer: newest first, every filter tested on every initiative. */
function expectedPage(all: readonly Expected[], filter: ListFilter) {
  const rows = all
    .filter(
      (initiative) =>
        (filter.status === undefined || initiative.status === filter.status) &&
        (filter.category === undefined || initiative.category === filter.category) &&
        (filter.participant === undefined || initiative.participants.includes(filter.participant)) &&
        (filter.visibleTo === undefined || initiative.participants.includes(filter.visibleTo)) &&
        (filter.pendingFor === undefined ||
          (initiative.pending.includes(filter.pendingFor.country) &&
            initiative.deadlineMs > filter.pendingFor.at.getTime())) &&
        (filter.before === undefined || initiative.createdPosition < filter.before),
    )
    .sort((a, b) => b.createdPosition - a.createdPosition);
  return { ids: rows.slice(0, filter.limit).map((row) => row.id), hasMore: rows.length > filter.limit };
}

/** The filters of the list (each with and without a country's scope) that the plans are pinned for. */
function listCases(middle: number): ListFilter[] {
  const filters: Partial<ListFilter>[] = [
    {},
    { status: 'awaiting-sign-offs' },
    { status: 'rejected' },
    { category: 'space' },
    { status: 'approved', category: 'space' },
    { participant: 'KAZ' },
    { participant: 'UZB' },
    { pendingFor: { country: 'KAZ', at: NOW } },
    { pendingFor: { country: 'UZB', at: NOW } },
    { pendingFor: { country: 'KAZ', at: NOW }, status: 'awaiting-sign-offs', category: 'standardization' },
  ];
  return [undefined, 'KAZ', 'UZB'].flatMap((visibleTo) =>
    filters.flatMap((filter) =>
      [undefined, middle].map((before) => ({ limit: LIMIT, visibleTo, before, ...filter })),
    ),
  );
}

const describeCase = (filter: ListFilter) =>
  JSON.stringify({ ...filter, limit: undefined, pendingFor: filter.pendingFor?.country });

/** The index a list must be read from: its table, and the columns it starts with (one of). */
function drivingIndex(filter: ListFilter): { table: string; columns: string[][] } {
  const country = filter.participant ?? filter.visibleTo;
  const byFilter = (prefix: string[]) => {
    const options = [];
    if (filter.status) options.push([...prefix, 'status', 'created_position']);
    if (filter.category) options.push([...prefix, 'category', 'created_position']);
    return options.length > 0 ? options : [[...prefix, 'created_position']];
  };
  if (filter.pendingFor) return { table: 'pending_sign_offs', columns: [['country', 'created_position']] };
  if (country) return { table: 'initiative_participants', columns: byFilter(['country']) };
  return { table: 'initiative_views', columns: byFilter([]) };
}

type Indexes = Map<string, { table: string; columns: string[] }>;

async function indexesOf(store: ReadStore): Promise<Indexes> {
  const indexes: Indexes = new Map();
  if (store.dialect === 'sqlite') {
    const { rows } = await sql<{ name: string; tbl_name: string }>`
      SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'`.execute(store.reader);
    for (const { name, tbl_name } of rows) {
      const info = await sql<{
        name: string;
      }>`SELECT name FROM pragma_index_info(${name}) ORDER BY seqno`.execute(store.reader);
      indexes.set(name, { table: tbl_name, columns: info.rows.map((column) => column.name) });
    }
  } else {
    const { rows } = await sql<{ indexname: string; tablename: string; indexdef: string }>`
      SELECT indexname, tablename, indexdef FROM pg_indexes WHERE schemaname = current_schema()`.execute(
      store.reader,
    );
    for (const { indexname, tablename, indexdef } of rows) {
      const columns = (/\(([^)]*)\)\s*$/.exec(indexdef)?.[1] ?? '').split(',').map((c) => c.trim());
      indexes.set(indexname, { table: tablename, columns });
    }
  }
  return indexes;
}

const startsWith = (columns: string[], prefix: string[]) =>
  prefix.every((column, i) => columns[i] === column);

/**
 * Checks a list's plan: which index its driving table `d` is read from, and that nothing is scanned or sorted
 * beyond a page. Answers what is wrong, or null.
 */
function planProblem(
  dialect: 'sqlite' | 'postgres',
  plan: string[],
  indexes: Indexes,
  expected: { table: string; columns: string[][] },
  /** PostgreSQL may read initiative_views by position instead (see the top). */
  alsoByPosition: boolean,
): string | null {
  const accepted = (name: string) => {
    const index = indexes.get(name);
    if (!index) return false;
    if (index.table !== expected.table) return false;
    return (
      expected.columns.some((prefix) => startsWith(index.columns, prefix)) ||
      (alsoByPosition && startsWith(index.columns, ['created_position']))
    );
  };
  if (dialect === 'sqlite') {
    const driving = /^(?:SEARCH|SCAN) d USING (?:COVERING )?INDEX (\S+)/.exec(plan[0] ?? '');
    if (!driving || !accepted(driving[1])) return `reads d otherwise than from ${JSON.stringify(expected)}`;
    // Unfiltered, initiative_views is walked by its position index, which is the list's order.
    if (
      plan[0].startsWith('SCAN') &&
      !startsWith(indexes.get(driving[1])?.columns ?? [], ['created_position'])
    )
      return 'scans a whole index';
    // The rest: initiative_views and a second country's participants, by their keys (in a subquery, row by row).
    const other = plan.slice(1).find((line) => !/^\s*(SEARCH |CORRELATED SCALAR SUBQUERY \d+$)/.test(line));
    return other ? `also: ${other.trim()}` : null;
  }
  const seq = plan.find((line) => line.includes('Seq Scan'));
  if (seq) return `scans a table: ${seq.trim()}`;
  const driving = plan
    .map((line) =>
      /(?:Index Scan(?: Backward)?|Index Only Scan(?: Backward)?) using (\S+) on \S+ d\b/.exec(line),
    )
    .find(Boolean);
  const bitmap = plan.some((line) => /Bitmap Heap Scan on \S+ d\b/.test(line))
    ? plan.map((line) => /Bitmap Index Scan on (\S+)/.exec(line)).find(Boolean)
    : null;
  const name = driving?.[1] ?? bitmap?.[1];
  if (!name || !accepted(name)) return `reads d otherwise than from ${JSON.stringify(expected)}`;
  // A sort is fine where the planner expects the matches of the driving index to be a few pages at most (its
  // estimate for a filter as selective as a page moves with the statistics, 52 rows for a page of 51 has been seen);
  // a scan of the views in the wrong order would sort thousands.
  const sort = plan.map((line) => /Sort {2}\(cost=\S+ rows=(\d+)/.exec(line)).find(Boolean);
  if (sort && Number(sort[1]) > 4 * (LIMIT + 1)) return `sorts ${sort[1]} rows`;
  return null;
}

const data = history(INITIATIVES);

describe.each<ReadStoreBackend>([sqliteBackend, postgresBackend])(
  '$name read model of 20,000 initiatives',
  (backend) => {
    let opened: Awaited<ReturnType<ReadStoreBackend['open']>>;
    let store: ReadStore;
    let queries: InitiativeQueries;
    let indexes: Indexes;
    const middle = data.expected[Math.floor(INITIATIVES / 2)].createdPosition;
    beforeAll(async () => {
      opened = await backend.open();
      store = opened.store;
      queries = new InitiativeQueries(store);
      await fill(store, data.rebuilt, data.live);
      indexes = await indexesOf(store);
    }, 120_000);
    afterAll(() => opened.dispose());

    it('answers every filter of the list as a scan of every initiative would', async () => {
      for (const filter of listCases(middle)) {
        const page = await queries.list(filter);
        expect({
          filter: describeCase(filter),
          ids: page.rows.map((row) => row.state.initiativeId),
          hasMore: page.hasMore,
        }).toEqual({ filter: describeCase(filter), ...expectedPage(data.expected, filter) });
      }
      // The data leaves something to find in every case that should find something.
      expect(
        expectedPage(data.expected, { limit: LIMIT, pendingFor: { country: 'UZB', at: NOW } }).ids.length,
      ).toBe(LIMIT);
    });

    it('reads every list, the inbox included, from an index in its order, with a cursor or without', async () => {
      const problems: string[] = [];
      for (const filter of listCases(middle)) {
        const plan = await store.explain(queries.listQuery(filter));
        const alsoByPosition =
          store.dialect === 'postgres' && drivingIndex(filter).table === 'initiative_views';
        const problem = planProblem(store.dialect, plan, indexes, drivingIndex(filter), alsoByPosition);
        if (problem) problems.push(`${describeCase(filter)}: ${problem}\n    ${plan.join('\n    ')}`);
      }
      expect(problems).toEqual([]);
    });

    it('reads one initiative by its key', async () => {
      const plan = await store.explain(queries.findQuery(data.expected[7].id));
      if (store.dialect === 'sqlite')
        expect(plan).toEqual([expect.stringMatching(/^SEARCH .* \(initiative_id=\?\)$/)]);
      else
        expect(plan.join('\n')).toMatch(
          /Index Scan using \S+ on initiative_views[\s\S]*Index Cond: \(initiative_id =/,
        );
    });

    it("finds the scheduler's overdue initiatives from the deadline index", async () => {
      const plan = await store.explain(queries.dueForExpiryQuery(NOW, 100));
      const deadlineIndex = [...indexes].find(
        ([, index]) =>
          index.table === 'initiative_views' && startsWith(index.columns, ['status', 'deadline_ms']),
      )?.[0];
      if (store.dialect === 'sqlite')
        // The sort is of the open initiatives past their deadline alone (those the scheduler expires next).
        expect(plan).toEqual([
          `SEARCH initiative_views USING INDEX ${deadlineIndex} (status=? AND deadline_ms<?)`,
          'USE TEMP B-TREE FOR ORDER BY',
        ]);
      else {
        expect(plan.join('\n')).not.toMatch(/Seq Scan/);
        expect(plan.join('\n')).toMatch(
          new RegExp(`Index (Only )?Scan using ${deadlineIndex} on initiative_views`),
        );
      }
      const overdue = data.expected.filter(
        (initiative) =>
          ['awaiting-sign-offs', 'changes-requested'].includes(initiative.status) &&
          initiative.deadlineMs <= NOW.getTime(),
      );
      expect((await queries.dueForExpiry(NOW, 1000)).sort()).toEqual(overdue.map((i) => i.id).sort());
    });

    it('answers readiness from the checkpoints alone, one row per projection, however large the read model', async () => {
      const tables = new Set<string>();
      for (const query of store.readinessQueries()) {
        const plan = (await store.explain(query)).join('\n');
        for (const match of plan.matchAll(/(?:SCAN|SEARCH|Scan on|Scan using \S+ on) (\w+)/g))
          tables.add(match[1]);
      }
      expect([...tables]).toEqual(['projection_checkpoints']);
      const { rows } = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM projection_checkpoints`.execute(
        store.reader,
      );
      expect(Number(rows[0].n)).toBe(store.projections.length);
    });
  },
);

describe("the SQLite event store's readiness", () => {
  it("reads the head of the log from the primary key's end, not by a scan", async () => {
    const directory = mkdtempSync(join(tmpdir(), 'accord-plans-'));
    try {
      await new SqliteEventStore(join(directory, 'events.db')).close();
      const db = new Database(join(directory, 'events.db'), { readonly: true });
      const plan = (text: string) =>
        (db.prepare(`EXPLAIN QUERY PLAN ${text}`).all() as { detail: string }[]).map((row) => row.detail);
      expect(plan(SQLITE_READINESS_SQL.head)).toEqual(['SEARCH events']);
      expect(plan(SQLITE_READINESS_SQL.ping)).toEqual(['SCAN CONSTANT ROW']);
      db.close();
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
