import type { describeMachine, Figure } from './common';

export const IDS = ['P1', 'P2', 'P3', 'P3b', 'P4', 'P5', 'P6', 'P7', 'P8'] as const;
export type Id = (typeof IDS)[number];

export interface Results {
  quick: boolean;
  date: string;
  durationSeconds: number;
  command: string;
  machine: ReturnType<typeof describeMachine>;
  figures: Partial<Record<Id, Figure | { error: string; met: false; target: string }>>;
  extra: Record<string, unknown>;
}

const WHAT: Record<string, string> = {
  P1: 'sign-off commands/s through HTTP, 64 connections, embedded SQLite',
  P2: 'SQLite event store appends/s, 1 event each, 64 concurrent appenders, durable',
  P3: 'the P2 workload vs Emmett SQLite event store (ours ÷ peer)',
  P3b: 'the P2 workload vs Emmett PostgreSQL event store, synchronous_commit=on (ours ÷ peer)',
  P4: 'relay throughput, stored events → Kafka (acks = all)',
  P5: 'projection rebuild from zero (CLI), SQLite read store',
  P6: 'append → Kafka consumer latency at 200 commands/s',
  P7: 'API resident memory under P1 load (max VmRSS)',
  P8: 'read latency on the P5 history, SQLite and PostgreSQL read stores (inbox, lists, filters, deep page, one initiative)',
};

/** P8's figures of one read store: each query's latency. */
type P8Store = { cases: Record<string, { what: string; who: string; medianMs: number; p99Ms: number }> };

const num = (value: unknown, digits = 0): string =>
  typeof value === 'number' && Number.isFinite(value)
    ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })
    : '–';

function measured(id: string, f: Figure): string {
  switch (id) {
    case 'P1':
      return `**${num(f.value)} sign-offs/s**, p99 ${num(f.p99Ms)} ms (p50 ${num(f.p50Ms)} ms); ${num(f.ok2xx)} of ${num(f.requests)} answered 2xx, ${num(f.non2xx)} non-2xx, ${num(f.errors)} errors`;
    case 'P2':
      return `**${num(f.value)} appends/s** (mean ${num(f.meanEventsPerCommit, 1)} appends per commit)`;
    case 'P3':
      return `ours **${num(f.value)} appends/s** vs Emmett **${num(f.peerAppendsPerSecond, 1)} appends/s** at concurrency ${num(f.peerBestConcurrency)}`;
    case 'P3b':
      return `Emmett PostgreSQL **${num(f.value, 1)} appends/s** at concurrency ${num(f.peerBestConcurrency)} vs ours ${num(f.baseline)} appends/s (P2)`;
    case 'P4':
      return `relay **${num(f.value)} events/s** vs bare producer ${num(f.baseline)} events/s (${num(f.events)} events, batch ${num(f.batchSize)}, median of ${num(f.rounds)})`;
    case 'P5': {
      const pg = f.postgres as { eventsPerSecond?: number; maxRssMb?: number; error?: string } | null;
      const pgText = pg
        ? pg.error
          ? `; PostgreSQL: ${pg.error}`
          : `; PostgreSQL read store: ${num(pg.eventsPerSecond)} events/s (≥ 30,000: ${f.postgresRateMet ? 'met' : 'missed'}), max RSS ${num(pg.maxRssMb)} MB`
        : '';
      return `**${num(f.value)} events/s**, max RSS **${num(f.maxRssMb)} MB** (${num(f.events)} events in ${num(f.wallSeconds, 1)} s wall)${pgText}`;
    }
    case 'P6': {
      const fromResponse = f.fromResponse as { p99: number };
      return `**p99 ${num(f.value, 1)} ms** from occurredAt (p50 ${num((f.fromOccurredAt as { p50: number }).p50, 1)} ms); p99 ${num(fromResponse.p99, 1)} ms from the 2xx response; ${num(f.eventsConsumed)} of ${num(f.events)} events consumed at ${num(f.commandsPerSecond, 1)} commands/s`;
    }
    case 'P7':
      return `**${num(f.value, 1)} MB** (max during sign-offs ${num(f.maxDuringSignOffsMb, 1)} MB)`;
    case 'P8': {
      const pg = f.postgres as P8Store | { error: string } | null;
      const pgText = !pg ? '' : 'error' in pg ? `; PostgreSQL: ${pg.error}` : '';
      return `worst median **${num(f.value, 2)} ms**, worst p99 **${num(f.worstP99Ms, 2)} ms** over ${num(f.requestsPerQuery)} requests per query and store (${num(f.initiatives)} initiatives)${pgText}`;
    }
    default:
      return num(f.value);
  }
}

