import { randomUUID } from 'node:crypto';
import {
  focalPoint,
  fundBoard,
  HttpClient,
  proposalBody,
  secretariat,
  tokenFor,
  Who,
} from '../reliability/support/http';
import {
  AccordServer,
  freshDataDir,
  killAllStarted,
  n,
  removeDir,
  secondsSince,
  startServer,
} from '../reliability/support/server';
import { StoreReader } from '../reliability/support/store';

jest.setTimeout(300_000);

/**
 * S2 (quality.md): every role × every country × every route of api.md, against domain.md's and api.md's rules —
 * 401 without a token; 403 for an action the role or country may not take; 404 for a focal point whose country
 * takes no part in the initiative (reads and commands alike); 2xx — or 409 where the initiative's status forbids
 * it — otherwise. Every refused request is also checked to have stored nothing.
 *
 * The initiative under test is proposed for KAZ, with KAZ, AZE and TUR taking part: KGZ and UZB are members that
 * take no part, HUN is an observer. Commands get a fresh initiative in the status the row names, so that an
 * allowed cell answers 201 and a refused one proves the refusal alone.
 *
 * Every cell is asked twice: as it is, and with the conditions a caller may add — `If-Match` naming a revision the
 * stream is not at, and on the initiative's own route `minRevision` — which change nothing about who is refused:
 * 401, 403 and 404 stay; only a caller allowed the command learns that the revision differs (412).
 */

/** The callers: the focal point of every member, of an observer, the other roles, and no token at all. */
const COLUMNS = [
  'FP·AZE',
  'FP·KAZ',
  'FP·KGZ',
  'FP·TUR',
  'FP·UZB',
  'FP·HUN',
  'SEC',
  'FUND',
  'AUD',
  'NONE',
] as const;
type Column = (typeof COLUMNS)[number];
const WHO: Record<Column, Who | null> = {
  'FP·AZE': focalPoint('AZE'),
  'FP·KAZ': focalPoint('KAZ'),
  'FP·KGZ': focalPoint('KGZ'),
  'FP·TUR': focalPoint('TUR'),
  'FP·UZB': focalPoint('UZB'),
  'FP·HUN': focalPoint('HUN'),
  SEC: secretariat,
  FUND: fundBoard,
  AUD: { role: 'auditor' },
  NONE: null,
};
/** The caller's own country, or KAZ for the roles that have none. */
const own = (column: Column) => (column.startsWith('FP·') ? column.slice(3) : 'KAZ');

type Setup = 'none' | 'awaiting' | 'withdrawn' | 'rejected' | 'approved' | 'missing';

interface Row {
  action: string;
  setup: Setup;
  method: 'GET' | 'POST';
  path: (id: string) => string;
  body?: (column: Column) => Record<string, unknown>;
  expected: number[];
  /** The initiative's own route, which takes `minRevision`. */
  readsView?: true;
}

const SIGN = (state: (column: Column) => string) => (column: Column) => ({
  state: state(column),
  decision: 'approve',
  proposalVersion: 1,
});
const REQUEST = (state: (column: Column) => string) => (column: Column) => ({
  state: state(column),
  proposalVersion: 1,
  comment: 'Please add a budget breakdown',
});
const AMEND = () => ({ proposalVersion: 1, summary: `Amended ${randomUUID()}` });
const WITHDRAW = () => ({ reason: 'Superseded by a joint programme' });
const FUNDING = () => ({ decision: 'granted', fundingBody: 'OTS Research, Development and Innovation Fund' });
const PROPOSE = (state: (column: Column) => string) => (column: Column) =>
  proposalBody({
    proposingState: state(column),
    participatingStates: [...new Set([state(column), 'KAZ', 'AZE'])],
  });
const id =
  (suffix = '') =>
  (initiative: string) =>
    `/v1/initiatives/${initiative}${suffix}`;

