import { randomUUID } from 'node:crypto';
import { StoreReader } from './support/store';
import {
  auditor,
  focalPoint,
  fundBoard,
  HttpClient,
  HttpResponse,
  proposalBody,
  secretariat,
  tokenFor,
  Who,
} from './support/http';
import {
  AccordServer,
  killAllStarted,
  n,
  removeDir,
  scale,
  secondsSince,
  startServer,
} from './support/server';

jest.setTimeout(300_000);

const RETRIES = 10;
const ROUNDS = scale(5, 1);

/** The same command with one field changed (still valid). */
function anotherBody(body: Record<string, unknown>): Record<string, unknown> {
  if ('title' in body) return { ...body, title: 'Another title entirely' };
  if ('reason' in body) return { ...body, reason: 'Another reason' };
  if ('fundingBody' in body) return { ...body, conditions: 'Quarterly reports' };
  if ('decision' in body) return { ...body, comment: 'Another comment' };
  if ('comment' in body) return { ...body, comment: 'Another comment' };
  return { ...body, summary: 'Another summary' };
}

interface Case {
  name: string;
  who: Who;
  /** Sets up what the command needs; answers its path, body and the number of events it appends. */
  prepare: () => Promise<{
    path: string;
    body: Record<string, unknown>;
    events: number;
    initiativeId?: string;
  }>;
}

/**
 * R5 (quality.md): the same command sent 10 times at once with one Idempotency-Key appends one set of events,
 * and all 10 answers are identical — for every command type; again after the answers (an 11th retry), after a
 * restart of the server (a 12th), and never for another body (409 idempotency-key-reused).
 */
