import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { median, percentile } from '../../bench/lib/common';
import { generateHistory } from '../../bench/lib/history';
import {
  checkpointOf,
  noteSignedBy,
  parseVkey,
  rfcTreeHash,
  rfcVerifyConsistency,
  rfcVerifyInclusion,
} from '../support/rfc9162';
import {
  auditor,
  focalPoint,
  HttpClient,
  MEMBERS,
  proposalBody,
  secretariat,
  tokenFor,
} from './support/http';
import { seededRandom } from './support/random';
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
import { base64Hashes, leafInput, LogLeaf, LogReader, storedLeafCount } from './support/transparency-log';

jest.setTimeout(900_000);

const LARGE = scale(100_000, 25_000);
const SMALL = 1_000;
/** Timed requests per kind of proof and per tree. */
const PROOFS = scale(1_000, 200);
/**
 * How much slower a proof may be at LARGE leaves than at 1,000, as medians of requests interleaved between the two
 * servers (so that the machine's load falls on both alike). A proof reads O(log n) rows: 10 hashes at 1,000 leaves,
 * 17 at 100,000, a few hundred microseconds of a request's time. A proof in O(n) would read 100× (quick: 25×) the
 * rows at LARGE: tens of milliseconds — the run prints what reading leaves costs here, for comparison.
 */
const MAX_SLOWDOWN = 3;
/** Consistency proofs checked with rfc9162.ts (each needs the tree hash of its first `from` leaves). */
const CONSISTENCY_CHECKED = 10;
const CHECKPOINT_INTERVAL_S = 1;
const LOAD_MS = scale(15_000, 8_000);
const LOAD_CLIENTS = 4;

/**
 * R9 at scale (quality.md): the transparency log over a large history. A 100,000-event history (quick: 25,000) is
 * written into events.db with bench/lib/history.ts (P5's generator: real hash chains), the compiled server builds
 * the tree from it, and inclusion and consistency proofs are timed through HTTP against a 1,000-event log served
 * beside it; every inclusion proof and a sample of consistency proofs are checked with rfc9162.ts. Then the lag of
 * the checkpoints behind a command load, with ACCORD_CHECKPOINT_INTERVAL=1: for each acknowledged command, how
 * long until GET /v1/log/checkpoint covers its event.
 */
