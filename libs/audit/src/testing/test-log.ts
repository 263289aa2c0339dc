import { createHash } from 'node:crypto';
import {
  consistencyProof,
  formatCheckpoint,
  generateSignerKey,
  inclusionProof,
  leafInputOfChainHash,
  noteSigner,
  parseSignerKey,
  signNote,
  treeRoot,
  verifierKeyOf,
} from '@accord/tlog';
import { TreeStore } from '../../../tlog/src/testing/tree-store';
import { BundleLog } from '../bundle-log';
import { ChainedEvent, eventHash, GENESIS_HASH } from '../hash-chain';

export const TEST_LOG_ORIGIN = 'accord.test/log';

/** A chain of `count` events of one stream, hashed as the event store hashes them. */
export function chainedEvents(
  streamId: string,
  count: number,
  dataOf: (revision: number) => unknown = (revision) => ({ revision }),
): ChainedEvent[] {
  const events: ChainedEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let revision = 0; revision < count; revision++) {
    const fields = {
      streamId,
      revision,
      eventId: `${streamId}-event-${revision}`,
      type: revision === 0 ? 'InitiativeProposed' : 'SignOffRecorded',
      schemaVersion: 1,
      occurredAt: `2026-11-27T10:0${revision % 10}:00.000Z`,
      actor: { sub: 'secretariat-1', role: 'secretariat', country: null },
      data: dataOf(revision),
      prevHash,
    };
    const hash = eventHash(fields);
    const { streamId: _streamId, schemaVersion: _schemaVersion, ...recorded } = fields;
    events.push({ ...recorded, metadata: { schemaVersion: 1 }, hash });
    prevHash = hash;
  }
  return events;
}

/** The chain hash of some other stream's event: a leaf between those of the stream under test. */
export function otherChainHash(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

/** The transparency log in memory, as the server keeps it: chain hashes as leaves, checkpoints signed by its key. */
export class TestLog {
  private readonly store = new TreeStore();

  constructor(readonly skey: string = generateSignerKey(TEST_LOG_ORIGIN)) {}

  get vkey(): string {
    return verifierKeyOf(this.skey);
  }

  get size(): number {
    return this.store.size;
  }

  /** Appends chain hashes as leaves and answers their leaf indices. */
  append(chainHashes: readonly string[]): number[] {
    return chainHashes.map((hash) => {
      this.store.append(leafInputOfChainHash(hash));
      return this.store.size - 1;
    });
  }

  /** The signed note of the tree of `size` leaves. */
  checkpoint(size: number = this.size): string {
    const origin = parseSignerKey(this.skey).name;
    const text = formatCheckpoint({ origin, size, rootHash: treeRoot(size, this.store.at(size)) });
    return signNote(text, [noteSigner(this.skey)]);
  }

  consistencyProof(from: number, to: number): Buffer[] {
    return consistencyProof(from, to, this.store.at(to));
  }

  /** A bundle's `log` section: the checkpoint of the tree of `size` leaves, the events logged at `leafIndices`. */
  bundleLog(
    events: readonly ChainedEvent[],
    leafIndices: readonly number[],
    size: number = this.size,
  ): BundleLog {
    return {
      checkpoint: this.checkpoint(size),
      leaves: events.map(({ revision }, position) => ({
        revision,
        leafIndex: leafIndices[position],
        inclusionProof: inclusionProof(leafIndices[position], size, this.store.at(size)).map((hash) =>
          hash.toString('base64'),
        ),
      })),
    };
  }
}
