/**
 * P1 (sign-off commands per second through HTTP) and P7 (the API's resident memory under that load).
 *
 * The built server runs as a child process on a fresh data directory (embedded SQLite stores, projector and
 * scheduler in-process, as `npm start` runs it). autocannon drives it with 64 connections:
 * - baseline: GET /health/live, before and after the command load (their mean);
 * - set-up: proposals (each a new initiative with all five members), not measured beyond their rate;
 * - P1: sign-offs, each a distinct (initiative, state) pair with that state's focal-point token, so that every
 *   request goes the whole way: JWT, validation, load, decide, hash, durable append. Only 2xx count.
 * The server's VmRSS is sampled every 100 ms from start to stop (P7 = the maximum).
 */
import { randomUUID } from 'node:crypto';
import { BenchContext, Figure, round, sampleRss, sleep } from './lib/common';
import { LoadRequest, LoadResult, runLoad } from './lib/load';
import { MEMBERS, RunningServer, startServer } from './lib/server';

const CONNECTIONS = 64;

export interface P1Options {
  logLevel: string;
  /** Extra node flags for the server (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** Seconds the sign-off window should last, roughly. */
  signOffSeconds: number;
  baselineSeconds: number;
  firstProposals: number;
  /** Profiling: no health baseline, only proposals and sign-offs. */
  skipBaseline?: boolean;
}

export interface P1Result {
  p1: Figure;
  p7: Figure;
  details: Record<string, unknown>;
}

export function p1Options(quick: boolean): P1Options {
  return quick
    ? { logLevel: 'warn', signOffSeconds: 8, baselineSeconds: 4, firstProposals: 1000 }
    : { logLevel: 'warn', signOffSeconds: 30, baselineSeconds: 10, firstProposals: 3000 };
}

function emptyLoad(): LoadResult {
  return {
    duration: 0,
    statuses: {},
    ok2xx: 0,
    non2xx: 0,
    errors: 0,
    timeouts: 0,
    rate: NaN,
    latencyMs: { p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN },
  };
}

export function proposalBody(initiativeId: string): string {
  return JSON.stringify({
    initiativeId,
    title: 'Joint Research, Development and Innovation Fund',
    summary:
      'A fund pooling national contributions to finance joint research projects between the member states.',
    category: 'research-and-innovation',
    proposingState: 'KAZ',
    participatingStates: [...MEMBERS],
    approvalRule: { kind: 'unanimity' },
    signOffDeadline: '2030-06-30T23:59:59Z',
    requestedFunding: { amount: '1500000.00', currency: 'USD' },
  });
}

/** Proposes `count` new initiatives through the API (as the secretariat); answers their ids and the load result. */
export async function proposeMany(
  server: RunningServer,
  count: number,
  secretariat: string,
): Promise<{ ids: string[]; load: LoadResult }> {
  const ids = Array.from({ length: count }, () => randomUUID());
  let next = 0;
  const headers = { authorization: `Bearer ${secretariat}`, 'content-type': 'application/json' };
  const load = await runLoad({
    url: server.url,
    connections: Math.min(CONNECTIONS, count),
    amount: count,
    next: (): LoadRequest => ({
      method: 'POST',
      path: '/v1/initiatives',
      headers,
      body: proposalBody(ids[next++ % ids.length]),
    }),
  });
  const created = load.statuses['201'] ?? 0;
  if (created !== count)
    throw new Error(`Only ${created} of ${count} proposals were created: ${JSON.stringify(load.statuses)}`);
  return { ids, load };
}

/**
 * Whether GET /health/live counts against the per-subject rate limit (it should not): a server with a limit of 3
 * requests a minute is asked 6 times. When it does, the P1 baseline pays the limiter's cost on every request.
 */
export async function healthIsRateLimited(ctx: BenchContext): Promise<boolean> {
  const server = await startServer({
    dataDir: ctx.tempDir('p1-limit'),
    logLevel: 'warn',
    env: { ACCORD_RATE_LIMIT_PER_MINUTE: '3' },
  });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await fetch(`${server.url}/health/live`)).status);
    return statuses.includes(429);
  } finally {
    await server.stop();
  }
}

