import { Inject, Injectable } from '@nestjs/common';
import { BundleLog } from '@accord/audit';
import { LogKeys } from '@accord/config';
import { sleep } from '@accord/event-store';
import { CheckpointSigner } from '@accord/runtime';
import { ReadStore, SignedCheckpoint, TransparencyLogQueries } from '@accord/read-model';
import { noteVerifier, NoteVerifier } from '@accord/tlog';
import { ProblemException } from '../../http/problem';
import { CHECKPOINT_SIGNER, LOG_KEYS, READ_STORE } from '../../infrastructure/tokens';

/** How often a wait for the projection or for a checkpoint looks again. */
const POLL_MS = 50;
/** A projection that did not move for this long is not about to reach the events a bundle waits for. */
const STALLED_MS = 2_000;

/**
 * The transparency log as the API serves it: the projection's queries, the log's key, the latest checkpoint with its
 * cosignatures, and the proofs an audit bundle carries. In a process that signs checkpoints (the embedded default)
 * a bundle asks for one at once; elsewhere it waits for the signer's next round.
 */
@Injectable()
export class TransparencyLog {
  readonly queries: TransparencyLogQueries;
  readonly verifier: NoteVerifier;

  constructor(
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(LOG_KEYS) readonly keys: LogKeys,
    @Inject(CHECKPOINT_SIGNER) private readonly signer: CheckpointSigner | null,
  ) {
    this.queries = new TransparencyLogQueries(readStore);
    this.verifier = noteVerifier(keys.publicKey);
  }

  /** The latest checkpoint, its note followed by every cosignature recorded for it; null before the first. */
  async latestCheckpoint(): Promise<(SignedCheckpoint & { cosigned: string }) | null> {
    const latest = await this.queries.latestCheckpoint();
    if (latest === null) return null;
    const cosignatures = await this.queries.cosignatures(latest.treeSize, latest.rootHash);
    const cosigned = latest.note + cosignatures.map(({ cosignature }) => `${cosignature}\n`).join('');
    return { ...latest, cosigned };
  }

  async requireCheckpoint(): Promise<SignedCheckpoint> {
    const latest = await this.queries.latestCheckpoint();
    if (latest === null) throw new ProblemException('not-found', 'The log has signed no checkpoint yet');
    return latest;
  }

  /** Proofs are answered for trees the projection holds: a larger one is not there (yet). */
  async requireTreeSize(size: number): Promise<void> {
    const stored = await this.queries.treeSize();
    if (size > stored) throw new ProblemException('not-found', `The tree has ${stored} leaves, not ${size}`);
  }

  /**
   * Inclusion proofs of these events of a stream in the latest checkpoint, waiting (up to `waitMs`) for the
   * projection to hold them and for a checkpoint that covers them. A projection that stopped short of them (it
   * cannot read a damaged event) leaves them out: the bundle then proves what the log holds, and its verifier
   * names the events without a proof. Null when the log has no leaf of the stream and no checkpoint.
   */
  async bundleLog(
    events: readonly { revision: number; eventId: string }[],
    waitMs: number,
  ): Promise<BundleLog | null> {
    const deadline = Date.now() + waitMs;
    const head = events.at(-1)?.eventId;
    const eventIds = events.map((event) => event.eventId);
    const leaves =
      (await this.untilProjected(deadline, async () => {
        const stored = await this.queries.leavesOfEvents(eventIds);
        return head === undefined || stored.some((leaf) => leaf.eventId === head) ? stored : null;
      })) ?? (await this.queries.leavesOfEvents(eventIds));
    const byEvent = new Map(leaves.map((leaf) => [leaf.eventId, leaf]));
    const covered = events.flatMap((event) => {
      const leaf = byEvent.get(event.eventId);
      return leaf ? [{ revision: event.revision, leafIndex: leaf.leafIndex }] : [];
    });
    const needed = Math.max(0, ...covered.map(({ leafIndex }) => leafIndex + 1));
    const covering = await this.untilProjected(deadline, async () => {
      let latest = await this.latestCheckpoint();
      if ((latest === null || latest.treeSize < needed) && this.signer && (await this.signer.signIfGrown()))
        latest = await this.latestCheckpoint();
      return latest !== null && latest.treeSize >= needed ? latest : null;
    });
    const checkpoint = covering ?? (await this.latestCheckpoint());
    if (checkpoint === null) return null;
    const proven = covered.filter(({ leafIndex }) => leafIndex < checkpoint.treeSize);
    return {
      checkpoint: checkpoint.cosigned,
      leaves: await Promise.all(
        proven.map(async ({ revision, leafIndex }) => ({
          revision,
          leafIndex,
          inclusionProof: (await this.queries.inclusionProof(leafIndex, checkpoint.treeSize)).map((hash) =>
            hash.toString('base64'),
          ),
        })),
      ),
    };
  }

  /**
   * Tries `attempt` until it answers, while the projection moves. A projection that stopped moving (it cannot read
   * a damaged event) is not about to bring the answer: then null. One that moves but not far enough by the deadline
   * answers 503.
   */
  private async untilProjected<T>(deadline: number, attempt: () => Promise<T | null>): Promise<T | null> {
    let position = await this.readStore.checkpoint();
    let movedAt = Date.now();
    for (;;) {
      const value = await attempt();
      if (value !== null) return value;
      const now = Date.now();
      const current = await this.readStore.checkpoint();
      if (current !== position) [position, movedAt] = [current, now];
      if (now - movedAt >= STALLED_MS) return null;
      if (now >= deadline)
        throw new ProblemException(
          'projection-lagging',
          'The transparency log has not yet signed a checkpoint that covers this initiative: retry shortly',
          undefined,
          { 'retry-after': '5' },
        );
      await sleep(POLL_MS);
    }
  }
}
