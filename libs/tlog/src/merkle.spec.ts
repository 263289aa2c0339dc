import { CompactRange } from './compact-range';
import { emptyRoot, leafHash, leafInputOfChainHash, nodeHash, treeHash } from './merkle';
import { consistencyProof, inclusionProof, treeRoot, verifyConsistency, verifyInclusion } from './proof';
import { TreeStore } from './testing/tree-store';

/**
 * The RFC 6962 reference test data: eight leaves and the root of each prefix of them, with a few inclusion and
 * consistency proofs. Copied from transparency-dev/merkle, proof/verify_test.go (commit 02194e9a), which carries
 * them over from google/certificate-transparency's merkle_tree_test.cc. There the inclusion vectors number leaves
 * from 1; here from 0.
 */
const h = (hex: string) => Buffer.from(hex, 'hex');
const LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map(h);
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
].map(h);
const EMPTY_ROOT = h('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');

const INCLUSION: Array<{ index: number; size: number; proof: string[] }> = [
  {
    index: 0,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { index: 2, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    index: 1,
    size: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  { index: 0, size: 1, proof: [] },
];

const CONSISTENCY: Array<{ m: number; n: number; proof: string[] }> = [
  { m: 1, n: 1, proof: [] },
  {
    m: 1,
    n: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    m: 6,
    n: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    m: 2,
    n: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    m: 6,
    n: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

const store = TreeStore.of(LEAVES);
const flip = (hash: Buffer) => Buffer.from(hash.map((byte, i) => (i === 0 ? byte ^ 8 : byte)));

describe('Merkle tree hashing (RFC 9162 §2.1.1)', () => {
  it('hashes leaves as SHA-256(0x00 ‖ input) and nodes as SHA-256(0x01 ‖ left ‖ right)', () => {
    expect(leafHash(Buffer.alloc(0))).toEqual(ROOTS[0]);
    expect(nodeHash(leafHash(LEAVES[0]), leafHash(LEAVES[1]))).toEqual(ROOTS[1]);
  });

  it('gives the empty tree the SHA-256 of the empty string', () => {
    expect(emptyRoot()).toEqual(EMPTY_ROOT);
    expect(treeHash([])).toEqual(EMPTY_ROOT);
    expect(CompactRange.empty().root()).toEqual(EMPTY_ROOT);
  });

  it('gives each prefix of the reference leaves its known root, from the definition and from the store', () => {
    const range = CompactRange.empty();
    LEAVES.forEach((leaf, i) => {
      range.append(leaf);
      expect(treeHash(LEAVES.slice(0, i + 1))).toEqual(ROOTS[i]);
      expect(range.root()).toEqual(ROOTS[i]);
      expect(treeRoot(i + 1, store.at(i + 1))).toEqual(ROOTS[i]);
      expect(CompactRange.load(i + 1, store.at(i + 1)).root()).toEqual(ROOTS[i]);
    });
  });

  it('takes an Accord chain hash, 64 hex digits, as its 32 bytes', () => {
    expect(leafInputOfChainHash('ab'.repeat(32))).toEqual(Buffer.alloc(32, 0xab));
    expect(() => leafInputOfChainHash('ab'.repeat(31))).toThrow(TypeError);
    expect(() => leafInputOfChainHash('zz'.repeat(32))).toThrow(TypeError);
  });
});

describe('inclusion proofs (RFC 9162 §2.1.3) on the reference vectors', () => {
  it.each(INCLUSION)('for leaf $index of $size are the known ones, and verify', ({ index, size, proof }) => {
    const expected = proof.map(h);
    expect(inclusionProof(index, size, store.at(size))).toEqual(expected);
    expect(verifyInclusion(leafHash(LEAVES[index]), index, size, expected, ROOTS[size - 1])).toBe(true);
  });

  it.each(INCLUSION.filter((v) => v.size > 1))(
    'for leaf $index of $size fail once corrupted',
    ({ index, size, proof }) => {
      const good = proof.map(h);
      const leaf = leafHash(LEAVES[index]);
      const root = ROOTS[size - 1];
      const probes: Array<[number, number, Buffer[], Buffer, Buffer]> = [
        [index - 1, size, good, leaf, root],
        [index + 1, size, good, leaf, root],
        [index ^ 2, size, good, leaf, root],
        [index, size * 2, good, leaf, root],
        [index, Math.floor(size / 2), good, leaf, root],
        [index, size, good, leafHash(Buffer.from('WrongLeaf')), root],
        [index, size, good, leaf, EMPTY_ROOT],
        [index, size, [...good, root], leaf, root],
        [index, size, [root, ...good], leaf, root],
        [index, size, good.slice(0, -1), leaf, root],
        ...good.map((_, i): [number, number, Buffer[], Buffer, Buffer] => [
          index,
          size,
          good.map((hash, j) => (i === j ? flip(hash) : hash)),
          leaf,
          root,
        ]),
      ];
      for (const [i, n, p, l, r] of probes) expect(verifyInclusion(l, i, n, p, r)).toBe(false);
    },
  );

  it('refuses a leaf outside the tree', () => {
    expect(() => inclusionProof(8, 8, store.at())).toThrow(RangeError);
    expect(verifyInclusion(ROOTS[0], 0, 0, [], EMPTY_ROOT)).toBe(false);
    expect(verifyInclusion(ROOTS[0], 1, 1, [], ROOTS[0])).toBe(false);
  });
});

describe('consistency proofs (RFC 9162 §2.1.4) on the reference vectors', () => {
  it.each(CONSISTENCY)('from $m to $n are the known ones, and verify', ({ m, n, proof }) => {
    const expected = proof.map(h);
    expect(consistencyProof(m, n, store.at(n))).toEqual(expected);
    expect(verifyConsistency(m, n, expected, ROOTS[m - 1], ROOTS[n - 1])).toBe(true);
  });

  it.each(CONSISTENCY.filter((v) => v.proof.length > 0))(
    'from $m to $n fail once corrupted',
    ({ m, n, proof }) => {
      const good = proof.map(h);
      const [r1, r2] = [ROOTS[m - 1], ROOTS[n - 1]];
      const probes: Array<[number, number, Buffer[], Buffer, Buffer]> = [
        [m - 1, n, good, r1, r2],
        [m + 1, n, good, r1, r2],
        [m ^ 2, n, good, r1, r2],
        [m, n * 2, good, r1, r2],
        [m, Math.floor(n / 2), good, r1, r2],
        [m, n, good, EMPTY_ROOT, r2],
        [m, n, good, r1, EMPTY_ROOT],
        [m, n, good, r2, r1],
        [m, n, [], r1, r2],
        [m, n, [...good, r1], r1, r2],
        [m, n, [...good, r2], r1, r2],
        [m, n, [r1, ...good], r1, r2],
        [m, n, [r2, ...good], r1, r2],
        [m, n, [good[0], ...good], r1, r2],
        [m, n, good.slice(0, -1), r1, r2],
        ...good.map((_, i): [number, number, Buffer[], Buffer, Buffer] => [
          m,
          n,
          good.map((hash, j) => (i === j ? flip(hash) : hash)),
          r1,
          r2,
        ]),
      ];
      for (const [a, b, p, x, y] of probes) expect(verifyConsistency(a, b, p, x, y)).toBe(false);
    },
  );

  it('holds trivially from the empty tree and between equal sizes, with an empty proof only', () => {
    expect(consistencyProof(0, 8, store.at())).toEqual([]);
    expect(consistencyProof(8, 8, store.at())).toEqual([]);
    expect(verifyConsistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)).toBe(true);
    expect(verifyConsistency(0, 8, [], EMPTY_ROOT, ROOTS[7])).toBe(true);
    expect(verifyConsistency(8, 8, [], ROOTS[7], ROOTS[7])).toBe(true);
    expect(verifyConsistency(8, 8, [], ROOTS[6], ROOTS[7])).toBe(false);
    expect(verifyConsistency(0, 8, [], ROOTS[0], ROOTS[7])).toBe(false);
    expect(verifyConsistency(8, 8, [EMPTY_ROOT], ROOTS[7], ROOTS[7])).toBe(false);
    expect(verifyConsistency(0, 8, [EMPTY_ROOT], EMPTY_ROOT, ROOTS[7])).toBe(false);
    expect(verifyConsistency(8, 7, [], ROOTS[7], ROOTS[6])).toBe(false);
    expect(() => consistencyProof(8, 7, store.at())).toThrow(RangeError);
  });
});
