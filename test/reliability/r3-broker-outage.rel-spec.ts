import { randomUUID } from 'node:crypto';
import { BROKERS, brokerRunning, describeBroker, startBroker, stopBroker } from '../kafka/broker';
import { checkDelivery, consumeAll, deleteTopic, testKafka, uniqueTopic } from '../kafka/support';
import { focalPoint, HttpClient, MEMBERS, proposalBody, secretariat, tokenFor } from './support/http';
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
import { StoreReader } from './support/store';

jest.setTimeout(600_000);

const OUTAGE_MS = scale(30_000, 12_000);
const CONNECTIONS = 8;

interface Readiness {
  status: number;
  kafka: { status: string; relayLag: number; checkpoint: number; lastError: string | null } | undefined;
}

/**
 * R3 (quality.md): the Kafka broker is stopped for 30 s under the embedded server of `npm start` with
 * KAFKA_BROKERS set (API, projector, scheduler and relay in one process). Commands sent over HTTP keep succeeding,
 * /health/ready says Kafka is down (checks.kafka.status "down") while staying 200, and once the broker is back the
 * relay catches up by itself: every stored event reaches a consumer, in order per initiative.
 *
 * It stops the one local broker (deploy/kafka-local): run the suite with --runInBand. The broker is started
 * again whatever happens.
 */
