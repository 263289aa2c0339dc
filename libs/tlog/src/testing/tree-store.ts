import { CompactRange } from '../compact-range';
import { HashAt } from '../proof';

/** An in-memory store of perfect subtrees, as a projection would keep rows (level, index, hash); counts reads. */
export class TreeStore {
  private readonly rows = new Map<string, Buffer>();
  private readonly range = CompactRange.empty();
  reads = 0;

  static of(leaves: readonly Buffer[]): TreeStore {
    const store = new TreeStore();
    for (const leaf of leaves) store.append(leaf);
    return store;
  }

  append(input: Buffer): void {
    for (const { level, index, hash } of this.range.append(input)) this.rows.set(`${level}/${index}`, hash);
  }

  get size(): number {
    return this.range.size;
  }

  get rowCount(): number {
    return this.rows.size;
  }

  /** Reads rows as of the tree of `size` leaves: a node not complete at that size is a bug in the caller. */
  at(size: number = this.size): HashAt {
    return (level, index) => {
      this.reads += 1;
      const hash = this.rows.get(`${level}/${index}`);
      if (!hash || (index + 1) * 2 ** level > size) {
        throw new Error(`no perfect subtree ${level}/${index} in a tree of ${size}`);
      }
      return hash;
    };
  }
}