function ratioText(id: string, f: Figure): string {
  if (f.ratio === null || f.ratio === undefined) return '–';
  switch (id) {
    case 'P1':
      return `${num(f.ratio * 100, 1)} % of ${num(f.baseline)} req/s`;
    case 'P2':
      return `${num(f.ratio, 2)} × ${num(f.baseline)} commits/s`;
    case 'P3':
    case 'P3b':
      return `${num(f.ratio, 1)} ×`;
    case 'P4':
      return `${num(f.ratio * 100, 1)} %`;
    default:
      return num(f.ratio, 3);
  }
}

export function renderMarkdown(results: Results): string {
  const m = results.machine;
  const lines = [
    `# Accord benchmark results${results.quick ? ' (quick mode: smaller sizes, not the reference figures)' : ''}`,
    '',
    `- Date: ${results.date}; ${results.durationSeconds} s; \`${results.command}\``,
    `- Machine: ${m.cpu}, ${m.cores} cores, ${m.ramGiB} GiB RAM; ${m.os}; Node ${m.node}`,
    `- Kafka: ${m.kafka} (kafkajs ${m.kafkajs}); ${m.sqlite}; ${m.postgres}`,
    `- Data directories: ${m.disk}`,
    '',
    '| id | what | measured | ratio | target | met |',
    '|---|---|---|---|---|---|',
  ];
  for (const id of IDS) {
    const figure = results.figures[id];
    if (!figure) continue;
    if ('error' in figure) {
      lines.push(
        `| ${id} | ${WHAT[id]} | failed: ${String(figure.error).replace(/\|/g, '\\|').split('\n')[0]} | – | ${figure.target} | **no** |`,
      );
      continue;
    }
    const met = figure.met ? 'yes' : '**NO**';
    lines.push(
      `| ${id}${results.quick ? ' (quick)' : ''} | ${WHAT[id]} | ${measured(id, figure)} | ${ratioText(id, figure)} | ${figure.target} | ${met} |`,
    );
  }
  const notes: string[] = [];
  const p1 = results.figures.P1 as Figure | undefined;
  if (p1 && !('error' in p1))
    notes.push(
      `P1: baseline GET /health/live ${num(p1.baselineBefore)} req/s before and ${num(p1.baselineAfter)} req/s after the sign-offs (mean used); ${num(p1.initiatives)} initiatives proposed beforehand at ${num(p1.proposalsPerSecond)} proposals/s; server LOG_LEVEL=${p1.logLevel}; ratio target ${p1.ratioMet ? 'met' : 'missed'}, p99 target ${p1.p99Met ? 'met' : 'missed'}.`,
    );
  if (p1 && !('error' in p1) && p1.healthRateLimited)
    notes.push(
      'P1 caveat: GET /health/live is not exempt from the per-subject rate limiter (`@SkipThrottle()` names the ' +
        "`default` throttler; Accord's is `per-subject`), so the baseline pays @nestjs/throttler's O(hits per minute) " +
        'hit log on every request and sinks as the run goes on: the ratio is flattered. See bench/PROFILE.md.',
    );
  const info = results.extra.P1_at_info as Figure | undefined;
  const info7 = results.extra.P7_at_info as Figure | undefined;
  if (info)
    notes.push(
      `P1 at LOG_LEVEL=info (production logging, extra): ${num(info.value)} sign-offs/s = ${num((info.ratio ?? 0) * 100, 1)} % of ${num(info.baseline)} req/s, p99 ${num(info.p99Ms)} ms (${info.met ? 'met' : 'missed'}); RSS max ${num(info7?.value, 1)} MB.`,
    );
  const p3 = results.figures.P3 as Figure | undefined;
  if (p3 && !('error' in p3)) {
    const trials =
      (p3.peerConcurrencyTrials as { concurrency: number; works: boolean; error?: string }[]) ?? [];
    notes.push(
      `P3: Emmett tried at concurrency ${trials.map((t) => `${t.concurrency} (${t.works ? 'works' : 'fails'})`).join(', ')}; failures: ${[...new Set(trials.filter((t) => !t.works).map((t) => t.error))].join('; ') || 'none'}. Emmett's durability: ${p3.peerDurability}; ours: WAL, synchronous=FULL.` +
        (Number(p3.peerFailedAppends) > 0
          ? ` In the measured rounds ${p3.peerFailedAppends} of Emmett's appends failed even at concurrency ${p3.peerBestConcurrency} (${(p3.peerFailures as string[]).join('; ')}); they are left out of its rate.`
          : ''),
    );
  }
  const p3b = results.figures.P3b as Figure | undefined;
  if (p3b && !('error' in p3b)) {
    const trials =
      (p3b.peerConcurrencyTrials as {
        concurrency: number;
        works: boolean;
        rate: number;
        error?: string;
      }[]) ?? [];
    notes.push(
      `P3b: ${p3b.peer}, tried at concurrency ${trials.map((t) => `${t.concurrency} (${t.works ? `${num(t.rate, 1)}/s` : `fails: ${t.error}`})`).join(', ')}; rounds at ${num(p3b.peerBestConcurrency)}: ${(p3b.peerRounds as number[]).map((v) => num(v, 1)).join(', ')} appends/s. Emmett's durability: ${p3b.peerDurability}.`,
    );
  }
  const p2 = results.figures.P2 as Figure | undefined;
  if (p2 && !('error' in p2))
    notes.push(
      `P2: rounds ${(p2.roundsAppendsPerSecond as number[]).map((v) => num(v)).join(', ')} appends/s; baseline rounds ${(p2.roundsBaselineCommitsPerSecond as number[]).map((v) => num(v)).join(', ')} commits/s (median of each).`,
    );
  const p4 = results.figures.P4 as Figure | undefined;
  if (p4 && !('error' in p4))
    notes.push(
      `P4: relay rounds ${(p4.relayRounds as number[]).map((v) => num(v)).join(', ')} events/s, bare producer ${(p4.bareRounds as number[]).map((v) => num(v)).join(', ')} events/s; ${p4.valueBytesPerEvent} value bytes per event; ratio target ${p4.ratioMet ? 'met' : 'missed'}, 20,000 events/s ${p4.absoluteMet ? 'met' : 'missed'}.`,
    );
  const p5 = results.figures.P5 as Figure | undefined;
  if (p5 && !('error' in p5))
    notes.push(
      `P5: ${num(p5.events)} events of ${num(p5.initiatives)} initiatives (generated in ${num(p5.historyGenerationSeconds, 1)} s); the CLI said: "${p5.cliReport}"; rate target ${p5.rateMet ? 'met' : 'missed'}, memory target ${p5.memoryMet ? 'met' : 'missed'}.`,
    );
  const p6 = results.figures.P6 as Figure | undefined;
  if (p6 && !('error' in p6)) {
    const s = p6.fromSend as { p50: number; p99: number };
    notes.push(
      `P6: from the client sending the command to consumption: p50 ${num(s.p50, 1)} ms, p99 ${num(s.p99, 1)} ms; HTTP statuses ${JSON.stringify(p6.statuses)}.`,
    );
  }
  const p8 = results.figures.P8 as Figure | undefined;
  if (p8 && !('error' in p8)) {
    const store = (name: string, figures: unknown) =>
      figures && !('error' in (figures as object))
        ? `${name}: ${Object.values((figures as P8Store).cases)
            .map((c) => `${c.what} (${c.who}) ${num(c.medianMs, 2)} / ${num(c.p99Ms, 2)} ms`)
            .join(', ')}`
        : null;
    notes.push(
      `P8 (median / p99): ${[store('SQLite', p8.sqlite), store('PostgreSQL', p8.postgres)].filter(Boolean).join('; ')}.`,
    );
  }
  if (notes.length) lines.push('', '## Notes', '', ...notes.map((note) => `- ${note}`));
  lines.push(
    '',
    'Every figure and its detail is in bench/results.json. How to reproduce: bench/README.md.',
    '',
  );
  return lines.join('\n');
}
