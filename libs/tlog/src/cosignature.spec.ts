import { createHash, createPublicKey, verify } from 'node:crypto';
import { formatCheckpoint } from './checkpoint';
import {
  cosignatureMessage,
  cosignatureTime,
  cosignatureVerifier,
  cosigner,
  verifyCosignatureLine,
} from './cosignature';
import {
  COSIGNATURE_V1,
  formatSignatureLine,
  generateSignerKey,
  noteSigner,
  noteVerifier,
  openNote,
  parseSignatureLine,
  signNote,
  TlogFormatError,
  verifierKeyOf,
} from './note';

const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * Verifies a tlog-cosignature/v1 line with node:crypto alone, from the text of c2sp.org/tlog-cosignature: key ID
 * SHA-256(name ‖ "\n" ‖ 0x04 ‖ key)[:4], then an 8-byte big-endian timestamp and an Ed25519 signature of
 * "cosignature/v1\ntime <t>\n" followed by the checkpoint text. Returns the time, or undefined.
 */
function independentlyVerifies(checkpointText: string, line: string, vkey: string): number | undefined {
  const [name, hexId] = vkey.split('+', 2);
  const material = Buffer.from(vkey.slice(name.length + hexId.length + 2), 'base64');
  const id = createHash('sha256').update(`${name}\n`).update(material).digest().subarray(0, 4);
  if (material[0] !== 0x04 || id.toString('hex') !== hexId) return undefined;
  if (!line.startsWith(`\u2014 ${name} `)) return undefined;
  const bytes = Buffer.from(line.slice(`\u2014 ${name} `.length), 'base64');
  if (bytes.length !== 4 + 8 + 64 || !bytes.subarray(0, 4).equals(id)) return undefined;
  const time = Number(bytes.readBigUInt64BE(4));
  const message = Buffer.from(`cosignature/v1\ntime ${time}\n${checkpointText}`, 'utf8');
  const key = createPublicKey({
    key: Buffer.concat([SPKI_ED25519_PREFIX, material.subarray(1)]),
    format: 'der',
    type: 'spki',
  });
  return verify(null, message, key, bytes.subarray(12)) ? time : undefined;
}

const TIME = 1_679_315_147;
const witnessKey = generateSignerKey('witness.example/kaz', COSIGNATURE_V1);
const witnessVkey = verifierKeyOf(witnessKey);
const logKey = generateSignerKey('accord.local/log');
const text = formatCheckpoint({ origin: 'accord.local/log', size: 20852163, rootHash: Buffer.alloc(32, 1) });

/** The witness's line over a checkpoint text, as a witness posts it. */
function cosignatureLine(checkpointText: string, time = TIME): string {
  const signer = cosigner(witnessKey, () => time);
  const signature = signer.sign(Buffer.from(checkpointText, 'utf8'));
  return formatSignatureLine({ name: signer.name, keyId: signer.keyId, signature });
}

describe('C2SP tlog-cosignature/v1 (Ed25519)', () => {
  it('signs the message of the C2SP text: header, time, checkpoint text', () => {
    expect(cosignatureMessage(text, TIME).toString('utf8')).toBe(
      `cosignature/v1\ntime 1679315147\naccord.local/log\n20852163\n${Buffer.alloc(32, 1).toString('base64')}\n`,
    );
  });

  it('makes a line that code written from the C2SP text verifies', () => {
    const line = cosignatureLine(text);
    expect(independentlyVerifies(text, line, witnessVkey)).toBe(TIME);
    expect(independentlyVerifies(text.replace('20852163', '20852164'), line, witnessVkey)).toBeUndefined();
    expect(verifyCosignatureLine(text, line, cosignatureVerifier(witnessVkey))).toBe(TIME);
  });

  it('uses the key ID of type 0x04, and a vkey of type 0x04', () => {
    const { keyId } = parseSignatureLine(cosignatureLine(text));
    const publicKey = Buffer.from(witnessVkey.split('+').slice(2).join('+'), 'base64');
    expect(publicKey[0]).toBe(0x04);
    const expected = createHash('sha256')
      .update('witness.example/kaz\n')
      .update(publicKey)
      .digest()
      .subarray(0, 4);
    expect(keyId).toEqual(expected);
    expect(witnessVkey).toBe(
      `witness.example/kaz+${expected.toString('hex')}+${publicKey.toString('base64')}`,
    );
  });

  it('reads the time of the C2SP example line and of the transparency-dev/formats test vector', () => {
    // c2sp.org/tlog-cosignature's example line; its time is the one of the spec's example message.
    const c2sp =
      'jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==';
    expect(cosignatureTime(Buffer.from(c2sp, 'base64').subarray(4))).toBe(1679315147);
    // transparency-dev/formats note/note_cosigv1_test.go, TestCoSigV1Timestamp.
    const formats =
      'ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA==';
    expect(cosignatureTime(Buffer.from(formats, 'base64').subarray(4))).toBe(1727964367);
  });

  it('fails over another checkpoint, another time, or extension lines changed', () => {
    const witness = cosignatureVerifier(witnessVkey);
    const other = formatCheckpoint({
      origin: 'accord.local/log',
      size: 20852164,
      rootHash: Buffer.alloc(32, 1),
    });
    expect(() => verifyCosignatureLine(other, cosignatureLine(text), witness)).toThrow(TlogFormatError);
    const { name, keyId, signature } = parseSignatureLine(cosignatureLine(text));
    const retimed = Buffer.from(signature);
    retimed.writeBigUInt64BE(BigInt(TIME + 1));
    expect(() =>
      verifyCosignatureLine(text, formatSignatureLine({ name, keyId, signature: retimed }), witness),
    ).toThrow('invalid signature');
    const extended = `${text}extension\n`;
    const line = cosignatureLine(extended);
    expect(verifyCosignatureLine(extended, line, witness)).toBe(TIME);
    expect(() => verifyCosignatureLine(`${text}extensioN\n`, line, witness)).toThrow(TlogFormatError);
  });

  it('is no plain note signature: the log key type 0x01 does not pass for a cosigner, nor the other way', () => {
    expect(() => cosigner(logKey)).toThrow(TlogFormatError);
    expect(() => cosignatureVerifier(verifierKeyOf(logKey))).toThrow(TlogFormatError);
    const line = cosignatureLine(text);
    expect(() => verifyCosignatureLine(text, `${line}\n— x AAAA`, cosignatureVerifier(witnessVkey))).toThrow(
      'one line',
    );
    expect(() => verifyCosignatureLine(text, line, noteVerifier(verifierKeyOf(logKey)))).toThrow(
      'no verifiable',
    );
  });

  it('travels in the checkpoint note after the log signature', () => {
    const note = `${signNote(text, [noteSigner(logKey)])}${cosignatureLine(text)}\n`;
    const opened = openNote(note, [noteVerifier(verifierKeyOf(logKey)), cosignatureVerifier(witnessVkey)]);
    expect(opened.verified.map((s) => s.name)).toEqual(['accord.local/log', 'witness.example/kaz']);
    expect(cosignatureTime(opened.verified[1].signature)).toBe(TIME);
  });
});
