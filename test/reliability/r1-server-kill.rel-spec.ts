import { randomUUID } from 'node:crypto';
import {
  auditor,
  focalPoint,
  HttpClient,
  mapConcurrently,
  MEMBERS,
  proposalBody,
  secretariat,
  tokenFor,
  Who,
} from './support/http';
import {
  AccordServer,
  freshDataDir,
  killAllStarted,
  n,
  removeDir,
  scale,
  secondsSince,
  sleep,
  startServer,
} from './support/server';
import { StoreReader } from './support/store';

jest.setTimeout(600_000);

const CONNECTIONS = 64;
const KILLS = scale(3, 1);
/** How long the load runs before each SIGKILL: a random moment in this range. */
const LOAD_MS = scale([3000, 6000], [1500, 2500]);

interface Acknowledged {
  kind: 'propose' | 'sign-off';
  initiativeId: string;
  state: string;
  comment: string | null;
  title: string | null;
  revision: number;
  status: number;
}

/**
 * R1 (quality.md): `kill -9` of the embedded server (the compiled `npm start` process, SQLite files) during a
 * 64-connection command load, then a restart on the same data directory: every command that was answered 2xx
 * is stored, and every initiative's hash chain verifies. Several kills in the full variant.
 */
describe('R1: the embedded server killed with SIGKILL under a 64-connection command load', () => {
  const dataDir = freshDataDir('r1');
  let server: AccordServer | null = null;

  afterAll(async () => {
    await server?.stop();
    await killAllStarted();
    removeDir(dataDir);
  });

  /** 64 connections, each proposing an initiative and then signing it off state by state, until `stop`. */
  async function load(
    client: HttpClient,
    stop: { now: boolean; inFlight: number },
    acknowledged: Acknowledged[],
  ) {
    let sent = 0;
    let failed = 0;
    let refused = 0;
    const tokens = new Map<string, string>();
    const token = async (who: Who) => {
      const key = JSON.stringify(who);
      if (!tokens.has(key)) tokens.set(key, await tokenFor(who));
      return tokens.get(key) as string;
    };
    const send = async (path: string, body: Record<string, unknown>, who: Who) => {
      sent++;
      stop.inFlight++;
      try {
        const response = await client.post(path, body, { token: await token(who), timeoutMs: 30_000 });
        if (response.status >= 300) refused++;
        return response;
      } catch {
        failed++; // the server died with this request in flight (or before it was sent)
        return null;
      } finally {
        stop.inFlight--;
      }
    };
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async (_, worker) => {
        while (!stop.now) {
          const initiativeId = randomUUID();
          const proposer = MEMBERS[worker % MEMBERS.length];
          const title = `R1 initiative ${initiativeId.slice(0, 8)} of connection ${worker}`;
          const proposed = await send(
            '/v1/initiatives',
            proposalBody({ initiativeId, title, proposingState: proposer }),
            worker % 2 === 0 ? secretariat : focalPoint(proposer),
          );
          if (!proposed || proposed.status >= 300) continue;
          acknowledged.push({
            kind: 'propose',
            initiativeId,
            state: proposer,
            comment: null,
            title,
            revision: proposed.body.revision,
            status: proposed.status,
          });
          const order = [...MEMBERS].sort(() => Math.random() - 0.5);
          for (const state of order) {
            if (stop.now) break;
            const comment = `R1 ${state} signs ${initiativeId}`;
            const signed = await send(
              `/v1/initiatives/${initiativeId}/sign-offs`,
              { state, decision: 'approve', proposalVersion: 1, comment },
              focalPoint(state),
            );
            if (!signed) break;
            if (signed.status < 300)
              acknowledged.push({
                kind: 'sign-off',
                initiativeId,
                state,
                comment,
                title: null,
                revision: signed.body.revision,
                status: signed.status,
              });
          }
        }
      }),
    );
    return { sent, failed, refused };
  }

  it(`stores every acknowledged command and keeps every chain intact across ${KILLS} SIGKILL(s)`, async () => {
    const started = Date.now();
    const acknowledged: Acknowledged[] = [];
    const lines: string[] = [];
    let totalSent = 0;
    let totalInFlight = 0;

    server = await startServer({ dataDir });
    for (let kill = 1; kill <= KILLS; kill++) {
      const client = new HttpClient(server.url, CONNECTIONS);
      const stop = { now: false, inFlight: 0 };
      const before = acknowledged.length;
      const running = load(client, stop, acknowledged);
      const loadMs = LOAD_MS[0] + Math.random() * (LOAD_MS[1] - LOAD_MS[0]);
      await sleep(loadMs);
      // SIGKILL with 64 requests in flight; the load stops trying once it sees the server gone.
      const inFlight = stop.inFlight;
      await server.kill9();
      stop.now = true;
      const { sent, failed, refused } = await running;
      client.close();
      totalSent += sent;
      totalInFlight += failed;
      const acked = acknowledged.length - before;
      lines.push(
        `kill ${kill} after ${(loadMs / 1000).toFixed(1)} s: ${n(sent)} commands sent, ${n(acked)} answered 2xx, ` +
          `${n(refused)} answered 4xx/5xx, ${inFlight} in flight at the SIGKILL, ${n(failed)} unanswered ` +
          `(in flight or refused once the server was gone)`,
      );
      expect(failed).toBeGreaterThan(0); // the kill landed mid-load
      expect(refused).toBe(0);
      server = await startServer({ dataDir });
    }

    // After the last restart: every acknowledged command is in the store, where its answer said.
    const audit = await tokenFor(auditor);
    const client = new HttpClient(server.url, 16);
    const problems: string[] = [];
    const byInitiative = new Map<string, Acknowledged[]>();
    for (const ack of acknowledged)
      byInitiative.set(ack.initiativeId, [...(byInitiative.get(ack.initiativeId) ?? []), ack]);
    let found = 0;
    await mapConcurrently([...byInitiative], 16, async ([initiativeId, acks]) => {
      const history = await client.get(`/v1/initiatives/${initiativeId}/history`, { token: audit });
      if (history.status !== 200) {
        problems.push(
          `${initiativeId}: /history answered ${history.status} though ${acks.length} command(s) were acknowledged`,
        );
        return;
      }
      const events = history.body.events as {
        revision: number;
        type: string;
        data: { state?: string; comment?: string; title?: string };
      }[];
      for (const ack of acks) {
        const stored =
          ack.kind === 'propose'
            ? events.find(
                (event) =>
                  event.revision === 0 &&
                  event.type === 'InitiativeProposed' &&
                  event.data.title === ack.title,
              )
            : events.find(
                (event) =>
                  event.type === 'NationalSignOffRecorded' &&
                  event.data.state === ack.state &&
                  event.data.comment === ack.comment &&
                  (event.revision === ack.revision || event.revision === ack.revision - 1),
              );
        if (stored && events.length > ack.revision) found++;
        else
          problems.push(
            `${initiativeId}: acknowledged ${ack.kind} ${ack.state} at revision ${ack.revision} is not stored`,
          );
      }
    });

    // Every initiative in the store (acknowledged or not) verifies.
    const store = new StoreReader(dataDir);
    const streams = store.initiatives();
    const storedEvents = [...streams.values()].reduce((sum, count) => sum + count, 0);
    store.close();
    let verified = 0;
    await mapConcurrently([...streams], 16, async ([initiativeId, count]) => {
      const report = await client.get(`/v1/initiatives/${initiativeId}/audit`, { token: audit });
      if (report.status === 200 && report.body.verified === true && report.body.eventCount === count)
        verified++;
      else problems.push(`${initiativeId}: audit ${report.status} ${report.text}`);
    });

    // The restarted server goes on taking commands.
    const after = await client.post('/v1/initiatives', proposalBody(), {
      token: await tokenFor(secretariat),
    });
    expect(after.status).toBe(201);
    client.close();

    console.log(
      [
        `R1: ${KILLS} SIGKILL(s) of the embedded server under ${CONNECTIONS}-connection load (${secondsSince(started)} s):`,
        ...lines.map((line) => `  ${line}`),
        `  ${n(totalSent)} commands sent, ${n(acknowledged.length)} acknowledged, ${n(found)} found in the store ` +
          `after restarts; ${n(totalInFlight)} were unanswered at the kills;`,
        `  ${n(storedEvents)} events in ${n(streams.size)} initiatives, chains verified: ${n(verified)}/${n(streams.size)}`,
      ].join('\n'),
    );
    expect(problems.slice(0, 20)).toEqual([]);
    expect(found).toBe(acknowledged.length);
    expect(verified).toBe(streams.size);
  });
});
