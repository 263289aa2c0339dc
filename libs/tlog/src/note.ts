import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  KeyObject,
  sign,
  verify,
} from 'node:crypto';

/**
 * C2SP signed notes (c2sp.org/signed-note) with Ed25519, and the key strings of golang.org/x/mod/sumdb/note:
 *
 * - verifier key (vkey): `<name>+<hex key ID>+<base64(type ‖ 32-byte public key)>`;
 * - signer key (skey): `PRIVATE+KEY+<name>+<hex key ID>+<base64(type ‖ 32-byte Ed25519 seed)>`, the format
 *   Go's note.NewSigner reads (type 0x01) — chosen over a JWK file so a key file is one line that the Go
 *   tooling of the transparency-log ecosystem accepts as is, and that names the key it is.
 *
 * The key ID is the first 4 bytes of SHA-256(name ‖ "\n" ‖ type ‖ public key); the type is 0x01 for a note
 * signature (the log's key) and 0x04 for a tlog-cosignature/v1 (a witness's key, see cosignature.ts).
 */

/** Signature type of a plain Ed25519 note signature. */
export const ED25519 = 0x01;
/** Signature type of a timestamped Ed25519 witness cosignature (c2sp.org/tlog-cosignature). */
export const COSIGNATURE_V1 = 0x04;
export type SignatureType = typeof ED25519 | typeof COSIGNATURE_V1;

/** A malformed or unverifiable note, key, signature or checkpoint. */
export class TlogFormatError extends Error {
  override readonly name = 'TlogFormatError';
}

/** Key names are non-empty and contain neither Unicode spaces nor plus (U+002B). */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && name.isWellFormed() && !/[\p{White_Space}+]/u.test(name);
}

/** Standard base64 (RFC 4648 §4) in its one canonical spelling, or undefined: Node's decoder skips junk. */
export function decodeBase64(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

/** The key ID: the first 4 bytes of SHA-256(name ‖ "\n" ‖ type ‖ public key). */
export function keyId(name: string, type: SignatureType, publicKey: Buffer): Buffer {
  const hash = createHash('sha256');
  hash
    .update(`${name}\n`, 'utf8')
    .update(Buffer.from([type]))
    .update(publicKey);
  return hash.digest().subarray(0, 4);
}

/** A parsed verifier key. */
export interface VerifierKey {
  name: string;
  type: SignatureType;
  keyId: Buffer;
  /** The 32-byte Ed25519 public key. */
  publicKey: Buffer;
}

/** A parsed signer key: a verifier key and the private key it belongs to. */
export interface SignerKey extends VerifierKey {
  privateKey: KeyObject;
}

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function ed25519PrivateKey(seed: Buffer): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/** An Ed25519 public key object from its 32 bytes (RFC 8032 encoding). */
export function ed25519PublicKey(publicKey: Buffer): KeyObject {
  return createPublicKey({
    key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]),
    format: 'der',
    type: 'spki',
  });
}

function rawPublicKey(privateKey: KeyObject): Buffer {
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return spki.subarray(SPKI_ED25519_PREFIX.length);
}

function isSignatureType(type: number): type is SignatureType {
  return type === ED25519 || type === COSIGNATURE_V1;
}

export function formatVerifierKey(name: string, type: SignatureType, publicKey: Buffer): string {
  if (!isValidKeyName(name)) throw new TlogFormatError(`invalid key name ${JSON.stringify(name)}`);
  const material = Buffer.concat([Buffer.from([type]), publicKey]).toString('base64');
  return `${name}+${keyId(name, type, publicKey).toString('hex')}+${material}`;
}

