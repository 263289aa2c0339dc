import { randomUUID } from 'node:crypto';
import {
  auditor,
  focalPoint,
  HttpClient,
  MEMBERS,
  proposalBody,
  secretariat,
  tokenFor,
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
import { StoreReader } from './support/store';

jest.setTimeout(300_000);

const INITIATIVES = 50;
const ROUNDS = scale(3, 1);

/**
 * R4 (quality.md): the five member states sign fifty initiatives at once — 250 sign-off requests in flight
 * together over HTTP against the compiled embedded server. Every sign-off succeeds exactly once (201), and each
 * initiative gets exactly one InitiativeApproved.
 */
describe('R4: 5 states sign 50 initiatives at once', () => {
  let server: AccordServer;
  let client: HttpClient;

  beforeAll(async () => {
    server = await startServer();
    client = new HttpClient(server.url, INITIATIVES * MEMBERS.length);
  });
  afterAll(async () => {
    client?.close();
    await server?.stop();
    await killAllStarted();
    removeDir(server?.dataDir);
  });

  it(`records every sign-off once and approves each initiative exactly once (${ROUNDS} round(s) of 250)`, async () => {
    const started = Date.now();
    const sec = await tokenFor(secretariat);
    const audit = await tokenFor(auditor);
    const tokens = Object.fromEntries(
      await Promise.all(MEMBERS.map(async (state) => [state, await tokenFor(focalPoint(state))] as const)),
    );
    let signOffs = 0;
    let created = 0;
    let approvals = 0;
    const latencies: number[] = [];
    const problems: string[] = [];

    for (let round = 0; round < ROUNDS; round++) {
      // One abstention in the last rounds: still an approval under unanimity when the others approve.
      const abstaining = round === 0 ? null : MEMBERS[round % MEMBERS.length];
      const ids = Array.from({ length: INITIATIVES }, () => randomUUID());
      for (const id of ids) {
        const proposed = await client.post('/v1/initiatives', proposalBody({ initiativeId: id }), {
          token: sec,
        });
        expect(proposed.status).toBe(201);
      }

      // All 250 at once: every request is started before any answer is awaited.
      const requests = ids.flatMap((id) =>
        MEMBERS.map((state) => ({
          id,
          state,
          answer: client.post(
            `/v1/initiatives/${id}/sign-offs`,
            { state, decision: state === abstaining ? 'abstain' : 'approve', proposalVersion: 1 },
            { token: tokens[state] },
          ),
        })),
      );
      const answers = await Promise.all(
        requests.map(async (request) => ({ ...request, response: await request.answer })),
      );
      signOffs += answers.length;
      created += answers.filter(({ response }) => response.status === 201).length;
      latencies.push(...answers.map(({ response }) => response.elapsedMs));

      for (const { id, state, response } of answers)
        if (response.status !== 201) problems.push(`${id} ${state}: ${response.status} ${response.text}`);
      for (const id of ids) {
        const mine = answers.filter((answer) => answer.id === id).map(({ response }) => response.body);
        const revisions = mine.map((body) => body?.revision).sort((a, b) => a - b);
        // Five sign-offs at revisions 1–5; the last one also appended the approval (revision 6).
        if (JSON.stringify(revisions) !== JSON.stringify([1, 2, 3, 4, 6]))
          problems.push(`${id}: answered revisions ${JSON.stringify(revisions)}`);
        if (mine.filter((body) => body?.status === 'approved').length !== 1)
          problems.push(
            `${id}: ${mine.filter((body) => body?.status === 'approved').length} answers say approved`,
          );

        const history = await client.get(`/v1/initiatives/${id}/history`, { token: audit });
        const types: string[] = history.body.events.map((event: { type: string }) => event.type);
        const approved = types.filter((type) => type === 'InitiativeApproved').length;
        approvals += approved;
        const signedStates = history.body.events
          .filter((event: { type: string }) => event.type === 'NationalSignOffRecorded')
          .map((event: { data: { state: string } }) => event.data.state)
          .sort();
        if (approved !== 1) problems.push(`${id}: ${approved} InitiativeApproved events`);
        if (JSON.stringify(signedStates) !== JSON.stringify([...MEMBERS]))
          problems.push(`${id}: sign-offs stored for ${signedStates.join(',')}`);
        if (types[types.length - 1] !== 'InitiativeApproved' || types.length !== 7)
          problems.push(`${id}: history ${types.join(' → ')}`);
      }
      // The read model follows: every initiative approved, nobody pending.
      for (const id of ids) {
        const view = await client.get(`/v1/initiatives/${id}?minRevision=6`, { token: audit });
        if (view.status !== 200 || view.body.status !== 'approved' || view.body.pendingStates.length !== 0)
          problems.push(`${id}: read model says ${view.status} ${view.body?.status}`);
      }
    }

    const store = new StoreReader(server.dataDir);
    const stored = [...store.initiatives().values()].reduce((sum, count) => sum + count, 0);
    store.close();
    latencies.sort((a, b) => a - b);
    const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
    console.log(
      `R4: ${ROUNDS} round(s) × ${INITIATIVES} initiatives × 5 states = ${n(signOffs)} concurrent sign-offs, ` +
        `${n(created)} answered 201; ` +
        `${n(approvals)} InitiativeApproved for ${n(ROUNDS * INITIATIVES)} initiatives; ${n(stored)} events stored ` +
        `(expected ${n(ROUNDS * INITIATIVES * 7)}); sign-off latency p50 ${p(0.5)} ms, p99 ${p(0.99)} ms, ` +
        `max ${latencies[latencies.length - 1]} ms; ${secondsSince(started)} s`,
    );
    expect(problems).toEqual([]);
    expect(approvals).toBe(ROUNDS * INITIATIVES);
    expect(stored).toBe(ROUNDS * INITIATIVES * 7);
  });
});
