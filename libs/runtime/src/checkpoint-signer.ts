import { randomUUID } from 'node:crypto';
import { CheckpointSigned, LOG_CHECKPOINTS_STREAM, LOG_EVENT_SCHEMA_VERSION } from '@accord/domain';
import { chainEvents, ConcurrencyError, EventStore, sleep } from '@accord/event-store';
import { GENESIS_HASH } from '@accord/audit';
import { SignedCheckpoint, TransparencyLogQueries } from '@accord/read-model';
import { formatCheckpoint, noteSigner, NoteSigner, signNote } from '@accord/tlog';

/** The log itself, as the actor of its checkpoints. */
const LOG_ACTOR = { sub: 'accord-log', role: 'system', country: null } as const;

/**
 * Signs a checkpoint of the transparency log whenever its tree grew (docs/trust.md §4) and stores it as the next
 * event of `log-checkpoints`, chained like any stream. What the last checkpoint is comes from the projection, so
 * nothing is kept in memory: a signer behind the projection (or a second signer) fails its append on the expected
 * revision and tries again on its next round.
 */
export class CheckpointSigner {
  private readonly signer: NoteSigner;

  constructor(
    private readonly events: EventStore,
    private readonly log: TransparencyLogQueries,
    privateKey: string,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.signer = noteSigner(privateKey);
  }

  /** Signs the tree as it stands if it grew since the last checkpoint; null when there was nothing to sign. */
  async signIfGrown(): Promise<SignedCheckpoint | null> {
    const last = await this.log.latestCheckpoint();
    const size = await this.log.treeSize();
    if (last !== null && size <= last.treeSize) return null;
    const root = await this.log.root(size);
    const rootHash = root.toString('base64');
    const note = signNote(formatCheckpoint({ origin: this.signer.name, size, rootHash: root }), [
      this.signer,
    ]);
    const data: CheckpointSigned['data'] = { note, treeSize: size, rootHash };
    const revision = last === null ? 0 : last.revision + 1;
    const [event] = chainEvents(
      LOG_CHECKPOINTS_STREAM,
      { revision, prevHash: last?.eventHash ?? GENESIS_HASH },
      [
        {
          eventId: randomUUID(),
          type: 'CheckpointSigned',
          occurredAt: this.clock().toISOString(),
          actor: LOG_ACTOR,
          data,
        },
      ],
      {
        correlationId: `checkpoint-${size}`,
        causationId: null,
        schemaVersion: LOG_EVENT_SCHEMA_VERSION,
        idempotencyKey: null,
      },
    );
    try {
      await this.events.append(LOG_CHECKPOINTS_STREAM, [event], last === null ? 'no-stream' : last.revision);
    } catch (error) {
      if (error instanceof ConcurrencyError) return null;
      throw error;
    }
    return { revision, treeSize: size, rootHash, note, eventHash: event.hash };
  }

  /** Signs at most every `intervalMs` until `signal` aborts. */
  async run(signal: AbortSignal, intervalMs: number, onError: (error: unknown) => void): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.signIfGrown();
      } catch (error) {
        if (!signal.aborted) onError(error);
      }
      await sleep(intervalMs, signal);
    }
  }
}
