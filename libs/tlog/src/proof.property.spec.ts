import fc from 'fast-check';
import { CompactRange } from './compact-range';
import { leafHash, treeHash } from './merkle';
import { consistencyProof, inclusionProof, treeRoot, verifyConsistency, verifyInclusion } from './proof';
import { TreeStore } from './testing/tree-store';

/** Leaf inputs as Accord has them: 32 bytes (a chain hash; here the leaf's index in its last 4 bytes). */
function leafInput(i: number): Buffer {
  const input = Buffer.alloc(32, 0xac);
  input.writeUInt32BE(i, 28);
  return input;
}
const leaves = (n: number) => Array.from({ length: n }, (_, i) => leafInput(i));

/** The largest power of two smaller than n, for n > 1. */
const k = (n: number) => 2 ** Math.ceil(Math.log2(n) - 1);

/** PATH and SUBPROOF of RFC 9162 §2.1.3.1 and §2.1.4.1 over the whole leaf list, as the RFC writes them. */
function referencePath(m: number, d: Buffer[]): Buffer[] {
  if (d.length === 1) return [];
  const s = k(d.length);
  return m < s
    ? [...referencePath(m, d.slice(0, s)), treeHash(d.slice(s))]
    : [...referencePath(m - s, d.slice(s)), treeHash(d.slice(0, s))];
}
function referenceSubproof(m: number, d: Buffer[], b: boolean): Buffer[] {
  if (m === d.length) return b ? [] : [treeHash(d)];
  const s = k(d.length);
  return m <= s
    ? [...referenceSubproof(m, d.slice(0, s), b), treeHash(d.slice(s))]
    : [...referenceSubproof(m - s, d.slice(s), false), treeHash(d.slice(0, s))];
}

const MAX = 300;
const all = leaves(MAX);
const store = TreeStore.of(all);
const flip = (hash: Buffer, bit: number) =>
  Buffer.from(hash.map((b, i) => (i === bit >> 3 ? b ^ (1 << (bit & 7)) : b)));

/** A tree size and a leaf index in it. */
const sizeAndIndex = fc.integer({ min: 1, max: MAX }).chain((n) => fc.tuple(fc.constant(n), fc.nat(n - 1)));
/** Two tree sizes 0 < m ≤ n. */
const twoSizes = fc
  .integer({ min: 1, max: MAX })
  .chain((n) => fc.tuple(fc.integer({ min: 1, max: n }), fc.constant(n)));

describe('proofs from stored perfect subtrees (property)', () => {
  it('the compact range yields, leaf by leaf, the MTH of every prefix', () => {
    const range = CompactRange.empty();
    for (let n = 1; n <= 70; n += 1) {
      const stored = range.append(all[n - 1]);
      expect(range.root()).toEqual(treeHash(all.slice(0, n)));
      // The leaf, then one parent per trailing 1 bit of the old size.
      let trailingOnes = 0;
      for (let old = n - 1; old % 2 === 1; old = (old - 1) / 2) trailingOnes += 1;
      expect(stored.length).toBe(1 + trailingOnes);
      for (const { level, index, hash } of stored) {
        expect(hash).toEqual(treeHash(all.slice(index * 2 ** level, (index + 1) * 2 ** level)));
      }
    }
  });

  it('a range loaded from the store at any size goes on as if never interrupted', () => {
    fc.assert(
      fc.property(twoSizes, ([m, n]) => {
        const range = CompactRange.load(m, store.at(m));
        for (let i = m; i < n; i += 1) range.append(all[i]);
        expect(range.root()).toEqual(treeHash(all.slice(0, n)));
        expect(treeRoot(n, store.at(n))).toEqual(range.root());
      }),
    );
  });

  it('every inclusion proof equals the one from the full leaf list, and verifies', () => {
    fc.assert(
      fc.property(sizeAndIndex, ([n, i]) => {
        const proof = inclusionProof(i, n, store.at(n));
        expect(proof).toEqual(referencePath(i, all.slice(0, n)));
        expect(verifyInclusion(leafHash(all[i]), i, n, proof, treeHash(all.slice(0, n)))).toBe(true);
      }),
    );
  });

  it('every consistency proof equals the one from the full leaf list, and verifies', () => {
    fc.assert(
      fc.property(twoSizes, ([m, n]) => {
        const proof = consistencyProof(m, n, store.at(n));
        expect(proof).toEqual(m === n ? [] : referenceSubproof(m, all.slice(0, n), true));
        expect(verifyConsistency(m, n, proof, treeHash(all.slice(0, m)), treeHash(all.slice(0, n)))).toBe(
          true,
        );
      }),
    );
  });

  it('an inclusion proof fails for a tampered leaf, a tampered tree or a tampered proof', () => {
    fc.assert(
      fc.property(sizeAndIndex, fc.nat(MAX - 1), fc.nat(255), ([n, i], j, bit) => {
        const tree = all.slice(0, n);
        const root = treeHash(tree);
        const proof = inclusionProof(i, n, store.at(n));
        const tampered = Buffer.from(tree[i]);
        tampered[bit >> 3] ^= 1 << (bit & 7);
        expect(verifyInclusion(leafHash(tampered), i, n, proof, root)).toBe(false);
        // Another leaf changed (flipped itself: a leaf changed into another leaf of the tree would be no change).
        const other = tree.map((leaf, x) => (x === j % n ? flip(leaf, bit) : leaf));
        if (j % n !== i) expect(verifyInclusion(leafHash(tree[i]), i, n, proof, treeHash(other))).toBe(false);
        if (proof.length > 0) {
          const p = proof.map((hash, x) => (x === j % proof.length ? flip(hash, bit) : hash));
          expect(verifyInclusion(leafHash(tree[i]), i, n, p, root)).toBe(false);
        }
      }),
    );
  });

  it('a consistency proof fails once the old tree, the new tree or the proof is tampered with', () => {
    fc.assert(
      fc.property(twoSizes, fc.nat(MAX - 1), fc.nat(255), ([m, n], j, bit) => {
        fc.pre(m < n);
        const proof = consistencyProof(m, n, store.at(n));
        const [rootM, rootN] = [treeHash(all.slice(0, m)), treeHash(all.slice(0, n))];
        // A history rewritten before m: the new tree no longer extends the old one.
        const rewritten = all.slice(0, n).map((leaf, x) => (x === j % m ? flip(leaf, bit) : leaf));
        expect(verifyConsistency(m, n, proof, rootM, treeHash(rewritten))).toBe(false);
        expect(
          verifyConsistency(
            m,
            n,
            consistencyProof(m, n, TreeStore.of(rewritten).at()),
            rootM,
            treeHash(rewritten),
          ),
        ).toBe(false);
        expect(verifyConsistency(m, n, proof, flip(rootM, bit), rootN)).toBe(false);
        const p = proof.map((hash, x) => (x === j % proof.length ? flip(hash, bit) : hash));
        expect(verifyConsistency(m, n, p, rootM, rootN)).toBe(false);
      }),
      { numRuns: 60 },
    );
  });
});