// prettier-ignore
const MATRIX: Row[] = [
  // action                                                          FP·AZE FP·KAZ FP·KGZ FP·TUR FP·UZB FP·HUN  SEC  FUND  AUD  NONE
  { action: 'propose for KAZ',                                        expected: [403,   201,   403,   403,   403,   403,   201,  403,  403,  401], setup: 'none',      method: 'POST', path: () => '/v1/initiatives', body: PROPOSE(() => 'KAZ') },
  { action: 'propose for its own country (KAZ for the others)',       expected: [201,   201,   201,   201,   201,   403,   201,  403,  403,  401], setup: 'none',      method: 'POST', path: () => '/v1/initiatives', body: PROPOSE(own) },
  { action: 'sign off for its own country',                           expected: [201,   201,   404,   201,   404,   404,   403,  403,  403,  401], setup: 'awaiting',  method: 'POST', path: id('/sign-offs'), body: SIGN(own) },
  { action: 'sign off for AZE',                                       expected: [201,   403,   404,   403,   404,   404,   403,  403,  403,  401], setup: 'awaiting',  method: 'POST', path: id('/sign-offs'), body: SIGN(() => 'AZE') },
  { action: 'sign off for its own country, initiative withdrawn',     expected: [409,   409,   404,   409,   404,   404,   403,  403,  403,  401], setup: 'withdrawn', method: 'POST', path: id('/sign-offs'), body: SIGN(own) },
  { action: 'sign off, initiative that does not exist',               expected: [404,   404,   404,   404,   404,   404,   404,  404,  404,  401], setup: 'missing',   method: 'POST', path: id('/sign-offs'), body: SIGN(own) },
  { action: 'request changes for its own country',                    expected: [201,   201,   404,   201,   404,   404,   403,  403,  403,  401], setup: 'awaiting',  method: 'POST', path: id('/change-requests'), body: REQUEST(own) },
  { action: 'request changes for TUR',                                expected: [403,   403,   404,   201,   404,   404,   403,  403,  403,  401], setup: 'awaiting',  method: 'POST', path: id('/change-requests'), body: REQUEST(() => 'TUR') },
  { action: 'request changes, initiative rejected',                   expected: [409,   409,   404,   409,   404,   404,   403,  403,  403,  401], setup: 'rejected',  method: 'POST', path: id('/change-requests'), body: REQUEST(own) },
  { action: 'amend (proposed for KAZ)',                               expected: [403,   201,   404,   403,   404,   404,   201,  403,  403,  401], setup: 'awaiting',  method: 'POST', path: id('/amendments'), body: AMEND },
  { action: 'amend, initiative rejected',                             expected: [403,   409,   404,   403,   404,   404,   409,  403,  403,  401], setup: 'rejected',  method: 'POST', path: id('/amendments'), body: AMEND },
  { action: 'amend, initiative that does not exist',                  expected: [404,   404,   404,   404,   404,   404,   404,  404,  404,  401], setup: 'missing',   method: 'POST', path: id('/amendments'), body: AMEND },
  { action: 'withdraw (proposed for KAZ)',                            expected: [403,   201,   404,   403,   404,   404,   201,  403,  403,  401], setup: 'awaiting',  method: 'POST', path: id('/withdrawal'), body: WITHDRAW },
  { action: 'withdraw, initiative approved',                          expected: [403,   201,   404,   403,   404,   404,   201,  403,  403,  401], setup: 'approved',  method: 'POST', path: id('/withdrawal'), body: WITHDRAW },
  { action: 'withdraw, initiative already withdrawn',                 expected: [403,   409,   404,   403,   404,   404,   409,  403,  403,  401], setup: 'withdrawn', method: 'POST', path: id('/withdrawal'), body: WITHDRAW },
  { action: 'record the funding decision, initiative approved',       expected: [403,   403,   404,   403,   404,   404,   403,  201,  403,  401], setup: 'approved',  method: 'POST', path: id('/funding-decision'), body: FUNDING },
  { action: 'record the funding decision, initiative awaiting',       expected: [403,   403,   404,   403,   404,   404,   403,  409,  403,  401], setup: 'awaiting',  method: 'POST', path: id('/funding-decision'), body: FUNDING },
  { action: 'read the initiative',                                    expected: [200,   200,   404,   200,   404,   404,   200,  200,  200,  401], setup: 'approved',  method: 'GET',  path: id(), readsView: true },
  { action: 'read its history',                                       expected: [200,   200,   404,   200,   404,   404,   200,  200,  200,  401], setup: 'approved',  method: 'GET',  path: id('/history') },
  { action: 'read its state at revision 0',                           expected: [200,   200,   404,   200,   404,   404,   200,  200,  200,  401], setup: 'approved',  method: 'GET',  path: id('/state?atRevision=0') },
  { action: 'read its state at an instant',                           expected: [200,   200,   404,   200,   404,   404,   200,  200,  200,  401], setup: 'approved',  method: 'GET',  path: id(`/state?at=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`) },
  { action: 'audit it',                                               expected: [200,   200,   404,   200,   404,   404,   200,  200,  200,  401], setup: 'approved',  method: 'GET',  path: id('/audit') },
  { action: 'export its audit bundle',                                expected: [200,   200,   404,   200,   404,   404,   200,  200,  200,  401], setup: 'approved',  method: 'GET',  path: id('/audit-bundle') },
  { action: 'read an initiative that does not exist',                 expected: [404,   404,   404,   404,   404,   404,   404,  404,  404,  401], setup: 'missing',   method: 'GET',  path: id(), readsView: true },
  { action: 'read the history of one that does not exist',            expected: [404,   404,   404,   404,   404,   404,   404,  404,  404,  401], setup: 'missing',   method: 'GET',  path: id('/history') },
  { action: 'audit one that does not exist',                          expected: [404,   404,   404,   404,   404,   404,   404,  404,  404,  401], setup: 'missing',   method: 'GET',  path: id('/audit') },
  { action: 'list initiatives',                                       expected: [200,   200,   200,   200,   200,   200,   200,  200,  200,  401], setup: 'approved',  method: 'GET',  path: () => '/v1/initiatives?limit=200' },
  { action: 'list initiatives pending for KAZ',                       expected: [200,   200,   200,   200,   200,   200,   200,  200,  200,  401], setup: 'awaiting',  method: 'GET',  path: () => '/v1/initiatives?pendingFor=KAZ&limit=200' },
  { action: 'read the portfolio counts',                              expected: [403,   403,   403,   403,   403,   403,   200,  200,  200,  401], setup: 'none',      method: 'GET',  path: () => '/v1/portfolio' },
  { action: 'list the parties',                                       expected: [200,   200,   200,   200,   200,   200,   200,  200,  200,  401], setup: 'none',      method: 'GET',  path: () => '/v1/parties' },
  { action: 'GET /health/live (public)',                              expected: [200,   200,   200,   200,   200,   200,   200,  200,  200,  200], setup: 'none',      method: 'GET',  path: () => '/health/live' },
  { action: 'GET /health/ready (public)',                             expected: [200,   200,   200,   200,   200,   200,   200,  200,  200,  200], setup: 'none',      method: 'GET',  path: () => '/health/ready' },
  { action: 'GET /metrics (public)',                                  expected: [200,   200,   200,   200,   200,   200,   200,  200,  200,  200], setup: 'none',      method: 'GET',  path: () => '/metrics' },
  { action: 'GET /docs-json (public)',                                expected: [200,   200,   200,   200,   200,   200,   200,  200,  200,  200], setup: 'none',      method: 'GET',  path: () => '/docs-json' },
];