/** Splits `<name>+<hex key ID>+<base64>` (base64 may itself contain '+') and checks what it can. */
function parseKeyString(
  text: string,
  what: string,
): { name: string; id: Buffer; type: SignatureType; key: Buffer } {
  const [name, id, ...rest] = text.split('+');
  const material = decodeBase64(rest.join('+'));
  if (name === undefined || !isValidKeyName(name) || !/^[0-9a-f]{8}$/i.test(id ?? '') || !material) {
    throw new TlogFormatError(`malformed ${what}`);
  }
  const type = material[0];
  if (!isSignatureType(type) || material.length !== 33) {
    throw new TlogFormatError(`${what}: not an Ed25519 key (type 0x01 or 0x04)`);
  }
  return { name, id: Buffer.from(id, 'hex'), type, key: material.subarray(1) };
}

/** Parses a vkey, checking that its key ID is the one of its name, type and key. */
export function parseVerifierKey(vkey: string): VerifierKey {
  const { name, id, type, key } = parseKeyString(vkey, 'verifier key');
  if (!id.equals(keyId(name, type, key)))
    throw new TlogFormatError('verifier key: key ID does not match the key');
  return { name, type, keyId: id, publicKey: key };
}

/** Parses an skey, checking that its key ID is the one of the public key it derives. */
export function parseSignerKey(skey: string): SignerKey {
  if (!skey.startsWith('PRIVATE+KEY+')) throw new TlogFormatError('a signer key starts with PRIVATE+KEY+');
  const { name, id, type, key } = parseKeyString(skey.slice('PRIVATE+KEY+'.length), 'signer key');
  const privateKey = ed25519PrivateKey(key);
  const publicKey = rawPublicKey(privateKey);
  if (!id.equals(keyId(name, type, publicKey)))
    throw new TlogFormatError('signer key: key ID does not match the key');
  return { name, type, keyId: id, publicKey, privateKey };
}

/** A new Ed25519 signer key (skey) named `name`, of type 0x01 (a log's key) or 0x04 (a witness's key). */
export function generateSignerKey(name: string, type: SignatureType = ED25519): string {
  if (!isValidKeyName(name)) throw new TlogFormatError(`invalid key name ${JSON.stringify(name)}`);
  const { privateKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_ED25519_PREFIX.length);
  const id = keyId(name, type, rawPublicKey(privateKey)).toString('hex');
  return `PRIVATE+KEY+${name}+${id}+${Buffer.concat([Buffer.from([type]), seed]).toString('base64')}`;
}

/** The vkey of an skey: what a log publishes (GET /v1/log/key) and a state registers for its witness. */
export function verifierKeyOf(skey: string): string {
  const { name, type, publicKey } = parseSignerKey(skey);
  return formatVerifierKey(name, type, publicKey);
}

/** Signs note texts with one key. `sign` returns the signature bytes that follow the key ID. */
export interface NoteSigner {
  readonly name: string;
  readonly keyId: Buffer;
  sign(text: Buffer): Buffer;
}

/** Checks note signatures of one key (name and key ID). */
export interface NoteVerifier {
  readonly name: string;
  readonly keyId: Buffer;
  verify(text: Buffer, signature: Buffer): boolean;
}

function keyOfType(key: SignerKey | VerifierKey, type: SignatureType): void {
  if (key.type !== type)
    throw new TlogFormatError(`${key.name}: a key of type 0x0${key.type}, not 0x0${type}`);
}

/** The signer of plain Ed25519 note signatures (type 0x01): Ed25519 over the note text. */
export function noteSigner(skey: string): NoteSigner {
  const key = parseSignerKey(skey);
  keyOfType(key, ED25519);
  return { name: key.name, keyId: key.keyId, sign: (text) => sign(null, text, key.privateKey) };
}

/** The verifier of plain Ed25519 note signatures (type 0x01). */
export function noteVerifier(vkey: string): NoteVerifier {
  const key = parseVerifierKey(vkey);
  keyOfType(key, ED25519);
  const publicKey = ed25519PublicKey(key.publicKey);
  return {
    name: key.name,
    keyId: key.keyId,
    verify: (text, signature) => signature.length === 64 && verify(null, text, publicKey, signature),
  };
}

/** One signature line of a note. */
export interface NoteSignature {
  name: string;
  keyId: Buffer;
  /** The signature bytes after the key ID. */
  signature: Buffer;
}

