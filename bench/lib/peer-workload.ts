import { randomUUID } from 'node:crypto';
import { signOffEvent } from './events';

/** One event as an Emmett store takes it: Accord's actor and chain links ride in the metadata. */
export interface PeerMessage {
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

/** A peer store's append of one message to a stream at its expected version; answers the next expected version. */
export type PeerAppend = (streamName: string, message: PeerMessage, expected: bigint) => Promise<bigint>;

/**
 * The P2 workload on a peer store: `concurrency` appenders, each on its own stream at its expected version, append
 * `appends` sign-offs in all, one per call. An appender stops after the trial has seen 20 errors.
 */
export async function appendWorkload(
  append: PeerAppend,
  appends: number,
  concurrency: number,
): Promise<{ appended: number; errors: string[]; seconds: number }> {
  const errors: string[] = [];
  const perAppender = Math.ceil(appends / concurrency);
  const started = process.hrtime.bigint();
  let appended = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const initiativeId = randomUUID();
      const streamName = `initiative-${initiativeId}`;
      let expected = 0n;
      for (let i = 0; i < perAppender; i++) {
        const event = signOffEvent(initiativeId, 'KAZ');
        const message = {
          type: event.type,
          data: event.data,
          metadata: { ...event.metadata, actor: event.actor, prevHash: event.prevHash, hash: event.hash },
        };
        try {
          expected = await append(streamName, message, expected);
          appended++;
        } catch (error) {
          errors.push(
            error instanceof Error
              ? `${(error as { code?: string }).code ?? error.name}: ${error.message}`
              : String(error),
          );
          if (errors.length >= 20) return;
        }
      }
    }),
  );
  return { appended, errors, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/** What a trial measured, for runTrialProcess to print. */
export interface TrialOutcome {
  concurrency: number;
  workload: Awaited<ReturnType<typeof appendWorkload>>;
  /** The durability settings the peer committed with, read by a probe trial; null otherwise. */
  settings: Record<string, unknown> | null;
  /** Anything else the trial reports. */
  extra?: Record<string, unknown>;
}

/**
 * The trial's side of runTrial (peer-trial.ts), in the trial's own process: runs `trial` and prints its result as
 * the one JSON line runTrial reads, or the crash — an uncaught exception (exit 3) or a failed trial (exit 2).
 */
export function runTrialProcess(trial: () => Promise<TrialOutcome>): void {
  const print = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);
  process.on('uncaughtException', (error) => {
    print({ crashed: `${(error as { code?: string }).code ?? error.name}: ${error.message}` });
    process.exit(3);
  });
  trial().then(
    ({ concurrency, workload, settings, extra }) => {
      const { appended, errors, seconds } = workload;
      print({
        concurrency,
        appended,
        errors: errors.length,
        firstErrors: [...new Set(errors)].slice(0, 3),
        ...extra,
        seconds,
        rate: appended / seconds,
        settings,
      });
      process.exit(0);
    },
    (error: unknown) => {
      print({ crashed: String(error) });
      process.exit(2);
    },
  );
}