describe('R5: one command retried 10 times at once with its Idempotency-Key', () => {
  let server: AccordServer;
  let client: HttpClient;
  beforeAll(async () => {
    server = await startServer();
    client = new HttpClient(server.url, 64);
  });
  afterAll(async () => {
    client?.close();
    await server?.stop();
    await killAllStarted();
    removeDir(server?.dataDir);
  });

  const post = async (path: string, body: unknown, who: Who, key?: string) =>
    client.post(path, body, {
      token: await tokenFor(who),
      headers: key ? { 'idempotency-key': key } : {},
    });
  const proposed = async (overrides: Record<string, unknown> = {}) => {
    const id = randomUUID();
    const response = await post(
      '/v1/initiatives',
      proposalBody({ initiativeId: id, participatingStates: ['KAZ', 'AZE', 'KGZ'], ...overrides }),
      secretariat,
    );
    expect(response.status).toBe(201);
    return id;
  };
  const history = async (id: string) => {
    const response = await client.get(`/v1/initiatives/${id}/history`, { token: await tokenFor(auditor) });
    if (response.status === 404) return [];
    return response.body.events as { type: string; metadata: { idempotencyKey: string | null } }[];
  };

  const cases: Case[] = [
    {
      name: 'ProposeInitiative with a client-chosen id',
      who: secretariat,
      prepare: async () => {
        const id = randomUUID();
        return {
          path: '/v1/initiatives',
          body: proposalBody({ initiativeId: id }),
          events: 1,
          initiativeId: id,
        };
      },
    },
    {
      name: 'ProposeInitiative with a server-chosen id',
      who: focalPoint('TUR'),
      prepare: async () => ({
        path: '/v1/initiatives',
        body: proposalBody({ proposingState: 'TUR' }),
        events: 1,
      }),
    },
    {
      name: 'RecordNationalSignOff',
      who: focalPoint('AZE'),
      prepare: async () => {
        const id = await proposed();
        return {
          path: `/v1/initiatives/${id}/sign-offs`,
          body: { state: 'AZE', decision: 'approve', proposalVersion: 1, comment: 'Agreed' },
          events: 1,
          initiativeId: id,
        };
      },
    },
    {
      name: 'RecordNationalSignOff that approves (two events)',
      who: focalPoint('KGZ'),
      prepare: async () => {
        const id = await proposed();
        for (const state of ['KAZ', 'AZE'])
          expect(
            (
              await post(
                `/v1/initiatives/${id}/sign-offs`,
                { state, decision: 'approve', proposalVersion: 1 },
                focalPoint(state),
              )
            ).status,
          ).toBe(201);
        return {
          path: `/v1/initiatives/${id}/sign-offs`,
          body: { state: 'KGZ', decision: 'approve', proposalVersion: 1 },
          events: 2,
          initiativeId: id,
        };
      },
    },
    {
      name: 'RequestChanges',
      who: focalPoint('KGZ'),
      prepare: async () => {
        const id = await proposed();
        return {
          path: `/v1/initiatives/${id}/change-requests`,
          body: { state: 'KGZ', proposalVersion: 1, comment: 'Please add a budget breakdown' },
          events: 1,
          initiativeId: id,
        };
      },
    },
    {
      name: 'AmendInitiative',
      who: focalPoint('KAZ'),
      prepare: async () => {
        const id = await proposed();
        return {
          path: `/v1/initiatives/${id}/amendments`,
          body: { proposalVersion: 1, summary: `Amended ${randomUUID()}`, category: 'space' },
          events: 1,
          initiativeId: id,
        };
      },
    },
    {
      name: 'WithdrawInitiative',
      who: secretariat,
      prepare: async () => {
        const id = await proposed();
        return {
          path: `/v1/initiatives/${id}/withdrawal`,
          body: { reason: 'Superseded by a joint programme' },
          events: 1,
          initiativeId: id,
        };
      },
    },
    {
      name: 'RecordFundingDecision',
      who: fundBoard,
      prepare: async () => {
        const id = await proposed({ participatingStates: ['KAZ', 'UZB'] });
        for (const state of ['KAZ', 'UZB'])
          expect(
            (
              await post(
                `/v1/initiatives/${id}/sign-offs`,
                { state, decision: 'approve', proposalVersion: 1 },
                focalPoint(state),
              )
            ).status,
          ).toBe(201);
        return {
          path: `/v1/initiatives/${id}/funding-decision`,
          body: {
            decision: 'partially-granted',
            amount: '100000.00',
            currency: 'USD',
            fundingBody: 'OTS Fund',
          },
          events: 1,
          initiativeId: id,
        };
      },
    },
  ];

  it(`appends one set of events and answers identically, for ${cases.length} command types × ${ROUNDS} round(s)`, async () => {
    const started = Date.now();
    const problems: string[] = [];
    const later: { name: string; path: string; body: unknown; who: Who; key: string; first: HttpResponse }[] =
      [];
    let sent = 0;
    let appendedSets = 0;

    for (let round = 0; round < ROUNDS; round++)
      for (const testCase of cases) {
        const { path, body, events, initiativeId } = await testCase.prepare();
        const key = `r5-${round}-${randomUUID()}`;
        const before = initiativeId ? (await history(initiativeId)).length : 0;
        const token = await tokenFor(testCase.who);
        // Ten identical requests in flight together.
        const answers = await Promise.all(
          Array.from({ length: RETRIES }, () =>
            client.post(path, body, { token, headers: { 'idempotency-key': key } }),
          ),
        );
        sent += RETRIES;
        const first = answers[0];
        const distinct = new Set(answers.map((answer) => `${answer.status} ${answer.text}`));
        if (distinct.size !== 1)
          problems.push(`${testCase.name}: ${distinct.size} different answers: ${[...distinct].join(' | ')}`);
        if (first.status !== 201) problems.push(`${testCase.name}: answered ${first.status} ${first.text}`);
        const id = initiativeId ?? first.body?.initiativeId;
        const stored = await history(id);
        const withKey = stored.filter((event) => event.metadata.idempotencyKey === key).length;
        if (stored.length - before !== events || withKey !== events)
          problems.push(
            `${testCase.name}: ${stored.length - before} events appended (${withKey} with the key), expected ${events}`,
          );
        else appendedSets++;
        // A server-chosen id: the ten requests made one initiative, not ten.
        if (!initiativeId) {
          const ids = new Set(answers.map((answer) => answer.body?.initiativeId));
          if (ids.size !== 1) problems.push(`${testCase.name}: ${ids.size} initiatives created`);
        }
        // An 11th retry after the others were answered.
        const again = await client.post(path, body, { token, headers: { 'idempotency-key': key } });
        sent++;
        if (again.status !== first.status || again.text !== first.text)
          problems.push(`${testCase.name}: a later retry answered ${again.status} ${again.text}`);
        // The same key with another body.
        const reused = await client.post(path, anotherBody(body), {
          token,
          headers: { 'idempotency-key': key },
        });
        sent++;
        if (reused.status !== 409 || reused.body?.code !== 'idempotency-key-reused')
          problems.push(
            `${testCase.name}: the key reused with another body answered ${reused.status} ${reused.text}`,
          );
        if ((await history(id)).length !== stored.length)
          problems.push(`${testCase.name}: a retry or a reused key appended events`);
        later.push({ name: testCase.name, path, body, who: testCase.who, key, first });
      }

    // Keys survive a restart: every command retried once more against the restarted server.
    // What requests wrote (the log's checkpoint signer writes on its own): the store as it is on disk.
    const storedHead = (dataDir: string) => {
      const reader = new StoreReader(dataDir);
      try {
        return reader.head();
      } finally {
        reader.close();
      }
    };
    const headBefore = storedHead(server.dataDir);
    expect(await server.stop()).toBe(0);
    client.close();
    server = await startServer({ dataDir: server.dataDir });
    client = new HttpClient(server.url, 64);
    let afterRestart = 0;
    for (const { name, path, body, who, key, first } of later) {
      const again = await post(path, body, who, key);
      sent++;
      if (again.status === first.status && again.text === first.text) afterRestart++;
      else
        problems.push(`${name}: after a restart answered ${again.status} ${again.text}, first ${first.text}`);
    }
    const headAfter = storedHead(server.dataDir);
    if (headAfter !== headBefore)
      problems.push(`retries after the restart moved the head from ${headBefore} to ${headAfter}`);

    // Keys are per subject: another secretariat sending the same key and body proposes its own initiative.
    const shared = `r5-shared-${randomUUID()}`;
    const body = proposalBody();
    const mine = await post('/v1/initiatives', body, secretariat, shared);
    const theirs = await post(
      '/v1/initiatives',
      body,
      { role: 'secretariat', sub: 'deputy-secretary' },
      shared,
    );
    sent += 2;
    if (mine.status !== 201 || theirs.status !== 201 || mine.body.initiativeId === theirs.body.initiativeId)
      problems.push(`one key, two subjects: ${mine.status} ${mine.text} / ${theirs.status} ${theirs.text}`);

    console.log(
      `R5: ${cases.length} command types × ${ROUNDS} round(s), ${RETRIES} concurrent retries each: ` +
        `${appendedSets}/${cases.length * ROUNDS} appended exactly one set of events with identical answers; ` +
        `${afterRestart}/${later.length} retries after a restart answered as the first; ${n(sent)} requests; ` +
        `${secondsSince(started)} s`,
    );
    expect(problems).toEqual([]);
  });
});
