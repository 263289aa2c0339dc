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
    streamId: string,
    events: readonly { revision: number; eventId: string }[],
    waitMs: number,
  ): Promise<BundleLog | null> {
    const deadline = Date.now() + waitMs;
    const byEvent = new Map(
      (await this.leavesOnceProjected(streamId, events, deadline)).map((leaf) => [leaf.eventId, leaf]),
    );
    const covered = events.flatMap((event) => {
      const leaf = byEvent.get(event.eventId);
      return leaf ? [{ revision: event.revision, leafIndex: leaf.leafIndex }] : [];
    });
    if (covered.length === 0 && (await this.queries.latestCheckpoint()) === null) return null;
    const needed = Math.max(0, ...covered.map(({ leafIndex }) => leafIndex + 1));
    const checkpoint = await this.until(deadline, async () => {
      let latest = await this.latestCheckpoint();
      if ((latest === null || latest.treeSize < needed) && this.signer && (await this.signer.signIfGrown()))
        latest = await this.latestCheckpoint();
      return latest !== null && latest.treeSize >= needed ? latest : null;
    });
    return {
      checkpoint: checkpoint.cosigned,
      leaves: await Promise.all(
        covered.map(async ({ revision, leafIndex }) => ({
          revision,
          leafIndex,
          inclusionProof: (await this.queries.inclusionProof(leafIndex, checkpoint.treeSize)).map((hash) =>
            hash.toString('base64'),
          ),
        })),
      ),
    };
  }

  /** The stream's leaves once the last event is one, or once the projection stopped moving, or at the deadline. */
  private async leavesOnceProjected(
    streamId: string,
    events: readonly { eventId: string }[],
    deadline: number,
  ) {
    const head = events.at(-1)?.eventId;
    let position = await this.readStore.checkpoint();
    let movedAt = Date.now();
    for (;;) {
      const leaves = await this.queries.leavesOfStream(streamId);
      if (head === undefined || leaves.some((leaf) => leaf.eventId === head)) return leaves;
      const now = Date.now();
      const current = await this.readStore.checkpoint();
      if (current !== position) [position, movedAt] = [current, now];
      if (now >= deadline || now - movedAt >= STALLED_MS) return leaves;
      await sleep(POLL_MS);
    }
  }

  private async until<T>(deadline: number, attempt: () => Promise<T | null>): Promise<T> {
    for (;;) {
      const result = await attempt();
      if (result !== null) return result;
      if (Date.now() >= deadline)
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