export async function runP1(ctx: BenchContext, options: P1Options): Promise<P1Result> {
  const dataDir = ctx.tempDir('p1');
  const server = await startServer({ dataDir, logLevel: options.logLevel, nodeArgs: options.nodeArgs });
  const rss = sampleRss(server.pid, 100);
  try {
    const secretariat = await server.token('secretariat');
    const focal = new Map<string, string>();
    for (const state of MEMBERS) focal.set(state, await server.token('focal-point', state, `focal-${state}`));

    const live: LoadRequest = { method: 'GET', path: '/health/live' };
    const baselineRun = () =>
      options.skipBaseline
        ? Promise.resolve(null)
        : runLoad({
            url: server.url,
            connections: CONNECTIONS,
            duration: options.baselineSeconds,
            request: live,
          });
    if (!options.skipBaseline)
      await runLoad({ url: server.url, connections: CONNECTIONS, duration: 2, request: live }); // warm-up
    const baselineBefore = (await baselineRun()) ?? emptyLoad();
    ctx.log(`P1 baseline GET /health/live: ${round(baselineBefore.rate)} req/s`);

    // Initiatives to sign: enough for about `signOffSeconds` at 1.5 × the proposal rate.
    const first = await proposeMany(server, options.firstProposals, secretariat);
    const proposalRate = first.load.rate;
    const wanted = Math.max(
      options.firstProposals,
      Math.ceil((options.signOffSeconds * proposalRate * 1.5) / MEMBERS.length),
    );
    const more =
      wanted > options.firstProposals
        ? await proposeMany(server, wanted - options.firstProposals, secretariat)
        : null;
    const ids = [...first.ids, ...(more?.ids ?? [])];
    ctx.log(`P1 set-up: ${ids.length} initiatives proposed at ${round(proposalRate)} proposals/s`);
    await server.settle();
    await sleep(500);

    // State-major order: request k signs initiative k mod N for state ⌊k / N⌋, so that the 64 requests in flight
    // never touch one initiative together, and every initiative ends approved by its fifth sign-off.
    let next = 0;
    const total = ids.length * MEMBERS.length;
    const bodies = MEMBERS.map((state) => JSON.stringify({ state, decision: 'approve', proposalVersion: 1 }));
    const headers = MEMBERS.map((state) => ({
      authorization: `Bearer ${focal.get(state)}`,
      'content-type': 'application/json',
    }));
    rss.startWindow();
    const signOffs = await runLoad({
      url: server.url,
      connections: CONNECTIONS,
      amount: total,
      next: (): LoadRequest => {
        const k = next++ % total;
        const member = Math.floor(k / ids.length);
        return {
          method: 'POST',
          path: `/v1/initiatives/${ids[k % ids.length]}/sign-offs`,
          headers: headers[member],
          body: bodies[member],
        };
      },
    });
    const rssDuringSignOffs = rss.windowMax;
    ctx.log(
      `P1 sign-offs: ${signOffs.ok2xx} of ${total} answered 2xx in ${signOffs.duration} s = ${round(signOffs.rate)}/s, ` +
        `p99 ${signOffs.latencyMs.p99} ms, statuses ${JSON.stringify(signOffs.statuses)}`,
    );

    await server.settle(); // the projector catches up first: the baseline measures the API alone, as before
    const baselineAfter = (await baselineRun()) ?? emptyLoad();
    ctx.log(`P1 baseline again: ${round(baselineAfter.rate)} req/s`);

    // Every initiative must now be approved: proposal + 5 sign-offs + approval = 7 events (checked on a sample).
    const auditor = await server.token('auditor');
    const sample = [ids[0], ids[Math.floor(ids.length / 2)], ids[ids.length - 1]];
    for (const id of sample) {
      const response = await fetch(`${server.url}/v1/initiatives/${id}/history`, {
        headers: { authorization: `Bearer ${auditor}` },
      });
      const history = (await response.json()) as { events: { type: string }[] };
      if (history.events.length !== 7 || history.events[6].type !== 'InitiativeApproved')
        throw new Error(
          `Initiative ${id} has ${history.events.length} events, expected 7 ending in an approval`,
        );
    }

    const baseline = (baselineBefore.rate + baselineAfter.rate) / 2;
    const ratio = signOffs.rate / baseline;
    const p99 = signOffs.latencyMs.p99;
    const memory = rss.stop();
    const p1: Figure = {
      value: round(signOffs.rate),
      unit: 'sign-offs/s',
      baseline: round(baseline),
      ratio: round(ratio, 3),
      target: '≥ 25 % of GET /health/live req/s; p99 ≤ 50 ms',
      met: ratio >= 0.25 && p99 <= 50,
      p99Ms: p99,
      p50Ms: signOffs.latencyMs.p50,
      p90Ms: signOffs.latencyMs.p90,
      maxMs: signOffs.latencyMs.max,
      ratioMet: ratio >= 0.25,
      p99Met: p99 <= 50,
      requests: total,
      ok2xx: signOffs.ok2xx,
      non2xx: signOffs.non2xx,
      statuses: signOffs.statuses,
      errors: signOffs.errors,
      timeouts: signOffs.timeouts,
      seconds: signOffs.duration,
      connections: CONNECTIONS,
      baselineBefore: round(baselineBefore.rate),
      baselineAfter: round(baselineAfter.rate),
      baselineP99Ms: Math.max(baselineBefore.latencyMs.p99, baselineAfter.latencyMs.p99),
      proposalsPerSecond: round(proposalRate),
      initiatives: ids.length,
      logLevel: options.logLevel,
    };
    const p7: Figure = {
      value: memory.maxMb,
      unit: 'MB',
      baseline: null,
      ratio: null,
      target: '≤ 300 MB',
      met: memory.maxMb <= 300,
      maxDuringSignOffsMb: round(rssDuringSignOffs, 1),
      lastMb: memory.lastMb,
      samples: memory.samples,
      sampledEveryMs: 100,
      /** [seconds since the server started, MB] every ~2 s: start-up, baseline, proposals, sign-offs, baseline. */
      timeline: memory.timeline,
      logLevel: options.logLevel,
    };
    return { p1, p7, details: { dataDir } };
  } catch (error) {
    ctx.log(`P1 failed; the server's last log lines:\n${server.tail()}`);
    throw error;
  } finally {
    rss.stop();
    await server.stop();
  }
}
