import { createHash, hash } from 'node:crypto';

/** Merkle tree hashing of RFC 9162 §2.1.1 with SHA-256, the hash every checkpoint and proof of the log is made of. */
export const HASH_SIZE = 32;

function sha256(...parts: Buffer[]): Buffer {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/**
 * Where a leaf's or a node's input is assembled before one-shot hashing: a projection hashes two million inputs per
 * million events, and a Hash object each costs twice as much. Hashing is synchronous, so one buffer of each serves.
 */
const leafInput = Buffer.from([0x00, ...new Array<number>(HASH_SIZE).fill(0)]);
const nodeInput = Buffer.from([0x01, ...new Array<number>(2 * HASH_SIZE).fill(0)]);

/** The hash of a leaf: SHA-256(0x00 ‖ input). The prefixes keep a leaf from passing for an interior node. */
export function leafHash(input: Buffer): Buffer {
  if (input.length !== HASH_SIZE) return sha256(LEAF_PREFIX, input);
  input.copy(leafInput, 1);
  return hash('sha256', leafInput, 'buffer');
}

/** The hash of an interior node: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Buffer, right: Buffer): Buffer {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) return sha256(NODE_PREFIX, left, right);
  left.copy(nodeInput, 1);
  right.copy(nodeInput, 1 + HASH_SIZE);
  return hash('sha256', nodeInput, 'buffer');
}

/** MTH({}), the root of the empty tree: SHA-256 of the empty string. */
export function emptyRoot(): Buffer {
  return sha256();
}

/** For n > 1, the k of RFC 9162 §2.1.1: the largest power of two smaller than n (k < n ≤ 2k). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[n]) of RFC 9162 §2.1.1 over the leaf inputs, straight from the definition (O(n) hashes). */
export function treeHash(leaves: readonly Buffer[]): Buffer {
  const mth = (start: number, n: number): Buffer => {
    if (n === 1) return leafHash(leaves[start]);
    const k = splitPoint(n);
    return nodeHash(mth(start, k), mth(start + k, n - k));
  };
  return leaves.length === 0 ? emptyRoot() : mth(0, leaves.length);
}

/** Accord's leaf input: an event's chain hash, 64 hex digits, as its 32 bytes. */
export function leafInputOfChainHash(hash: string): Buffer {
  if (!/^[0-9a-f]{64}$/i.test(hash)) throw new TypeError('A chain hash is 64 hexadecimal digits');
  return Buffer.from(hash, 'hex');
}

/** Whether a value is a hash of this tree: 32 bytes. */
export function isHash(value: unknown): value is Buffer {
  return Buffer.isBuffer(value) && value.length === HASH_SIZE;
}
