/**
 * P6: append → Kafka consumer latency at 200 commands per second. The built server runs with KAFKA_BROKERS set
 * (its in-process relay publishes to a fresh topic); sign-off commands are sent open-loop, one every 5 ms, to
 * initiatives proposed beforehand; a kafkajs consumer reads the topic. For each event of a command:
 * - from occurredAt (the instant the server took the command, before it decided and appended) to consumption:
 *   an upper bound of append → consumer, and the figure the target is checked on;
 * - from the 2xx response's arrival at the client (after the append was durable) to consumption;
 * - from the client sending the command to consumption (the whole way).
 */
import { randomUUID } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel } from 'kafkajs';
import { ensureTopic } from '@accord/messaging';
import { BenchContext, cpuSeconds, Figure, percentile, round, sleep } from './lib/common';
import { MEMBERS, startServer } from './lib/server';
import { proposeMany } from './p1-http';

const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const now = () => performance.timeOrigin + performance.now();

interface Sent {
  sentAt: number;
  respondedAt: number;
}

interface Consumed {
  consumedAt: number;
  occurredAt: number;
}

function stats(values: number[]) {
  return {
    p50: round(percentile(values, 50), 1),
    p90: round(percentile(values, 90), 1),
    p99: round(percentile(values, 99), 1),
    max: round(Math.max(...values), 1),
    count: values.length,
  };
}

