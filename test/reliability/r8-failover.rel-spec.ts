import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Pool } from 'pg';
import { INITIATIVE_STREAM_PREFIX, LOG_STREAM_PREFIX } from '@accord/domain';
import { openEventStoreDb } from '@accord/event-store/eventstoredb';
import { ReadStore } from '@accord/read-model';
import { SqlRelayCheckpointStore } from '@accord/messaging';
import { PostgresLeaseStore } from '@accord/lease';
import { postgresDumpOf } from '../../libs/read-model/src/testing/read-store-backends';
import { BROKERS, describeBroker } from '../kafka/broker';
import {
  checkDelivery,
  consumeAll,
  deleteTopic,
  eventsPerKey,
  testKafka,
  uniqueTopic,
} from '../kafka/support';
import { createTestSchema } from '../support/postgres';
import { ROOT } from '../support/processes';
import { DoubleProcess, startEventStoreDbDoubleProcess } from './support/eventstoredb-double';
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
  checkpointWrites,
  fencingViolations,
  installLeaseAudit,
  LeaseAcquisition,
  leaseAcquisitions,
} from './support/lease-audit';
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
  until,
} from './support/server';

jest.setTimeout(900_000);

const KILLS = scale(3, 1);
const PAUSE_MS = scale(20_000, 12_000);
/** quality.md R8: a standby takes over within 10 s of the active one's death. */
const TAKEOVER_LIMIT_MS = 10_000;
/** Commands in flight at any time, spread round-robin over the three APIs. */
const CONNECTIONS = 6;
/** Load between two failures, so that the new active processes have work before the next one. */
const BETWEEN_FAILURES_MS = scale(4000, 3000);
const CLI = join(ROOT, 'apps', 'cli', 'bin', 'accord.js');
const PROJECTOR_LEASE = 'projector';

type Part = 'projector' | 'relay';

interface Candidate {
  part: Part;
  label: string;
  server: AccordServer;
}

interface Acknowledged {
  kind: 'propose' | 'sign-off';
  initiativeId: string;
  state: string;
  title: string | null;
  revision: number;
}

interface Takeover {
  part: Part;
  failure: 'SIGKILL' | 'SIGSTOP';
  from: string;
  to: string;
  token: number;
  acquiredMs: number;
  firstWriteMs: number;
}

/**
 * R8 (quality.md): the production topology with no single point of failure. Three API processes, two projectors
 * and two relays (the compiled processes, ACCORD_LEASE=postgres) on the EventStoreDB wire-level double (a server
 * process of its own), PostgreSQL and the real Kafka broker; commands go round-robin to the three APIs all along.
 * The active projector and the active relay are killed with SIGKILL three times each (quick: once), then both are
 * stopped with SIGSTOP for 20 s (quick: 12 s) — the projector in the middle of a batch — and continued: the woken
 * projector's write is refused by the fence. Then every acknowledged command is in its history, the
 * read model equals a rebuild from zero, Kafka holds every event at least once and in stream order per initiative,
 * and the database's own record of every checkpoint move (triggers outside the code under test) shows no write by a
 * process whose lease had been taken over. Takeovers are timed on the database's clock from the failure.
 */