describe('R9 at scale: a transparency log of many leaves', () => {
  const dirs: string[] = [];
  const servers: AccordServer[] = [];
  const random = seededRandom('r9-scale');
  let auditorToken: string;

  beforeAll(async () => {
    auditorToken = await tokenFor(auditor);
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await killAllStarted();
    dirs.forEach(removeDir);
  });

  function serve(label: string, env: Record<string, string> = {}) {
    const dataDir = freshDataDir(label);
    dirs.push(dataDir);
    return { dataDir, start: async () => track(await startServer({ dataDir, env })) };
  }

  function track(server: AccordServer): AccordServer {
    servers.push(server);
    return server;
  }

  interface ServedLog {
    size: number;
    root: Buffer;
    leaves: LogLeaf[];
    client: HttpClient;
    log: LogReader;
  }

  /** A generated history of `events` served by a fresh server, once its whole tree is signed. */
  async function servedLog(events: number, label: string) {
    const { dataDir, start } = serve(label, {
      ACCORD_CHECKPOINT_INTERVAL: String(CHECKPOINT_INTERVAL_S),
    });
    const history = await generateHistory(join(dataDir, 'events.db'), events);
    const started = Date.now();
    const server = await start();
    const client = new HttpClient(server.url, 1);
    const log = new LogReader(client, auditorToken);
    const note = await log.checkpointCovering(history.events, 600_000);
    const builtSeconds = (Date.now() - started) / 1000;
    const { size, root } = checkpointOf(note);
    expect(size).toBe(history.events);
    expect(noteSignedBy(note, parseVkey(await log.key()))).toBe(true);
    const leaves = await log.leaves(size);
    expect(rfcTreeHash(leaves.map(leafInput))).toEqual(root);
    return { served: { size, root, leaves, client, log } as ServedLog, history, builtSeconds };
  }

  it(`builds the tree of ${n(LARGE)} events and proves in about the time it takes at ${n(SMALL)}`, async () => {
    const large = await servedLog(LARGE, 'r9-large');
    const small = await servedLog(SMALL, 'r9-small');
    const logs = [small.served, large.served];

    type Timed = { ms: number; hashes: Buffer[]; from: number; index: number };
    const inclusion = logs.map((): Timed[] => []);
    const consistency = logs.map((): Timed[] => []);
    const timedGet = async (log: ServedLog, path: string) => {
      const started = performance.now();
      const response = await log.client.get(path, { token: auditorToken });
      const ms = performance.now() - started;
      if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${response.text}`);
      return { ms, hashes: base64Hashes(response.body.hashes) };
    };
    for (let round = 0; round < PROOFS; round++) {
      // Each round asks both logs, in a random order, so that neither gets the quieter moments.
      const order = random.int(2) === 0 ? [0, 1] : [1, 0];
      for (const which of order) {
        const log = logs[which];
        const index = random.int(log.size);
        const proved = await timedGet(log, `/v1/log/proof/inclusion?leafIndex=${index}&treeSize=${log.size}`);
        inclusion[which].push({ ...proved, index, from: 0 });
        const from = 1 + random.int(log.size - 1);
        const consistent = await timedGet(log, `/v1/log/proof/consistency?from=${from}&to=${log.size}`);
        consistency[which].push({ ...consistent, index: 0, from });
      }
    }
    // What reading rows costs here: 1,000 leaves through GET /v1/log/leaves, the unit an O(n) proof would pay n/1,000 times.
    const leafPages: number[] = [];
    for (let page = 0; page < 20; page++) {
      const start = random.int(large.served.size - 1000);
      const started = performance.now();
      await large.served.log.leafPage(start, start + 1000);
      leafPages.push(performance.now() - started);
    }

    logs.forEach((log, which) => {
      for (const { index, hashes } of inclusion[which])
        expect(rfcVerifyInclusion(index, log.size, leafInput(log.leaves[index]), hashes, log.root)).toBe(
          true,
        );
      for (const { from, hashes } of consistency[which].slice(0, CONSISTENCY_CHECKED)) {
        const prefix = rfcTreeHash(log.leaves.slice(0, from).map(leafInput));
        expect(rfcVerifyConsistency(from, log.size, prefix, log.root, hashes)).toBe(true);
      }
    });

    const summary = (timed: Timed[]) => ({
      median: median(timed.map((t) => t.ms)),
      p95: percentile(
        timed.map((t) => t.ms),
        95,
      ),
      hashes: median(timed.map((t) => t.hashes.length)),
    });
    const [inclusionSmall, inclusionLarge] = inclusion.map(summary);
    const [consistencySmall, consistencyLarge] = consistency.map(summary);
    const ms = (value: number) => `${value.toFixed(2)} ms`;
    const line = (name: string, at: typeof inclusionSmall, atLarge: typeof inclusionSmall) =>
      `${name}: median ${ms(at.median)} at ${n(SMALL)} leaves (${at.hashes} hashes), ${ms(atLarge.median)} at ` +
      `${n(LARGE)} (${atLarge.hashes} hashes), ×${(atLarge.median / at.median).toFixed(2)}; p95 ${ms(at.p95)} / ${ms(atLarge.p95)}`;
    console.log(
      [
        `R9 scale: ${n(large.history.events)} events generated in ${large.history.seconds.toFixed(1)} s; the server ` +
          `projected them and signed the tree of ${n(large.served.size)} leaves ${large.builtSeconds.toFixed(1)} s after ` +
          `its start (${n(Math.round(large.served.size / large.builtSeconds))} events/s, every projection); ` +
          `${n(SMALL)} leaves: ${small.builtSeconds.toFixed(1)} s; ${n(PROOFS)} proofs of each kind per log, interleaved`,
        `  ${line('inclusion', inclusionSmall, inclusionLarge)}`,
        `  ${line('consistency', consistencySmall, consistencyLarge)}`,
        `  bound ×${MAX_SLOWDOWN}; reading 1,000 leaves (GET /v1/log/leaves) takes ${ms(median(leafPages))} here, so a ` +
          `proof reading all ${n(LARGE)} would take ~${ms((median(leafPages) * LARGE) / 1000)}`,
      ].join('\n'),
    );
    expect(inclusionLarge.median).toBeLessThanOrEqual(MAX_SLOWDOWN * inclusionSmall.median);
    expect(consistencyLarge.median).toBeLessThanOrEqual(MAX_SLOWDOWN * consistencySmall.median);
    await Promise.all(servers.splice(0).map((server) => server.stop()));
    logs.forEach((log) => log.client.close());
  });

  it(`signs a checkpoint covering each acknowledged command within ${2 * CHECKPOINT_INTERVAL_S} s, under load`, async () => {
    const { dataDir, start } = serve('r9-lag', { ACCORD_CHECKPOINT_INTERVAL: String(CHECKPOINT_INTERVAL_S) });
    const server = await start();
    const client = new HttpClient(server.url, LOAD_CLIENTS + 1);
    const log = new LogReader(client, auditorToken);
    const acknowledged: { leaf: string; at: number }[] = [];
    const seen: { size: number; at: number }[] = [];
    let loading = true;
    let allAnswered = false;
    let refused = 0;

    const command = async (path: string, body: unknown, token: string, initiativeId: string) => {
      const response = await client.post(path, body, { token });
      if (response.status !== 201) {
        refused++;
        return false;
      }
      acknowledged.push({
        leaf: `initiative-${initiativeId}/${response.body.revision}`,
        at: performance.now(),
      });
      return true;
    };
    const secretariatToken = await tokenFor(secretariat);
    const load = Array.from({ length: LOAD_CLIENTS }, async () => {
      while (loading) {
        const initiativeId = randomUUID();
        if (
          !(await command('/v1/initiatives', proposalBody({ initiativeId }), secretariatToken, initiativeId))
        )
          continue;
        for (const state of MEMBERS) {
          if (!loading) break;
          const body = { state, decision: 'approve', proposalVersion: 1, comment: `${state} agrees` };
          const token = await tokenFor(focalPoint(state));
          await command(`/v1/initiatives/${initiativeId}/sign-offs`, body, token, initiativeId);
        }
      }
    });
    // Every change of the served checkpoint's size, when it was first seen; until it covers the whole log.
    const sampler = (async () => {
      let last = -1;
      let deadline = Infinity;
      for (;;) {
        const response = await client.get('/v1/log/checkpoint', { token: auditorToken });
        const size = response.status === 200 ? checkpointOf(response.text).size : -1;
        if (size !== last) seen.push({ size, at: performance.now() });
        last = size;
        if (allAnswered) {
          deadline = Math.min(deadline, Date.now() + 30_000);
          if (size >= storedLeafCount(dataDir) || Date.now() > deadline) return;
        }
        await sleep(20);
      }
    })();
    const started = Date.now();
    await sleep(LOAD_MS);
    loading = false;
    await Promise.all(load);
    allAnswered = true;
    await sampler;

    const total = storedLeafCount(dataDir);
    const leafIndex = new Map(
      (await log.leaves(total)).map((leaf) => [`${leaf.streamId}/${leaf.revision}`, leaf.leafIndex]),
    );
    const lags = acknowledged.map(({ leaf, at }) => {
      const index = leafIndex.get(leaf);
      if (index === undefined) throw new Error(`${leaf} was acknowledged but is no leaf of the log`);
      const covered = seen.find((sample) => sample.size > index);
      return covered ? Math.max(0, covered.at - at) : Infinity;
    });
    client.close();
    const loadSeconds = LOAD_MS / 1000;
    console.log(
      `R9 checkpoint lag (ACCORD_CHECKPOINT_INTERVAL=${CHECKPOINT_INTERVAL_S}): ${LOAD_CLIENTS} clients for ` +
        `${loadSeconds} s, ${n(acknowledged.length)} commands acknowledged (${n(Math.round(acknowledged.length / loadSeconds))}/s), ` +
        `${refused} refused, ${n(total)} leaves, ${seen.length} checkpoint sizes seen; from acknowledgement to a ` +
        `checkpoint covering it: median ${(median(lags) / 1000).toFixed(2)} s, p95 ${(percentile(lags, 95) / 1000).toFixed(2)} s, ` +
        `max ${(Math.max(...lags) / 1000).toFixed(2)} s; ${secondsSince(started)} s`,
    );
    expect(refused).toBe(0);
    expect(Math.max(...lags)).toBeLessThanOrEqual(2 * CHECKPOINT_INTERVAL_S * 1000);
  });
});