describe('the cost of a proof in stored-node reads', () => {
  const N = 100_000;
  const big = TreeStore.of(leaves(N));
  const bound = (n: number) => 2 * Math.log2(n) + 2;

  function reads(run: () => unknown): number {
    big.reads = 0;
    run();
    return big.reads;
  }

  /** Every size up to 64, around powers of two, and random ones up to 100,000. */
  const sizes = [
    ...Array.from({ length: 64 }, (_, i) => i + 1),
    ...[128, 1024, 4096, 65536].flatMap((p) => [p - 1, p, p + 1]),
    99_999,
    N,
    ...fc.sample(fc.integer({ min: 65, max: N }), { numRuns: 40, seed: 9162 }),
  ];

  it('stores at most 2n nodes for n leaves', () => {
    expect(big.rowCount).toBeLessThan(2 * N);
  });

  it.each(sizes)('is at most 2·log2(n)+2 for an inclusion proof in a tree of %i', (n) => {
    const indexes = [0, n - 1, Math.floor(n / 2), ...fc.sample(fc.nat(n - 1), { numRuns: 20, seed: n })];
    for (const i of indexes) {
      const count = reads(() => inclusionProof(i, n, big.at(n)));
      expect(count).toBeLessThanOrEqual(bound(n));
    }
  });

  it.each(sizes)('is at most 2·log2(n)+2 for a consistency proof to a tree of %i', (n) => {
    const froms = [
      1,
      n - 1,
      Math.floor(n / 2),
      ...fc.sample(fc.integer({ min: 1, max: n }), { numRuns: 20, seed: n }),
    ];
    for (const m of froms.filter((x) => x >= 1)) {
      const count = reads(() => consistencyProof(m, n, big.at(n)));
      expect(count).toBeLessThanOrEqual(bound(n));
    }
  });

  it('gives the root of 100,000 leaves in popcount(100,000) reads, and proofs that verify against it', () => {
    expect(reads(() => treeRoot(N, big.at(N)))).toBe(6); // 100,000 = 0b11000011010100000
    const root = treeRoot(N, big.at(N));
    expect(root).toEqual(treeHash(leaves(N)));
    const i = 31_337;
    expect(verifyInclusion(leafHash(leafInput(i)), i, N, inclusionProof(i, N, big.at(N)), root)).toBe(true);
    const m = 65_537;
    const rootM = treeRoot(m, big.at(m));
    expect(verifyConsistency(m, N, consistencyProof(m, N, big.at(N)), rootM, root)).toBe(true);
  });
});