describe('R8: no single point of failure — three APIs, two projectors and two relays, their leaders killed and paused', () => {
  const dataDir = freshDataDir('r8');
  const topic = uniqueTopic('rel-failover');
  const relayLease = `relay:${topic}`;
  const leaseOf = (part: Part) => (part === 'projector' ? PROJECTOR_LEASE : relayLease);
  const kafka = testKafka('accord-reliability-r8');
  const admin = kafka.admin();
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  let rebuiltSchema: Awaited<ReturnType<typeof createTestSchema>> | null = null;
  let pool: Pool;
  let double: DoubleProcess;

  beforeAll(async () => {
    await admin.connect();
    schema = await createTestSchema();
    // The tables first, as a deployment's first process would create them, then the audit triggers on them.
    const readStore = ReadStore.postgres(schema.url);
    await readStore.migrate();
    await readStore.close();
    const relayCheckpoints = SqlRelayCheckpointStore.postgres(schema.url);
    await relayCheckpoints.migrate();
    await relayCheckpoints.close();
    const leases = new PostgresLeaseStore(schema.url, 1000);
    await leases.migrate();
    await leases.close();
    pool = new Pool({ connectionString: schema.url, max: 4 });
    await installLeaseAudit(pool);
    double = await startEventStoreDbDoubleProcess(join(dataDir, 'eventstoredb-double.log'));
  });

  afterAll(async () => {
    await killAllStarted();
    await double?.stop();
    await pool?.end();
    await schema?.drop();
    await rebuiltSchema?.drop();
    await deleteTopic(admin, topic);
    await admin.disconnect();
    removeDir(dataDir);
  });

  /** The configuration of the production topology (docker-compose.yml, deploy/k8s), on the test's servers. */
  const environment = (roles: string) => ({
    ACCORD_ROLES: roles,
    ACCORD_EVENT_STORE: 'eventstoredb',
    EVENTSTORE_CONNECTION_STRING: double.connectionString,
    ACCORD_READ_STORE: 'postgres',
    DATABASE_URL: schema.url,
    ACCORD_LEASE: 'postgres',
    KAFKA_BROKERS: BROKERS.join(','),
    ACCORD_KAFKA_TOPIC: topic,
  });
  // One data directory for all, as one installation: the processes share the transparency log's generated key.
  const startApi = (index: number) =>
    startServer({ dataDir, logFile: join(dataDir, `api-${index}.log`), env: environment('api') });
  const startCandidate = async (part: Part, label: string): Promise<Candidate> => ({
    part,
    label,
    server: await startServer({
      app: part,
      dataDir,
      logFile: join(dataDir, `${label}.log`),
      logLevel: 'info',
      env: environment(part === 'projector' ? 'projector,scheduler' : 'relay'),
    }),
  });

  const query = async <Row>(text: string, values: unknown[] = []): Promise<Row[]> =>
    (await pool.query(text, values)).rows as Row[];
  const pidOf = (holder: string) => Number(holder.split('/')[1]);

  /** The candidate that holds `part`'s lease now, and its token. */
  async function activeOf(
    part: Part,
    candidates: readonly Candidate[],
  ): Promise<{ candidate: Candidate; token: number }> {
    return until(
      `an active ${part}`,
      async () => {
        const [lease] = await query<{ holder: string; fencing_token: string }>(
          'SELECT holder, fencing_token FROM leases WHERE name = $1 AND expires_at > now()',
          [leaseOf(part)],
        );
        const candidate = lease && candidates.find((c) => c.server.child.pid === pidOf(lease.holder));
        return candidate ? { candidate, token: Number(lease.fencing_token) } : undefined;
      },
      30_000,
    );
  }

  /** Waits for the acquisition that follows `token`, and for the first checkpoint its holder moved. */
  async function takeoverAfter(
    part: Part,
    failure: Takeover['failure'],
    from: Candidate,
    token: number,
    failedAt: number,
    candidates: readonly Candidate[],
  ): Promise<Takeover> {
    const acquisition: LeaseAcquisition = await until(
      `the ${part}'s lease to be taken over`,
      async () => (await leaseAcquisitions(pool, leaseOf(part))).find((a) => a.fencingToken > token),
      60_000,
    );
    const [firstWrite] = await until(
      `the new active ${part}'s first write`,
      async () => {
        const rows = await query<{ at: Date }>(
          'SELECT min(at) AS at FROM checkpoint_writes WHERE table_name = $1 AND fencing_token = $2 HAVING count(*) > 0',
          [part === 'projector' ? 'projection_checkpoints' : 'relay_checkpoints', acquisition.fencingToken],
        );
        return rows.length > 0 ? rows : undefined;
      },
      60_000,
    );
    const to = candidates.find((c) => c.server.child.pid === pidOf(acquisition.holder));
    return {
      part,
      failure,
      from: from.label,
      to: to?.label ?? acquisition.holder,
      token: acquisition.fencingToken,
      acquiredMs: acquisition.at.getTime() - failedAt,
      firstWriteMs: firstWrite.at.getTime() - failedAt,
    };
  }

  /** This process's count of writes its fence refused (accord_lease_fenced_writes_refused_total). */
  async function fencedWritesRefused(candidate: Candidate): Promise<number> {
    const text = await (await fetch(`${candidate.server.url}/metrics`)).text();
    const sample = text
      .split('\n')
      .find((line) =>
        line.startsWith(`accord_lease_fenced_writes_refused_total{name="${leaseOf(candidate.part)}"}`),
      );
    return sample ? Number(sample.split(' ').pop()) : 0;
  }

  async function isActive(candidate: Candidate): Promise<boolean> {
    const ready = (await (await fetch(`${candidate.server.url}/health/ready`)).json()) as {
      checks: { leases: Record<string, { active: boolean }> };
    };
    return ready.checks.leases[leaseOf(candidate.part)].active;
  }

  it(`keeps every command, read model and event across ${KILLS} SIGKILL(s) of each leader and a ${PAUSE_MS / 1000} s SIGSTOP`, async () => {
    const started = Date.now();
    const apis = await Promise.all([0, 1, 2].map(startApi));
    const clients = apis.map((api) => new HttpClient(api.url, CONNECTIONS));
    // The first of each pair starts alone, so that it is the one that holds the lease at first.
    const candidates: Candidate[] = [
      await startCandidate('projector', 'projector-a'),
      await startCandidate('relay', 'relay-a'),
    ];
    await Promise.all([activeOf('projector', candidates), activeOf('relay', candidates)]);
    candidates.push(
      await startCandidate('projector', 'projector-b'),
      await startCandidate('relay', 'relay-b'),
    );

    // Commands round-robin over the three APIs, until stopped.
    const acknowledged: Acknowledged[] = [];
    const perApi = [0, 0, 0];
    const refusals: string[] = [];
    const load = { stop: false };
    let nextApi = 0;
    const send = async (path: string, body: Record<string, unknown>, who: Who) => {
      const api = nextApi++ % clients.length;
      try {
        const response = await clients[api].post(path, body, {
          token: await tokenFor(who),
          timeoutMs: 30_000,
        });
        if (response.status >= 300)
          refusals.push(`${path} → ${response.status} ${response.text.slice(0, 200)}`);
        else perApi[api]++;
        return response;
      } catch (error) {
        refusals.push(`${path} → ${(error as Error).message}`);
        return null;
      }
    };
    const running = Promise.all(
      Array.from({ length: CONNECTIONS }, async (_, worker) => {
        while (!load.stop) {
          const initiativeId = randomUUID();
          const proposer = MEMBERS[worker % MEMBERS.length];
          const title = `R8 initiative ${initiativeId.slice(0, 8)}`;
          const proposed = await send(
            '/v1/initiatives',
            proposalBody({ initiativeId, title, proposingState: proposer }),
            secretariat,
          );
          if (!proposed || proposed.status >= 300) continue;
          acknowledged.push({
            kind: 'propose',
            initiativeId,
            state: proposer,
            title,
            revision: proposed.body.revision,
          });
          for (const state of [...MEMBERS].sort(() => Math.random() - 0.5)) {
            if (load.stop) break;
            const signed = await send(
              `/v1/initiatives/${initiativeId}/sign-offs`,
              { state, decision: 'approve', proposalVersion: 1, comment: `R8 ${state}` },
              focalPoint(state),
            );
            if (signed && signed.status < 300)
              acknowledged.push({
                kind: 'sign-off',
                initiativeId,
                state,
                title: null,
                revision: signed.body.revision,
              });
          }
        }
      }),
    );

    const takeovers: Takeover[] = [];
    const replace = async (dead: Candidate) => {
      candidates.splice(candidates.indexOf(dead), 1);
      candidates.push(await startCandidate(dead.part, dead.label));
    };
    try {
      await sleep(BETWEEN_FAILURES_MS);
      for (let round = 1; round <= KILLS; round++) {
        const [projector, relay] = await Promise.all([
          activeOf('projector', candidates),
          activeOf('relay', candidates),
        ]);
        const killedAt = Date.now();
        await Promise.all([projector.candidate.server.kill9(), relay.candidate.server.kill9()]);
        takeovers.push(
          ...(await Promise.all([
            takeoverAfter('projector', 'SIGKILL', projector.candidate, projector.token, killedAt, candidates),
            takeoverAfter('relay', 'SIGKILL', relay.candidate, relay.token, killedAt, candidates),
          ])),
        );
        await Promise.all([replace(projector.candidate), replace(relay.candidate)]);
        await sleep(BETWEEN_FAILURES_MS);
      }

      // Both leaders paused, and wake up after the takeover. The projector is paused in the middle of a batch, the
      // worst moment: the test holds back its writes for an instant (a lock its batch waits for), stops it while it
      // waits, then lets go — its transaction is left open on the server, holding the lease's row.
      const [projector, relay] = await Promise.all([
        activeOf('projector', candidates),
        activeOf('relay', candidates),
      ]);
      const paused = [projector, relay];
      const holdBack = await pool.connect();
      let stoppedAt: number;
      try {
        await holdBack.query('BEGIN');
        await holdBack.query('LOCK TABLE initiative_views IN SHARE MODE');
        await until(
          'a projector batch to wait for the lock',
          async () =>
            (
              await holdBack.query(
                'SELECT 1 FROM pg_stat_activity WHERE pg_backend_pid() = ANY (pg_blocking_pids(pid))',
              )
            ).rows.length > 0,
          30_000,
          5,
        );
        stoppedAt = Date.now();
        for (const { candidate } of paused) candidate.server.child.kill('SIGSTOP');
      } finally {
        await holdBack.query('COMMIT');
        holdBack.release();
      }
      takeovers.push(
        ...(await Promise.all([
          takeoverAfter('projector', 'SIGSTOP', projector.candidate, projector.token, stoppedAt, candidates),
          takeoverAfter('relay', 'SIGSTOP', relay.candidate, relay.token, stoppedAt, candidates),
        ])),
      );
      await sleep(Math.max(0, stoppedAt + PAUSE_MS - Date.now()));
      for (const { candidate } of paused) candidate.server.child.kill('SIGCONT');
      const resumedAt = Date.now();
      // Awake, each finds its term over and stands by; the process lives on.
      for (const { candidate } of paused)
        await until(
          `${candidate.label} to stand by after SIGCONT`,
          async () => !(await isActive(candidate)),
          15_000,
        );
      const steppedDownMs = Date.now() - resumedAt;
      await sleep(BETWEEN_FAILURES_MS);

      load.stop = true;
      await running;

      // Everything settles: the read model and the relay at the head of the log, the log's tree signed.
      const head = async () => (await clients[0].get('/health/ready')).body.checks.projection.head as number;
      const settled = async () => {
        const [projection] = await query<{ position: string }>(
          'SELECT min(position) AS position FROM projection_checkpoints',
        );
        const [relayed] = await query<{ position: string }>(
          'SELECT position FROM relay_checkpoints WHERE name = $1',
          [topic],
        );
        const [tree] = await query<{ leaves: string; signed: string | null }>(
          'SELECT (SELECT count(*) FROM log_leaves) AS leaves, (SELECT max(tree_size) FROM log_checkpoints) AS signed',
        );
        const at = await head();
        return (
          Number(projection.position) === at &&
          Number(relayed?.position) === at &&
          tree.leaves === tree.signed
        );
      };
      await until('the read model, the relay and the log to settle at the head', settled, 120_000, 500);
      await sleep(1000);
      await until('them to stay settled', settled, 30_000, 500);

      // 1. Every acknowledged command is in its initiative's history, asked of the three APIs in turn.
      const audit = await tokenFor(auditor);
      const byInitiative = new Map<string, Acknowledged[]>();
      for (const ack of acknowledged)
        byInitiative.set(ack.initiativeId, [...(byInitiative.get(ack.initiativeId) ?? []), ack]);
      const problems: string[] = [];
      let found = 0;
      await mapConcurrently([...byInitiative], 8, async ([initiativeId, acks], index) => {
        const history = await clients[index % clients.length].get(`/v1/initiatives/${initiativeId}/history`, {
          token: audit,
        });
        const events = (history.body?.events ?? []) as {
          revision: number;
          type: string;
          data: { state?: string; title?: string };
        }[];
        for (const ack of acks) {
          const stored =
            ack.kind === 'propose'
              ? events.some(
                  (e) => e.revision === 0 && e.type === 'InitiativeProposed' && e.data.title === ack.title,
                )
              : events.some(
                  (e) =>
                    e.type === 'NationalSignOffRecorded' &&
                    e.data.state === ack.state &&
                    (e.revision === ack.revision || e.revision === ack.revision - 1),
                );
          if (stored) found++;
          else
            problems.push(
              `${initiativeId}: acknowledged ${ack.kind} ${ack.state} (revision ${ack.revision}) not stored`,
            );
        }
      });

      // 2. The read model equals a rebuild from zero (the CLI, into a schema of its own).
      const liveDump = await postgresDumpOf(schema.url);
      rebuiltSchema = await createTestSchema();
      const rebuildStarted = Date.now();
      const rebuild = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(
          process.execPath,
          [CLI, 'projections', 'rebuild'],
          {
            cwd: ROOT,
            env: {
              PATH: process.env.PATH,
              ACCORD_DATA_DIR: dataDir,
              ACCORD_EVENT_STORE: 'eventstoredb',
              EVENTSTORE_CONNECTION_STRING: double.connectionString,
              ACCORD_READ_STORE: 'postgres',
              DATABASE_URL: rebuiltSchema!.url,
            },
            timeout: 300_000,
          },
          (error, stdout, stderr) =>
            resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        ),
      );
      expect(rebuild).toMatchObject({ code: 0 });
      const rebuiltDump = await postgresDumpOf(rebuiltSchema.url);
      const sameReadModel = JSON.stringify(rebuiltDump) === JSON.stringify(liveDump);
      expect(await settled()).toBe(true); // nothing moved while the dumps were taken

      // 3. Kafka holds every stored event at least once, in stream order per initiative once deduplicated by id.
      const store = openEventStoreDb(double.connectionString, {
        streamPrefixes: [INITIATIVE_STREAM_PREFIX, LOG_STREAM_PREFIX],
      });
      const expected = await eventsPerKey(store);
      await store.close();
      const events = [...expected.values()].reduce((sum, count) => sum + count, 0);
      const records = await consumeAll(kafka, topic, events, 180_000);
      const delivery = checkDelivery(records, expected);

      // 4. No checkpoint (and so no projection row, written in the same transaction) moved by a fenced process.
      const writes = await checkpointWrites(pool);
      const violations = fencingViolations(writes);
      // A paused leader's token on a checkpoint moved after its lease was taken over would be a fenced write let through.
      const writesOfPausedAfterTakeover = paused
        .map(({ candidate, token }) => {
          const takeover = takeovers.find((t) => t.failure === 'SIGSTOP' && t.part === candidate.part)!;
          const table = candidate.part === 'projector' ? 'projection_checkpoints' : 'relay_checkpoints';
          return writes.filter(
            (write) =>
              write.table === table &&
              write.fencingToken === token &&
              write.at.getTime() > stoppedAt + takeover.acquiredMs,
          ).length;
        })
        .reduce((sum, count) => sum + count, 0);
      const refused = await Promise.all(candidates.map(fencedWritesRefused));
      const [projectorRefused, relayRefused] = await Promise.all(
        paused.map(({ candidate }) => fencedWritesRefused(candidate)),
      );
      const acquisitions = await Promise.all(
        (['projector', 'relay'] as const).map((part) => leaseAcquisitions(pool, leaseOf(part))),
      );
      for (const client of clients) client.close();

      const slowest = Math.max(...takeovers.map((t) => t.acquiredMs));
      const seconds = (ms: number) => (ms / 1000).toFixed(1);
      console.log(
        [
          `R8: 3 APIs, 2 projectors, 2 relays (ACCORD_LEASE=postgres, TTL 6 s, renewal 2 s) on the EventStoreDB ` +
            `wire-level double, PostgreSQL and ${describeBroker()} (${secondsSince(started)} s);`,
          `  ${n(acknowledged.length)} commands acknowledged round-robin (${perApi.map(n).join(' / ')} by the three APIs), ` +
            `${refusals.length} refused; ${KILLS} SIGKILL(s) of the active projector and relay each, then both SIGSTOPped ` +
            `${seconds(PAUSE_MS)} s and continued (standing by ${seconds(steppedDownMs)} s after SIGCONT);`,
          ...takeovers.map(
            (t) =>
              `  ${t.failure} of the active ${t.part} (${t.from}): lease taken by ${t.to} (token ${t.token}) after ` +
              `${seconds(t.acquiredMs)} s, its first checkpoint after ${seconds(t.firstWriteMs)} s`,
          ),
          `  takeovers: slowest ${seconds(slowest)} s (limit ${seconds(TAKEOVER_LIMIT_MS)} s); lease acquisitions: ` +
            `projector ${acquisitions[0].length}, relay ${acquisitions[1].length};`,
          `  history: ${n(found)}/${n(acknowledged.length)} acknowledged commands found in ${n(byInitiative.size)} initiatives;`,
          `  read model: ${n(liveDump.views.length)} initiatives, ${n(liveDump.logLeaves.length)} log leaves; equal to ` +
            `accord projections rebuild (${secondsSince(rebuildStarted)} s): ${sameReadModel};`,
          `  Kafka: ${n(events)} events of ${n(expected.size)} keys checked, ${n(records.length)} records consumed, ` +
            `${n(delivery.duplicates)} duplicates dropped by id, ` +
            `${delivery.problems.length === 0 ? '0 lost, every key in stream order' : `${delivery.problems.length} problems`};`,
          `  fencing: ${n(writes.length)} checkpoint moves audited by trigger, ${violations.length} by a stale or missing ` +
            `token, ${writesOfPausedAfterTakeover} by a paused leader after its takeover; fenced writes refused: ` +
            `${refused.reduce((sum, count) => sum + count, 0)} (${projectorRefused} by the projector woken mid-batch, ` +
            `${relayRefused} by the woken relay)`,
        ].join('\n'),
      );
      expect(refusals).toEqual([]);
      expect(problems.slice(0, 20)).toEqual([]);
      expect(found).toBe(acknowledged.length);
      expect(rebuiltDump).toEqual(liveDump);
      expect(delivery.problems).toEqual([]);
      expect(violations.slice(0, 20)).toEqual([]);
      expect(writesOfPausedAfterTakeover).toBe(0);
      expect(projectorRefused).toBeGreaterThanOrEqual(1);
      expect(takeovers).toHaveLength(2 * KILLS + 2);
      for (const takeover of takeovers) expect(takeover.acquiredMs).toBeLessThanOrEqual(TAKEOVER_LIMIT_MS);
      for (const apiCommands of perApi) expect(apiCommands).toBeGreaterThan(0);
    } finally {
      load.stop = true;
      await running.catch(() => undefined);
    }
  });
});
