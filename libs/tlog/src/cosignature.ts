import { sign, verify } from 'node:crypto';
import {
  COSIGNATURE_V1,
  ed25519PublicKey,
  NoteSigner,
  NoteVerifier,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  TlogFormatError,
} from './note';

/**
 * Ed25519 witness cosignatures of c2sp.org/tlog-cosignature (cosignature/v1): a note signature of type 0x04
 * whose bytes are the 8-byte big-endian POSIX time then the Ed25519 signature of
 * `cosignature/v1\ntime <t>\n` followed by the checkpoint text. A witness key is an skey/vkey of type 0x04.
 */

const TIME_SIZE = 8;
const ED25519_SIGNATURE_SIZE = 64;
const MAX_TIME = 2n ** 63n - 1n;

/** The message a cosignature signs: the header line, the time line, then the whole checkpoint text. */
export function cosignatureMessage(checkpointText: string, time: number | bigint): Buffer {
  return Buffer.from(`cosignature/v1\ntime ${BigInt(time)}\n${checkpointText}`, 'utf8');
}

/** Seconds since the Epoch, the cosignature's default clock. */
export const unixNow = (): number => Math.floor(Date.now() / 1000);

/** A witness's signer: signs a checkpoint text at the time `now()` returns (POSIX seconds). */
export function cosigner(skey: string, now: () => number = unixNow): NoteSigner {
  const key = parseSignerKey(skey);
  if (key.type !== COSIGNATURE_V1) throw new TlogFormatError(`${key.name}: a cosigner key has type 0x04`);
  return {
    name: key.name,
    keyId: key.keyId,
    sign: (text) => {
      const time = now();
      if (!Number.isSafeInteger(time) || time < 0)
        throw new RangeError('a cosignature time is POSIX seconds');
      const timestamp = Buffer.alloc(TIME_SIZE);
      timestamp.writeBigUInt64BE(BigInt(time));
      const signature = sign(null, cosignatureMessage(text.toString('utf8'), time), key.privateKey);
      return Buffer.concat([timestamp, signature]);
    },
  };
}

/** A witness's verifier, from its vkey (type 0x04), for openNote or verifyCosignature. */
export function cosignatureVerifier(vkey: string): NoteVerifier {
  const key = parseVerifierKey(vkey);
  if (key.type !== COSIGNATURE_V1) throw new TlogFormatError(`${key.name}: a cosigner key has type 0x04`);
  const publicKey = ed25519PublicKey(key.publicKey);
  return {
    name: key.name,
    keyId: key.keyId,
    verify: (text, signature) => {
      if (signature.length !== TIME_SIZE + ED25519_SIGNATURE_SIZE) return false;
      const time = signature.readBigUInt64BE(0);
      if (time > MAX_TIME) return false;
      const message = cosignatureMessage(text.toString('utf8'), time);
      return verify(null, message, publicKey, signature.subarray(TIME_SIZE));
    },
  };
}

/** The time (POSIX seconds) a cosignature's bytes (after the key ID) carry. */
export function cosignatureTime(signature: Buffer): number {
  if (signature.length !== TIME_SIZE + ED25519_SIGNATURE_SIZE)
    throw new TlogFormatError('not a cosignature/v1');
  const time = signature.readBigUInt64BE(0);
  if (time > BigInt(Number.MAX_SAFE_INTEGER)) throw new TlogFormatError('cosignature time out of range');
  return Number(time);
}

/**
 * Checks one cosignature line (`— <name> <base64>`, as a witness posts it) over a checkpoint text by the witness
 * this verifier is for, and returns the time it carries; throws TlogFormatError otherwise.
 */
export function verifyCosignatureLine(checkpointText: string, line: string, witness: NoteVerifier): number {
  if (line.includes('\n')) throw new TlogFormatError('a cosignature is one line');
  const { text, verified } = openNote(`${checkpointText}\n${line}\n`, [witness]);
  if (text !== checkpointText) throw new TlogFormatError('malformed checkpoint text');
  return cosignatureTime(verified[0].signature);
}