export async function runP6(
  ctx: BenchContext,
  options: { logLevel?: string; keepLog?: string; nodeArgs?: string[] } = {},
): Promise<Figure> {
  const rate = 200;
  const durationSeconds = ctx.quick ? 10 : 30;
  const commands = rate * durationSeconds;
  const topic = `accord.bench.p6.${Date.now().toString(36)}${randomUUID().slice(0, 6)}`;
  const kafka = new Kafka({ clientId: 'accord-bench', brokers: BROKERS, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopic(admin, topic, 3, 1);
  const dataDir = ctx.tempDir('p6');
  const server = await startServer({
    dataDir,
    logLevel: options.logLevel ?? 'warn',
    nodeArgs: options.nodeArgs,
    env: { KAFKA_BROKERS: BROKERS.join(','), ACCORD_KAFKA_TOPIC: topic },
  });
  const consumer = kafka.consumer({ groupId: `accord-bench-${randomUUID()}`, maxWaitTimeInMs: 100 });
  try {
    const secretariat = await server.token('secretariat');
    const initiatives = Math.ceil(commands / MEMBERS.length);
    const warmUpCommands = rate * 3;
    const warmUpInitiatives = Math.ceil(warmUpCommands / MEMBERS.length);
    const { ids: all } = await proposeMany(server, initiatives + warmUpInitiatives, secretariat);
    const ids = all.slice(0, initiatives);
    const warmUpIds = all.slice(initiatives);
    await server.settle();

    // The consumer reads the topic from the start; it is ready once it has seen every proposal. The log's
    // checkpoints, signed meanwhile, share the topic: they do not count.
    const sent = new Map<string, Sent>();
    const arrived = new Map<string, Consumed>();
    const proposed = new Set(all);
    let consumed = 0;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const at = now();
        const event = JSON.parse(message.value?.toString('utf8') ?? '{}') as {
          subject: string;
          streamrevision: number;
          time: string;
        };
        if (proposed.has(event.subject)) consumed++;
        const key = `${event.subject}/${event.streamrevision}`;
        if (!arrived.has(key)) arrived.set(key, { consumedAt: at, occurredAt: Date.parse(event.time) });
      },
    });
    const readyBy = Date.now() + 60_000;
    while (consumed < all.length) {
      if (Date.now() > readyBy) throw new Error(`The consumer saw ${consumed} of ${all.length} proposals`);
      await sleep(50);
    }
    ctx.log(
      `P6 set-up: ${initiatives} initiatives proposed and consumed; sending ${commands} sign-offs at ${rate}/s`,
    );

    const tokens = new Map<string, string>();
    for (const state of MEMBERS)
      tokens.set(state, await server.token('focal-point', state, `focal-${state}`));
    const statuses: Record<string, number> = {};
    const inFlight: Promise<void>[] = [];
    const send = async (initiativeId: string, state: string) => {
      const sentAt = now();
      try {
        const response = await fetch(`${server.url}/v1/initiatives/${initiativeId}/sign-offs`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tokens.get(state)}`, 'content-type': 'application/json' },
          body: JSON.stringify({ state, decision: 'approve', proposalVersion: 1 }),
        });
        const respondedAt = now();
        statuses[response.status] = (statuses[response.status] ?? 0) + 1;
        const body = (await response.json()) as { revision: number };
        if (response.status !== 201) return;
        // The fifth sign-off also approves: two events, the response names the last one.
        const first = state === MEMBERS[MEMBERS.length - 1] ? body.revision - 1 : body.revision;
        for (let revision = first; revision <= body.revision; revision++)
          sent.set(`${initiativeId}/${revision}`, { sentAt, respondedAt });
      } catch {
        statuses.error = (statuses.error ?? 0) + 1;
      }
    };

    // Open loop: command k is sent at start + k × 5 ms, whatever the previous ones are doing. State-major order
    // (command k signs initiative k mod N for state ⌊k / N⌋): every fifth sign-off of an initiative approves it.
    const openLoop = async (targets: string[], count: number) => {
      const started = now();
      for (let k = 0; k < count; k++) {
        const due = started + (k * 1000) / rate;
        const wait = due - now();
        if (wait > 1) await sleep(wait);
        inFlight.push(send(targets[k % targets.length], MEMBERS[Math.floor(k / targets.length)]));
      }
      return (now() - started) / 1000;
    };
    await openLoop(warmUpIds, warmUpCommands); // JIT and connections warm, not measured
    await Promise.all(inFlight.splice(0));
    sent.clear();
    for (const key of Object.keys(statuses)) delete statuses[key];
    const cpuBefore = cpuSeconds(server.pid);
    const sendSeconds = await openLoop(ids, commands);
    await Promise.all(inFlight);
    const serverCpu = (cpuSeconds(server.pid) ?? NaN) - (cpuBefore ?? NaN);
    const expected = sent.size;
    const missing = () => [...sent.keys()].filter((key) => !arrived.has(key)).length;
    const until = Date.now() + 30_000;
    while (missing() > 0 && Date.now() < until) await sleep(50);
    const done = [...sent].flatMap(([key, entry]) => {
      const consumedEntry = arrived.get(key);
      return consumedEntry ? [{ ...entry, ...consumedEntry }] : [];
    });
    // An event can be consumed before the HTTP response is read: those count as 0 ms from the response.
    const fromOccurred = done.map((entry) => entry.consumedAt - entry.occurredAt);
    const fromResponse = done.map((entry) => Math.max(0, entry.consumedAt - entry.respondedAt));
    const fromSend = done.map((entry) => entry.consumedAt - entry.sentAt);
    const occurred = stats(fromOccurred);
    const response = stats(fromResponse);
    const send_ = stats(fromSend);
    ctx.log(
      `P6: ${done.length} of ${expected} events consumed; p99 from occurredAt ${occurred.p99} ms, ` +
        `from the response ${response.p99} ms, from sending ${send_.p99} ms; statuses ${JSON.stringify(statuses)}; ` +
        `server CPU ${round((100 * serverCpu) / sendSeconds)} % (${round((1000 * serverCpu) / commands, 2)} ms per command)`,
    );
    const achievedRate = commands / sendSeconds;
    const allArrived = done.length === expected;
    return {
      value: occurred.p99,
      unit: 'ms (p99, occurredAt → consumed)',
      baseline: null,
      ratio: null,
      target: 'p99 ≤ 100 ms at 200 commands/s',
      met: occurred.p99 <= 100 && allArrived,
      fromOccurredAt: occurred,
      fromResponse: response,
      fromSend: send_,
      commands,
      commandsPerSecond: round(achievedRate, 1),
      statuses,
      events: expected,
      eventsConsumed: done.length,
      allArrived,
      serverCpuPercent: round((100 * serverCpu) / sendSeconds, 1),
      serverCpuMsPerCommand: round((1000 * serverCpu) / commands, 2),
      topic: `${topic} (3 partitions, replication factor 1, deleted afterwards)`,
    };
  } catch (error) {
    ctx.log(`P6 failed; the server's last log lines:\n${server.tail()}`);
    throw error;
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await server.stop();
    if (options.keepLog) copyFileSync(server.logFile, options.keepLog);
    await admin.deleteTopics({ topics: [topic], timeout: 10_000 }).catch(() => undefined);
    await admin.disconnect();
  }
}
