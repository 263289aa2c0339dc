import { createHash, createPublicKey, verify } from 'node:crypto';

/**
 * An auditor's own checks of Accord's transparency log, written from RFC 9162 §2.1 and the C2SP signed-note,
 * tlog-checkpoint and tlog-cosignature specifications with node:crypto alone — none of Accord's @accord/tlog code —
 * so that a test passing here means Accord follows the standards, not merely agrees with itself.
 */

const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const node = (left: Buffer, right: Buffer) => sha256(Buffer.from([1]), left, right);
export const rfcLeafHash = (input: Buffer) => sha256(Buffer.from([0]), input);
const odd = (value: number) => value % 2 === 1;
const half = (value: number) => Math.floor(value / 2);

/** MTH (RFC 9162 §2.1.1) of leaf inputs. */
export function rfcTreeHash(inputs: readonly Buffer[]): Buffer {
  if (inputs.length === 0) return sha256();
  if (inputs.length === 1) return rfcLeafHash(inputs[0]);
  let k = 1;
  while (k * 2 < inputs.length) k *= 2;
  return node(rfcTreeHash(inputs.slice(0, k)), rfcTreeHash(inputs.slice(k)));
}

/** RFC 9162 §2.1.3.2. */
export function rfcVerifyInclusion(
  leafIndex: number,
  treeSize: number,
  leaf: Buffer,
  path: readonly Buffer[],
  root: Buffer,
): boolean {
  if (leafIndex >= treeSize) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = rfcLeafHash(leaf);
  for (const p of path) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = node(p, r);
      if (!odd(fn))
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
    } else {
      r = node(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 §2.1.4.2. */
export function rfcVerifyConsistency(
  first: number,
  second: number,
  firstHash: Buffer,
  secondHash: Buffer,
  proof: readonly Buffer[],
): boolean {
  if (first > second) return false;
  if (first === second) return proof.length === 0 && firstHash.equals(secondHash);
  if (first === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  const path = (first & (first - 1)) === 0 ? [firstHash, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = node(c, fr);
      sr = node(c, sr);
      if (!odd(fn))
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
    } else {
      sr = node(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return fr.equals(firstHash) && sr.equals(secondHash) && sn === 0;
}

export interface C2spKey {
  name: string;
  keyId: Buffer;
  type: number;
  publicKey: Buffer;
}

/** A C2SP vkey: `<name>+<hex key ID>+<base64(type ‖ public key)>`, its key ID checked. */
export function parseVkey(vkey: string): C2spKey {
  // The name has no '+'; the base64 after the key ID may.
  const match = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+=*)$/.exec(vkey.trim());
  if (!match) throw new Error(`not a vkey: ${vkey}`);
  const [, name, hexId, encoded] = match;
  const bytes = Buffer.from(encoded, 'base64');
  const key = { name, keyId: Buffer.from(hexId, 'hex'), type: bytes[0], publicKey: bytes.subarray(1) };
  const expected = sha256(Buffer.from(`${name}\n`), Buffer.from([key.type]), key.publicKey).subarray(0, 4);
  if (key.publicKey.length !== 32 || !expected.equals(key.keyId)) throw new Error('vkey key ID mismatch');
  return key;
}

const ed25519Verify = (publicKey: Buffer, message: Buffer, signature: Buffer) =>
  verify(
    null,
    message,
    createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: publicKey.toString('base64url') },
      format: 'jwk',
    }),
    signature,
  );

/** The note's text and its signature lines (C2SP signed-note). */
export function splitNote(note: string): { text: string; lines: { name: string; bytes: Buffer }[] } {
  const at = note.lastIndexOf('\n\n');
  if (at < 0 || !note.endsWith('\n')) throw new Error('not a signed note');
  const text = note.slice(0, at + 1);
  const lines = note
    .slice(at + 2, -1)
    .split('\n')
    .map((line) => {
      const match = /^— (\S+) (\S+)$/.exec(line);
      if (!match) throw new Error(`not a signature line: ${line}`);
      return { name: match[1], bytes: Buffer.from(match[2], 'base64') };
    });
  return { text, lines };
}

/** Whether the note carries a valid Ed25519 signature (type 0x01) by this key. */
export function noteSignedBy(note: string, key: C2spKey): boolean {
  const { text, lines } = splitNote(note);
  return lines.some(
    ({ name, bytes }) =>
      name === key.name &&
      bytes.subarray(0, 4).equals(key.keyId) &&
      ed25519Verify(key.publicKey, Buffer.from(text), bytes.subarray(4)),
  );
}

/** Whether the note carries a valid tlog-cosignature/v1 by this witness key (type 0x04). */
export function noteCosignedBy(note: string, key: C2spKey): boolean {
  const { text, lines } = splitNote(note);
  return lines.some(({ name, bytes }) => {
    if (name !== key.name || !bytes.subarray(0, 4).equals(key.keyId) || bytes.length !== 4 + 8 + 64)
      return false;
    const time = bytes.readBigUInt64BE(4);
    const message = Buffer.from(`cosignature/v1\ntime ${time}\n${text}`);
    return ed25519Verify(key.publicKey, message, bytes.subarray(12));
  });
}

/** A tlog-checkpoint's first three lines. */
export function checkpointOf(note: string): { origin: string; size: number; root: Buffer } {
  const [origin, size, root] = splitNote(note).text.split('\n');
  if (!/^(0|[1-9]\d*)$/.test(size)) throw new Error('bad tree size');
  return { origin, size: Number(size), root: Buffer.from(root, 'base64') };
}
