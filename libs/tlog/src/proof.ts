import { emptyRoot, isHash, nodeHash, splitPoint } from './merkle';

/**
 * Proofs of RFC 9162 §2.1.3 (inclusion) and §2.1.4 (consistency), computed from stored perfect subtrees.
 *
 * Storage: a perfect subtree is a complete binary tree of 2^level leaves, the node (level, index) covering the
 * leaves [index·2^level, (index+1)·2^level). Once its last leaf is in, its hash never changes, so a projection
 * stores it as a row (level, index, hash) — see CompactRange, which yields these rows as leaves arrive. Every MTH
 * a proof needs is either such a node or a subtree ending at the tree's right edge, which is the right fold of
 * at most log2(n) of them; a proof has at most one such right-edge hash, so it reads O(log n) rows.
 *
 * A proof is first planned as the nodes to read (ProofPlan), then assembled from their hashes: a store can
 * fetch the whole plan in one query, synchronous or not.
 */

/** A perfect subtree: level L, index i covers leaves [i·2^L, (i+1)·2^L). Level 0 holds the leaf hashes. */
export interface NodeId {
  level: number;
  index: number;
}

/** Reads the hash of a stored perfect subtree. */
export type HashAt = (level: number, index: number) => Buffer;

/** The nodes to read for a proof: each proof hash is the right fold (see foldHashes) of one group. */
export type ProofPlan = NodeId[][];

function requireSize(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${name} must be a non-negative integer`);
}

const half = (value: number): number => Math.floor(value / 2);

function isPowerOfTwo(value: number): boolean {
  let power = 1;
  while (power < value) power *= 2;
  return power === value;
}

/**
 * The perfect subtrees, largest first, whose right fold is MTH(D[start:start+size]) for a subtree the RFC's
 * recursion reaches: it starts at a multiple of a power of two at least its size, so the binary decomposition
 * of the size is aligned, and MTH splits exactly there (k is the largest power of two below the size).
 */
export function subtreeNodes(start: number, size: number): NodeId[] {
  const nodes: NodeId[] = [];
  while (size > 0) {
    let width = 1;
    let level = 0;
    while (width * 2 <= size) {
      width *= 2;
      level += 1;
    }
    nodes.push({ level, index: start / width });
    start += width;
    size -= width;
  }
  return nodes;
}

/** The nodes whose right fold is the root of the tree of this size (none for the empty tree). */
export function rootNodes(size: number): NodeId[] {
  requireSize('size', size);
  return subtreeNodes(0, size);
}

/** Folds subtree hashes, largest first, into the hash of their union: h0 ‖ (h1 ‖ (… ‖ hn)). */
export function foldHashes(hashes: readonly Buffer[]): Buffer {
  if (hashes.length === 0) return emptyRoot();
  let hash = hashes[hashes.length - 1];
  for (let i = hashes.length - 2; i >= 0; i -= 1) hash = nodeHash(hashes[i], hash);
  return hash;
}

type Range = [start: number, size: number];

/** PATH(m, D[start:start+n]) of RFC 9162 §2.1.3.1, as the ranges whose MTH it lists, bottom up. */
function path(m: number, start: number, n: number): Range[] {
  if (n === 1) return [];
  const k = splitPoint(n);
  return m < k ? [...path(m, start, k), [start + k, n - k]] : [...path(m - k, start + k, n - k), [start, k]];
}

/** SUBPROOF(m, D[start:start+n], b) of RFC 9162 §2.1.4.1, as ranges. */
function subproof(m: number, start: number, n: number, b: boolean): Range[] {
  if (m === n) return b ? [] : [[start, n]];
  const k = splitPoint(n);
  return m <= k
    ? [...subproof(m, start, k, b), [start + k, n - k]]
    : [...subproof(m - k, start + k, n - k, false), [start, k]];
}

/** The nodes to read for the inclusion proof of leaf `index` in the tree of `size` leaves. */
export function inclusionPlan(index: number, size: number): ProofPlan {
  requireSize('index', index);
  requireSize('size', size);
  if (index >= size) throw new RangeError(`leaf ${index} is not in a tree of ${size} leaves`);
  return path(index, 0, size).map(([start, n]) => subtreeNodes(start, n));
}

/** The nodes to read for the consistency proof from size m to size n (empty when m is 0 or n). */
export function consistencyPlan(m: number, n: number): ProofPlan {
  requireSize('from', m);
  requireSize('to', n);
  if (m > n) throw new RangeError(`no consistency proof from ${m} leaves to fewer (${n})`);
  if (m === 0 || m === n) return [];
  return subproof(m, 0, n, true).map(([start, size]) => subtreeNodes(start, size));
}

/** A proof from its plan and the stored hashes. */
export function proofFromPlan(plan: ProofPlan, hashAt: HashAt): Buffer[] {
  return plan.map((group) => foldHashes(group.map(({ level, index }) => hashAt(level, index))));
}

/** The RFC 9162 §2.1.3.1 inclusion proof (audit path) of leaf `index` in the tree of `size` leaves. */
export function inclusionProof(index: number, size: number, hashAt: HashAt): Buffer[] {
  return proofFromPlan(inclusionPlan(index, size), hashAt);
}

/** The RFC 9162 §2.1.4.1 consistency proof from the tree of m leaves to the tree of n leaves. */
export function consistencyProof(m: number, n: number, hashAt: HashAt): Buffer[] {
  return proofFromPlan(consistencyPlan(m, n), hashAt);
}

/** The root of the tree of `size` leaves, from popcount(size) stored nodes. */
export function treeRoot(size: number, hashAt: HashAt): Buffer {
  return foldHashes(rootNodes(size).map(({ level, index }) => hashAt(level, index)));
}

/** Verifies an inclusion proof as RFC 9162 §2.1.3.2 says, step by step. */
export function verifyInclusion(
  leafHash: Buffer,
  index: number,
  size: number,
  proof: readonly Buffer[],
  root: Buffer,
): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  if (!isHash(leafHash) || !isHash(root) || !proof.every(isHash)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && r.equals(root);
}

/**
 * Verifies a consistency proof as RFC 9162 §2.1.4.2 says for 0 < m < n. Outside that range only the trivial
 * cases hold: equal sizes with equal roots, or from the empty tree; both with an empty proof.
 */
export function verifyConsistency(
  m: number,
  n: number,
  proof: readonly Buffer[],
  rootM: Buffer,
  rootN: Buffer,
): boolean {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 0 || m > n) return false;
  if (!isHash(rootM) || !isHash(rootN) || !proof.every(isHash)) return false;
  if (m === n) return proof.length === 0 && rootM.equals(rootN);
  if (m === 0) return proof.length === 0 && rootM.equals(emptyRoot());
  if (proof.length === 0) return false;
  const hashes = isPowerOfTwo(m) ? [rootM, ...proof] : proof;
  let fn = m - 1;
  let sn = n - 1;
  while (fn % 2 === 1) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = hashes[0];
  let sr = hashes[0];
  for (const c of hashes.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && fr.equals(rootM) && sr.equals(rootN);
}
