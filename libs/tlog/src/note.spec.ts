import { createHash, createPublicKey, verify } from 'node:crypto';
import {
  COSIGNATURE_V1,
  ED25519,
  formatVerifierKey,
  generateSignerKey,
  noteSigner,
  noteVerifier,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  TlogFormatError,
  verifierKeyOf,
} from './note';

/**
 * The example of golang.org/x/mod/sumdb/note (note.go's package comment and note_test.go): PeterNeumann's
 * signer and verifier keys, the note it signs, and EnochRoot's signature of the same text.
 */
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const TEXT =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG =
  '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIG =
  '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';

const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * Verifies a signed note by one Ed25519 vkey with node:crypto alone, from the text of c2sp.org/signed-note:
 * the text ends at the last blank line, a signature line is em dash, space, name, space, base64(key ID ‖
 * signature), the key ID is SHA-256(name ‖ "\n" ‖ 0x01 ‖ key)[:4], the signature is Ed25519 over the text.
 */
function independentlyVerifies(note: string, vkey: string): boolean {
  const [name, hexId] = vkey.split('+', 2);
  const material = Buffer.from(vkey.slice(name.length + hexId.length + 2), 'base64');
  if (material[0] !== 0x01 || material.length !== 33) return false;
  const id = createHash('sha256')
    .update(Buffer.concat([Buffer.from(name, 'utf8'), Buffer.from([0x0a]), material]))
    .digest()
    .subarray(0, 4);
  if (id.toString('hex') !== hexId) return false;
  const split = note.lastIndexOf('\n\n');
  const text = Buffer.from(note.slice(0, split + 1), 'utf8');
  const key = createPublicKey({
    key: Buffer.concat([SPKI_ED25519_PREFIX, material.subarray(1)]),
    format: 'der',
    type: 'spki',
  });
  return note
    .slice(split + 2)
    .split('\n')
    .filter((line) => line.startsWith(`\u2014 ${name} `))
    .some((line) => {
      const bytes = Buffer.from(line.slice(`\u2014 ${name} `.length), 'base64');
      return bytes.subarray(0, 4).equals(id) && verify(null, text, key, bytes.subarray(4));
    });
}

