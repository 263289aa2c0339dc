import { isHash } from './merkle';
import { decodeBase64, NoteSignature, NoteVerifier, openNote, TlogFormatError } from './note';

/**
 * The note text of c2sp.org/tlog-checkpoint: `<origin>\n<tree size>\n<base64 root hash>\n`, then optional
 * extension lines, each non-empty and ending in a newline.
 */
export interface Checkpoint {
  origin: string;
  size: number;
  rootHash: Buffer;
  extensions?: string[];
}

const SIZE = /^(0|[1-9][0-9]*)$/;

export function formatCheckpoint({ origin, size, rootHash, extensions = [] }: Checkpoint): string {
  if (origin === '' || origin.includes('\n'))
    throw new TlogFormatError('a checkpoint origin is one non-empty line');
  if (!Number.isSafeInteger(size) || size < 0)
    throw new TlogFormatError('a tree size is a non-negative integer');
  if (!isHash(rootHash)) throw new TlogFormatError('a root hash is 32 bytes');
  if (extensions.some((line) => line === '' || line.includes('\n'))) {
    throw new TlogFormatError('extension lines are non-empty lines');
  }
  return [origin, String(size), rootHash.toString('base64'), ...extensions]
    .map((line) => `${line}\n`)
    .join('');
}

/** Parses a checkpoint text (the note text, not the signed note). */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw new TlogFormatError('malformed checkpoint: the text ends with a newline');
  const [origin, size, root, ...extensions] = text.slice(0, -1).split('\n');
  const rootHash = root === undefined ? undefined : decodeBase64(root);
  if (!origin || size === undefined || !SIZE.test(size) || !Number.isSafeInteger(Number(size))) {
    throw new TlogFormatError('malformed checkpoint: origin or tree size');
  }
  if (!isHash(rootHash))
    throw new TlogFormatError('malformed checkpoint: the root hash is base64 of 32 bytes');
  if (extensions.some((line) => line === ''))
    throw new TlogFormatError('malformed checkpoint: empty extension line');
  return { origin, size: Number(size), rootHash, ...(extensions.length > 0 ? { extensions } : {}) };
}

/** A checkpoint whose note the log signed, with the cosignatures of the known witnesses. */
export interface OpenedCheckpoint {
  checkpoint: Checkpoint;
  /** The note text the signatures are over. */
  text: string;
  cosignatures: NoteSignature[];
}

/**
 * Opens a signed checkpoint: the log's own signature must be there and verify (a witness's alone does not do),
 * and, as Accord names the log key after the origin, the origin must be the log key's name. Cosignatures by
 * the given witnesses must verify; other signatures are ignored.
 */
export function openCheckpoint(
  note: string,
  log: NoteVerifier,
  witnesses: readonly NoteVerifier[] = [],
): OpenedCheckpoint {
  const { text, verified } = openNote(note, [log, ...witnesses]);
  const isLog = (s: NoteSignature) => s.name === log.name && s.keyId.equals(log.keyId);
  if (!verified.some(isLog)) throw new TlogFormatError(`the checkpoint is not signed by ${log.name}`);
  const checkpoint = parseCheckpoint(text);
  if (checkpoint.origin !== log.name) {
    throw new TlogFormatError(`the checkpoint's origin ${checkpoint.origin} is not the log's ${log.name}`);
  }
  return { checkpoint, text, cosignatures: verified.filter((s) => !isLog(s)) };
}