const CODES: Record<number, string> = {
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not-found',
  412: 'revision-mismatch',
};
const NOT_THE_REVISION = '"99"';

/** With If-Match naming a revision the stream is not at: whoever was allowed the command learns that (412). */
function expectedUnderCondition(row: Row, expected: number): number {
  return row.method === 'POST' && [200, 201, 409].includes(expected) ? 412 : expected;
}

describe('S2: the authorization matrix, every role × every country × every route', () => {
  const dataDir = freshDataDir('s2');
  let server: AccordServer;
  let client: HttpClient;
  let store: StoreReader;

  beforeAll(async () => {
    server = await startServer({ dataDir, env: { ACCORD_ROLES: 'api,projector' } });
    client = new HttpClient(server.url, 8);
    store = new StoreReader(dataDir);
  });
  afterAll(async () => {
    store?.close();
    client?.close();
    await server?.stop();
    await killAllStarted();
    removeDir(dataDir);
  });

  const post = async (path: string, body: unknown, who: Who) => {
    const response = await client.post(path, body, { token: await tokenFor(who) });
    if (response.status >= 300) throw new Error(`setup ${path}: ${response.status} ${response.text}`);
    return response;
  };

  /** An initiative proposed for KAZ with KAZ, AZE and TUR, left in the given status, and its revision. */
  async function initiativeIn(setup: Setup): Promise<{ initiative: string; head: number }> {
    const initiative = randomUUID();
    if (setup === 'missing' || setup === 'none') return { initiative, head: 0 };
    await post(
      '/v1/initiatives',
      proposalBody({
        initiativeId: initiative,
        proposingState: 'KAZ',
        participatingStates: ['KAZ', 'AZE', 'TUR'],
      }),
      focalPoint('KAZ'),
    );
    const sign = (state: string, decision = 'approve') =>
      post(
        `/v1/initiatives/${initiative}/sign-offs`,
        { state, decision, proposalVersion: 1 },
        focalPoint(state),
      );
    if (setup === 'withdrawn')
      await post(`/v1/initiatives/${initiative}/withdrawal`, { reason: 'Not now' }, secretariat);
    if (setup === 'rejected') await sign('TUR', 'reject');
    if (setup === 'approved') for (const state of ['KAZ', 'AZE', 'TUR']) await sign(state);
    // Reads go to the read model: wait until it shows the initiative as it stands.
    const head =
      (
        await client.get(`/v1/initiatives/${initiative}/history`, {
          token: await tokenFor({ role: 'auditor' }),
        })
      ).body.events.length - 1;
    await client.get(`/v1/initiatives/${initiative}?minRevision=${head}`, {
      token: await tokenFor({ role: 'auditor' }),
    });
    return { initiative, head };
  }

  it(`answers exactly the statuses of domain.md and api.md (${MATRIX.length} actions × ${COLUMNS.length} callers × with and without conditions)`, async () => {
    const started = Date.now();
    const mismatches: string[] = [];
    const stored: string[] = [];
    const lines: string[] = [];
    let cells = 0;
    let visibility = 0;
    for (const row of MATRIX) {
      const answers: string[] = [];
      const conditionalAnswers: string[] = [];
      for (const [index, column] of COLUMNS.entries()) {
        for (const conditional of [false, true]) {
          const { initiative, head } = await initiativeIn(row.setup);
          const who = WHO[column];
          const token = who ? await tokenFor(who) : null;
          const headBefore = store.head();
          const path = row.path(initiative) + (conditional && row.readsView ? `?minRevision=${head}` : '');
          const response = await client.request(row.method, path, {
            token,
            json: row.body ? row.body(column) : undefined,
            headers: conditional ? { 'if-match': NOT_THE_REVISION } : {},
          });
          cells++;
          const expected = conditional
            ? expectedUnderCondition(row, row.expected[index])
            : row.expected[index];
          if (conditional) conditionalAnswers.push(String(response.status));
          else answers.push(String(response.status));
          const code = CODES[response.status];
          const asked = `${row.action} as ${column}${conditional ? ' (with If-Match / minRevision)' : ''}`;
          if (response.status !== expected || (code && response.body?.code !== code)) {
            mismatches.push(
              `${asked}: expected ${expected}, got ${response.status} ` +
                `${response.body?.code ?? ''} ${response.body?.detail ?? ''}`,
            );
          }
          if (response.status >= 300 && store.head() !== headBefore)
            stored.push(`${asked}: refused with ${response.status}, yet the log moved`);
          // A list never shows a focal point an initiative its country takes no part in.
          if (
            row.action.startsWith('list initiatives') &&
            response.status === 200 &&
            who?.role === 'focal-point'
          ) {
            const foreign = (response.body.items as { participatingStates: string[] }[]).filter(
              (item) => !item.participatingStates.includes(who.country),
            );
            if (foreign.length > 0)
              mismatches.push(`${asked}: ${foreign.length} initiatives of other countries listed`);
            else visibility++;
          }
        }
      }
      lines.push(`  ${row.action.padEnd(54)} ${answers.map((answer) => answer.padStart(4)).join(' ')}`);
      lines.push(
        `  ${'  …with If-Match / minRevision'.padEnd(54)} ${conditionalAnswers.map((answer) => answer.padStart(4)).join(' ')}`,
      );
    }
    console.log(
      [
        `S2: ${n(cells)} cells (${MATRIX.length} actions × ${COLUMNS.length} callers, each also with If-Match / minRevision) in ${secondsSince(started)} s; ` +
          `${mismatches.length} differ from the expected matrix; ` +
          `${stored.length} refusals stored something; ` +
          `${visibility} focal-point lists checked to hold only their country's initiatives. Observed:`,
        `  ${''.padEnd(54)} ${COLUMNS.map((column) => column.padStart(4)).join(' ')}`,
        ...lines,
      ].join('\n'),
    );
    expect(stored).toEqual([]);
    expect(mismatches).toEqual([]);
  });
});