/** `— <name> <base64(key ID ‖ signature)>`, without the newline. */
export function formatSignatureLine({ name, keyId: id, signature }: NoteSignature): string {
  if (!isValidKeyName(name)) throw new TlogFormatError(`invalid key name ${JSON.stringify(name)}`);
  return `— ${name} ${Buffer.concat([id, signature]).toString('base64')}`;
}

/** Parses one signature line (without its newline). */
export function parseSignatureLine(line: string): NoteSignature {
  const match = /^— ([^ ]+) ([^ ]+)$/u.exec(line);
  const bytes = match ? decodeBase64(match[2]) : undefined;
  if (!match || !isValidKeyName(match[1]) || !bytes || bytes.length < 5) {
    throw new TlogFormatError('malformed signature line');
  }
  return { name: match[1], keyId: bytes.subarray(0, 4), signature: bytes.subarray(4) };
}

/** Valid UTF-8 (no lone surrogates, in a JS string) and no ASCII control characters but newline. */
function checkNoteCharacters(text: string): void {
  // eslint-disable-next-line no-control-regex
  if (!text.isWellFormed() || /[\u0000-\u0009\u000b-\u001f]/.test(text)) {
    throw new TlogFormatError('malformed note: not UTF-8 or a control character other than newline');
  }
}

/** Signs a text ending in a newline: the text, a blank line, one signature line per signer. */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  checkNoteCharacters(text);
  if (!text.endsWith('\n')) throw new TlogFormatError('malformed note: the text must end with a newline');
  if (signers.length === 0) throw new TlogFormatError('a signed note has at least one signature');
  const body = Buffer.from(text, 'utf8');
  const lines = signers.map((s) =>
    formatSignatureLine({ name: s.name, keyId: s.keyId, signature: s.sign(body) }),
  );
  return `${text}\n${lines.map((line) => `${line}\n`).join('')}`;
}

/** An opened note: its text and its signatures, verified by a known key or not. */
export interface OpenedNote {
  text: string;
  verified: NoteSignature[];
  /** Signatures by keys the verifiers do not know, ignored as c2sp.org/signed-note requires. */
  unknown: NoteSignature[];
}

/** More than any note of the log carries; c2sp.org/signed-note requires accepting at least 16. */
const MAX_SIGNATURES = 100;

/**
 * Parses a signed note and checks its signatures as c2sp.org/signed-note says: a signature by a known key
 * (name and key ID) must verify, or the whole note is rejected; signatures by unknown keys are ignored; at
 * least one known key must have signed. A key's repeated signatures count once.
 */
export function openNote(note: string, verifiers: readonly NoteVerifier[]): OpenedNote {
  checkNoteCharacters(note);
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new TlogFormatError('malformed note: no blank line before the signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block === '' || !block.endsWith('\n')) throw new TlogFormatError('malformed note: no signature lines');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw new TlogFormatError('malformed note: too many signatures');

  const body = Buffer.from(text, 'utf8');
  const verified: NoteSignature[] = [];
  const unknown: NoteSignature[] = [];
  for (const line of lines) {
    const signature = parseSignatureLine(line);
    const known = verifiers.filter((v) => v.name === signature.name && v.keyId.equals(signature.keyId));
    if (known.length === 0) {
      unknown.push(signature);
      continue;
    }
    if (known.length > 1)
      throw new TlogFormatError(`ambiguous key ${signature.name}+${signature.keyId.toString('hex')}`);
    if (verified.some((s) => s.name === signature.name && s.keyId.equals(signature.keyId))) continue;
    if (!known[0].verify(body, signature.signature)) {
      throw new TlogFormatError(
        `invalid signature for key ${signature.name}+${signature.keyId.toString('hex')}`,
      );
    }
    verified.push(signature);
  }
  if (verified.length === 0) throw new TlogFormatError('note has no verifiable signatures');
  return { text, verified, unknown };
}