describe('C2SP signed notes with Ed25519', () => {
  it('signs the Go sumdb example note byte for byte as PeterNeumann did', () => {
    expect(verifierKeyOf(PETER_SKEY)).toBe(PETER_VKEY);
    expect(parseSignerKey(PETER_SKEY).keyId.toString('hex')).toBe('c74f20a3');
    expect(signNote(TEXT, [noteSigner(PETER_SKEY)])).toBe(`${TEXT}\n${PETER_SIG}`);
  });

  it('opens the Go sumdb example note, ignoring signatures by keys it does not know', () => {
    const note = `${TEXT}\n${PETER_SIG}${ENOCH_SIG}`;
    const peter = noteVerifier(PETER_VKEY);
    const enoch = noteVerifier(ENOCH_VKEY);

    const opened = openNote(note, [peter]);
    expect(opened.text).toBe(TEXT);
    expect(opened.verified.map((s) => s.name)).toEqual(['PeterNeumann']);
    expect(opened.unknown.map((s) => `${s.name}+${s.keyId.toString('hex')}`)).toEqual(['EnochRoot+af0cfe78']);
    expect(openNote(note, [peter, enoch]).verified.map((s) => s.name)).toEqual(['PeterNeumann', 'EnochRoot']);
    expect(() => openNote(note, [])).toThrow('note has no verifiable signatures');
    expect(independentlyVerifies(note, PETER_VKEY)).toBe(true);
    expect(independentlyVerifies(note, ENOCH_VKEY)).toBe(true);
  });

  it('rejects the whole note when a known key signature fails, as the Go tests do', () => {
    const broken = `${TEXT}\n${PETER_SIG.slice(0, 60)}ABCD${PETER_SIG.slice(60)}`;
    expect(() => openNote(broken, [noteVerifier(PETER_VKEY)])).toThrow(
      'invalid signature for key PeterNeumann+c74f20a3',
    );
    // A known name with another key ID is another key: ignored, not failed.
    const otherId = PETER_SIG.replace('x08g', 'xxxx');
    expect(() => openNote(`${TEXT}\n${otherId}`, [noteVerifier(PETER_VKEY)])).toThrow(
      'no verifiable signatures',
    );
    expect(() =>
      openNote(`${TEXT}\n${PETER_SIG.replace('PeterNeumann', 'CarmenSandiego')}`, [noteVerifier(PETER_VKEY)]),
    ).toThrow('no verifiable signatures');
  });

  it.each([
    ['no blank line', TEXT],
    ['no signature', `${TEXT}\n`],
    ['an unterminated signature line', `${TEXT}\n${PETER_SIG.slice(0, -1)}`],
    ['a control character', `\u0001${TEXT}\n${PETER_SIG}`],
    [
      'a name with a space',
      `${TEXT}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`,
    ],
    ['a line that is no signature', `${TEXT}\n${PETER_SIG}Unexpected line.\n`],
    ['a hyphen for the em dash', `${TEXT}\n${PETER_SIG.replace('—', '-')}`],
    ['a lone surrogate', `\ud800${TEXT}\n${PETER_SIG}`],
    ['101 signatures', `${TEXT}\n${PETER_SIG.repeat(101)}`],
  ])('rejects a malformed note: %s', (_, note) => {
    expect(() => openNote(note, [noteVerifier(PETER_VKEY)])).toThrow(TlogFormatError);
  });

  it('counts a key signing twice once', () => {
    const opened = openNote(`${TEXT}\n${PETER_SIG}${PETER_SIG}`, [noteVerifier(PETER_VKEY)]);
    expect(opened.verified).toHaveLength(1);
  });

  it('refuses mangled verifier keys, as the Go tests do', () => {
    expect(parseVerifierKey(PETER_VKEY)).toMatchObject({ name: 'PeterNeumann', type: ED25519 });
    for (let i = 0; i < PETER_VKEY.length; i += 1) {
      const mangled =
        PETER_VKEY.slice(0, i) + String.fromCharCode(PETER_VKEY.charCodeAt(i) + 1) + PETER_VKEY.slice(i + 1);
      expect(() => parseVerifierKey(mangled)).toThrow(TlogFormatError);
      expect(() => parseVerifierKey(PETER_VKEY.slice(0, i))).toThrow(TlogFormatError);
    }
    // wrong length key, with adjusted key hash; unknown algorithm, with adjusted key hash
    expect(() =>
      parseVerifierKey('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=='),
    ).toThrow(TlogFormatError);
    expect(() =>
      parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'),
    ).toThrow(TlogFormatError);
  });

  it('refuses mangled signer keys', () => {
    for (let i = 0; i < PETER_SKEY.length; i += 1) {
      const mangled =
        PETER_SKEY.slice(0, i) + String.fromCharCode(PETER_SKEY.charCodeAt(i) + 1) + PETER_SKEY.slice(i + 1);
      expect(() => parseSignerKey(mangled)).toThrow(TlogFormatError);
    }
  });

  it('generates keys whose notes verify, by this code and by code written from the C2SP text', () => {
    const skey = generateSignerKey('accord.local/log');
    const vkey = verifierKeyOf(skey);
    expect(skey).toMatch(/^PRIVATE\+KEY\+accord\.local\/log\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$/);
    expect(vkey).toMatch(/^accord\.local\/log\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$/);
    const note = signNote('accord.local/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n', [
      noteSigner(skey),
    ]);
    expect(openNote(note, [noteVerifier(vkey)]).verified).toHaveLength(1);
    expect(independentlyVerifies(note, vkey)).toBe(true);
    expect(independentlyVerifies(note.replace('\n0\n', '\n1\n'), vkey)).toBe(false);
  });

  it('fails, without throwing, a signature checked against 32 bytes that are no Ed25519 point', () => {
    const odd = noteVerifier(formatVerifierKey('PeterNeumann', ED25519, Buffer.alloc(32, 0xff)));
    const signature = Buffer.from(PETER_SIG.split(' ')[2], 'base64').subarray(4);
    expect(odd.verify(Buffer.from(TEXT), signature)).toBe(false);
  });

  it('keeps a key to its signature type', () => {
    const witness = generateSignerKey('witness.example/kaz', COSIGNATURE_V1);
    expect(() => noteSigner(witness)).toThrow(TlogFormatError);
    expect(() => noteVerifier(verifierKeyOf(witness))).toThrow(TlogFormatError);
    expect(() => generateSignerKey('has space')).toThrow(TlogFormatError);
    expect(() => generateSignerKey('a+b')).toThrow(TlogFormatError);
  });

  it('signs only texts that end in a newline and carry no control character', () => {
    const signer = noteSigner(PETER_SKEY);
    expect(() => signNote('no newline', [signer])).toThrow(TlogFormatError);
    expect(() => signNote('tab\there\n', [signer])).toThrow(TlogFormatError);
    expect(() => signNote(TEXT, [])).toThrow(TlogFormatError);
  });
});
