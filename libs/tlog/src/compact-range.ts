import { leafHash, nodeHash } from './merkle';
import { foldHashes, HashAt, NodeId, rootNodes } from './proof';

/** A perfect subtree with its hash: a row for the store proofs read from. */
export interface StoredNode extends NodeId {
  hash: Buffer;
}

/**
 * The right edge of the tree [0, size): the hashes of its perfect subtrees in the binary decomposition of size,
 * largest first (popcount(size) of them). Appending a leaf completes the perfect subtrees that end with it, which
 * are all a projection needs to store for proofs in O(log n) reads; the root of any earlier size is then
 * treeRoot(size, hashAt).
 */
export class CompactRange {
  private constructor(
    private treeSize: number,
    private readonly hashes: Buffer[],
  ) {}

  static empty(): CompactRange {
    return new CompactRange(0, []);
  }

  /** The range of a tree of `size` leaves from the store, in popcount(size) reads: where a projection resumes. */
  static load(size: number, hashAt: HashAt): CompactRange {
    return new CompactRange(
      size,
      rootNodes(size).map(({ level, index }) => hashAt(level, index)),
    );
  }

  get size(): number {
    return this.treeSize;
  }

  /**
   * Appends the leaf with this input (in Accord, an event's 32-byte chain hash) and returns the perfect subtrees
   * it completes, to store: its leaf hash at level 0, then one parent per trailing 1 bit of the old size.
   */
  append(input: Buffer): StoredNode[] {
    let level = 0;
    let index = this.treeSize;
    let hash = leafHash(input);
    const completed: StoredNode[] = [{ level, index, hash }];
    // An odd index is a right child: its left sibling is the last perfect subtree of the range, now complete.
    while (index % 2 === 1) {
      hash = nodeHash(this.hashes.pop() as Buffer, hash);
      level += 1;
      index = (index - 1) / 2;
      completed.push({ level, index, hash });
    }
    this.hashes.push(hash);
    this.treeSize += 1;
    return completed;
  }

  /** MTH of the leaves appended so far. */
  root(): Buffer {
    return foldHashes(this.hashes);
  }
}
