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