describe('R3: the Kafka broker stopped for 30 s under the embedded server', () => {
  const kafka = testKafka('accord-reliability');
  const topic = uniqueTopic('rel-outage');
  const dataDir = freshDataDir('r3');
  let server: AccordServer | null = null;

  afterAll(async () => {
    if (!brokerRunning()) startBroker();
    await server?.stop();
    await killAllStarted();
    const admin = kafka.admin();
    await admin.connect();
    await deleteTopic(admin, topic);
    await admin.disconnect();
    removeDir(dataDir);
  });

  it('keeps commands succeeding, reports Kafka down while ready, and catches up once the broker is back', async () => {
    const started = Date.now();
    server = await startServer({
      dataDir,
      logLevel: 'info',
      // The checkpoint signer signs within a second of the tree growing, so the last signature comes soon after
      // the load (see the store's snapshot below).
      env: { KAFKA_BROKERS: BROKERS.join(','), ACCORD_KAFKA_TOPIC: topic, ACCORD_CHECKPOINT_INTERVAL: '1' },
    });
    const running = server;
    const client = new HttpClient(server.url, CONNECTIONS + 2);
    const readiness = async (): Promise<Readiness> => {
      const response = await client.get('/health/ready', { timeoutMs: 10_000 });
      return { status: response.status, kafka: response.body?.checks?.kafka };
    };

    let ok = 0;
    let failed = 0;
    const failures: string[] = [];
    /** One initiative's life per iteration: a proposal and five approvals, over HTTP. */
    const commands = async (stop: { now: boolean }) =>
      Promise.all(
        Array.from({ length: CONNECTIONS }, async () => {
          while (!stop.now) {
            const id = randomUUID();
            const steps: [string, Record<string, unknown>, Parameters<typeof tokenFor>[0]][] = [
              ['/v1/initiatives', proposalBody({ initiativeId: id }), secretariat],
              ...MEMBERS.map((state): [string, Record<string, unknown>, Parameters<typeof tokenFor>[0]] => [
                `/v1/initiatives/${id}/sign-offs`,
                { state, decision: 'approve', proposalVersion: 1 },
                focalPoint(state),
              ]),
            ];
            for (const [path, body, who] of steps) {
              try {
                const response = await client.post(path, body, {
                  token: await tokenFor(who),
                  timeoutMs: 20_000,
                });
                if (response.status === 201) ok++;
                else {
                  failed++;
                  failures.push(`${response.status} ${response.text}`);
                }
              } catch (error) {
                failed++;
                failures.push(String(error));
              }
            }
            await sleep(50);
          }
        }),
      );

    // Before: Kafka up, the relay keeps up.
    const warmUp = { now: false };
    const warming = commands(warmUp);
    await sleep(2000);
    warmUp.now = true;
    await warming;
    await until(
      'the relay to catch up before the outage',
      async () => {
        const ready = await readiness();
        return ready.kafka?.status === 'up' && ready.kafka.relayLag === 0;
      },
      60_000,
    );
    const okBefore = ok;

    // The outage: commands go on; readiness is polled all along.
    const outage = { now: false };
    const load = commands(outage);
    stopBroker();
    const outageStarted = Date.now();
    const seen: { atMs: number; status: number; kafka: string | undefined; relayLag: number | undefined }[] =
      [];
    while (Date.now() - outageStarted < OUTAGE_MS) {
      const ready = await readiness().catch((error) => ({ status: 0, kafka: undefined, error }) as Readiness);
      seen.push({
        atMs: Date.now() - outageStarted,
        status: ready.status,
        kafka: ready.kafka?.status,
        relayLag: ready.kafka?.relayLag,
      });
      await sleep(500);
    }
    const lastDuringOutage = await readiness();
    const restartAt = Date.now();
    startBroker();
    const brokerBack = Date.now();
    outage.now = true;
    await load;
    const okDuring = ok - okBefore;
    const firstDown = seen.find((sample) => sample.kafka === 'down');
    const notReady = seen.filter((sample) => sample.status !== 200);

    // After: the relay catches up by itself.
    const relayCaughtUp = () =>
      until(
        'the relay to catch up after the outage',
        async () => {
          const ready = await readiness();
          return ready.kafka?.status === 'up' && ready.kafka.relayLag === 0 ? ready : null;
        },
        180_000,
        250,
      );
    const caughtUp = await relayCaughtUp();
    const catchUpMs = Date.now() - brokerBack;

    // The server also writes on its own: the checkpoint signer signs once the projector has put the last leaves in
    // the tree. The store is compared with Kafka once it has signed them all, and the relay has published that.
    await until(
      'the log to sign every leaf',
      async () => {
        const reader = new StoreReader(running.dataDir);
        try {
          return reader.signedTreeSize() === reader.leaves();
        } finally {
          reader.close();
        }
      },
      60_000,
      250,
    );
    await relayCaughtUp();

    const store = new StoreReader(running.dataDir);
    const expected = store.streams();
    const total = store.count();
    store.close();
    const records = await consumeAll(kafka, topic, total, 120_000);
    const { duplicates, problems } = checkDelivery(records, expected);
    client.close();

    console.log(
      [
        `R3: broker (${describeBroker()}) stopped for ${((restartAt - outageStarted) / 1000).toFixed(1)} s ` +
          `(+${((brokerBack - restartAt) / 1000).toFixed(1)} s to start again) ` +
          `under the embedded server with KAFKA_BROKERS set, ${CONNECTIONS} connections sending commands:`,
        `  ${n(okDuring)} commands answered 201 during the outage, ${failed} failed` +
          `${failures.length > 0 ? ` (first: ${failures[0]})` : ''};`,
        `  /health/ready: ${seen.length} polls, ${notReady.length} not 200; checks.kafka.status "down" after ` +
          `${firstDown ? `${(firstDown.atMs / 1000).toFixed(1)} s` : 'NEVER'}, relay lag ${lastDuringOutage.kafka?.relayLag} ` +
          `when the broker came back (last error: ${lastDuringOutage.kafka?.lastError});`,
        `  the relay caught up by itself ${(catchUpMs / 1000).toFixed(1)} s after the broker was started ` +
          `(checkpoint ${caughtUp.kafka?.checkpoint}); ${n(total)} events of ${n(expected.size)} initiatives consumed, ` +
          `${n(duplicates)} duplicates, ${problems.length === 0 ? 'in order per initiative' : `${problems.length} problems`}; ` +
          `${secondsSince(started)} s`,
      ].join('\n'),
    );
    expect(failed).toBe(0);
    expect(okDuring).toBeGreaterThan(0);
    expect(notReady).toEqual([]);
    expect(firstDown).toBeDefined();
    expect(lastDuringOutage).toMatchObject({ status: 200, kafka: { status: 'down' } });
    expect(lastDuringOutage.kafka?.relayLag).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });
});
