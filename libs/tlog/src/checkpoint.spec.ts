import { formatCheckpoint, openCheckpoint, parseCheckpoint } from './checkpoint';
import { cosigner, cosignatureVerifier } from './cosignature';
import {
  COSIGNATURE_V1,
  generateSignerKey,
  noteSigner,
  noteVerifier,
  signNote,
  TlogFormatError,
  verifierKeyOf,
} from './note';

/** The example checkpoint of c2sp.org/tlog-checkpoint. */
const EXAMPLE = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';

describe('C2SP tlog-checkpoint', () => {
  it('parses and formats the C2SP example', () => {
    const checkpoint = parseCheckpoint(EXAMPLE);
    expect(checkpoint).toEqual({
      origin: 'example.com/behind-the-sofa',
      size: 20852163,
      rootHash: Buffer.from('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=', 'base64'),
    });
    expect(formatCheckpoint(checkpoint)).toBe(EXAMPLE);
  });

  it('keeps extension lines, and the empty tree', () => {
    const text = `${EXAMPLE}ext one\next two\n`;
    expect(parseCheckpoint(text).extensions).toEqual(['ext one', 'ext two']);
    expect(formatCheckpoint(parseCheckpoint(text))).toBe(text);
    const empty = { origin: 'accord.local/log', size: 0, rootHash: Buffer.alloc(32) };
    expect(parseCheckpoint(formatCheckpoint(empty))).toEqual(empty);
  });

  it.each([
    ['no final newline', EXAMPLE.slice(0, -1)],
    ['two lines', 'example.com/log\n1\n'],
    ['an empty origin', `\n1\n${'A'.repeat(43)}=\n`],
    ['a leading zero', 'example.com/log\n01\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n'],
    ['a signed size', 'example.com/log\n+1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n'],
    [
      'a size beyond 2^53',
      'example.com/log\n9007199254740993\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
    ],
    ['a 31-byte root', `example.com/log\n1\n${Buffer.alloc(31).toString('base64')}\n`],
    ['unpadded base64', 'example.com/log\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n'],
    ['base64url', 'example.com/log\n1\nCsUYapGGPo4dkMgIAUqom_Xajj7h2fB2MPA3j2jxq2I=\n'],
    ['an empty extension line', `${EXAMPLE}\n`],
  ])('rejects %s', (_, text) => {
    expect(() => parseCheckpoint(text)).toThrow(TlogFormatError);
  });

  describe('signed by the log and cosigned', () => {
    const logKey = generateSignerKey('accord.local/log');
    const witnessKey = generateSignerKey('witness.example/kaz', COSIGNATURE_V1);
    const log = noteVerifier(verifierKeyOf(logKey));
    const witness = cosignatureVerifier(verifierKeyOf(witnessKey));
    const text = formatCheckpoint({ origin: 'accord.local/log', size: 5, rootHash: Buffer.alloc(32, 7) });

    it('opens with the log key, and names the witnesses that cosigned', () => {
      const note = signNote(text, [noteSigner(logKey), cosigner(witnessKey, () => 1_700_000_000)]);
      const opened = openCheckpoint(note, log, [witness]);
      expect(opened.checkpoint.size).toBe(5);
      expect(opened.text).toBe(text);
      expect(opened.cosignatures.map((s) => s.name)).toEqual(['witness.example/kaz']);
      expect(openCheckpoint(note, log).cosignatures).toEqual([]);
    });

    it('refuses a checkpoint only a witness signed, or whose origin is not the log', () => {
      expect(() => openCheckpoint(signNote(text, [cosigner(witnessKey)]), log, [witness])).toThrow(
        'not signed by accord.local/log',
      );
      const otherKey = generateSignerKey('other.example/log');
      const other = signNote(text, [noteSigner(otherKey)]);
      expect(() => openCheckpoint(other, noteVerifier(verifierKeyOf(otherKey)))).toThrow('is not the log');
    });
  });
});
