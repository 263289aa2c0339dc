import {
  Checkpoint,
  decodeBase64,
  isHash,
  leafHash,
  leafInputOfChainHash,
  NoteVerifier,
  openCheckpoint,
  TlogFormatError,
  verifyConsistency,
  verifyInclusion,
} from '@accord/tlog';
import { ChainedEvent } from './hash-chain';

/**
 * The `log` section of an audit bundle (trust.md §4): a checkpoint of the transparency log, and for every event
 * of the bundle the leaf it is and the proof that the leaf is in the checkpoint's tree.
 */
export interface BundleLog {
  /** The checkpoint's signed note. */
  checkpoint: string;
  leaves: BundleLeaf[];
}

export interface BundleLeaf {
  revision: number;
  leafIndex: number;
  /** The RFC 9162 §2.1.3 inclusion proof of the leaf in the checkpoint's tree, each hash in base64. */
  inclusionProof: string[];
}

export type BundleLogVerification =
  | { verified: true; checkpoint: Checkpoint }
  /** Each problem is one line naming what fails; `checkpoint` is there when the note itself verified. */
  | { verified: false; problems: string[]; checkpoint?: Checkpoint };

/**
 * Checks a bundle's `log` section against the log's key: the checkpoint's note signature, then that every event
 * of the bundle has a leaf entry whose inclusion proof leads from the event's own hash to the checkpoint's root.
 * An event changed and re-chained after it was logged no longer matches its leaf.
 */
export function verifyBundleLog(
  events: readonly Pick<ChainedEvent, 'revision' | 'hash'>[],
  log: unknown,
  logKey: NoteVerifier,
): BundleLogVerification {
  if (!isBundleLog(log)) {
    return {
      verified: false,
      problems: [
        'malformed log section: a checkpoint string and leaves of {revision, leafIndex, inclusionProof}',
      ],
    };
  }
  let checkpoint: Checkpoint;
  try {
    checkpoint = openCheckpoint(log.checkpoint, logKey).checkpoint;
  } catch (error) {
    if (!(error instanceof TlogFormatError)) throw error;
    return { verified: false, problems: [`checkpoint not signed by ${logKey.name}: ${error.message}`] };
  }

  const problems: string[] = [];
  const leafOf = new Map<number, BundleLeaf>();
  for (const leaf of log.leaves) {
    if (leafOf.has(leaf.revision)) problems.push(`two leaf entries for revision ${leaf.revision}`);
    leafOf.set(leaf.revision, leaf);
  }
  const revisions = new Set(events.map((event) => event.revision));
  for (const revision of leafOf.keys()) {
    if (!revisions.has(revision))
      problems.push(`a leaf entry for revision ${revision}, which is not an event of the bundle`);
  }
  for (const event of events) {
    const leaf = leafOf.get(event.revision);
    const problem = leaf ? inclusionProblem(event.hash, leaf, checkpoint) : 'no leaf entry';
    if (problem) problems.push(`${problem} at revision ${event.revision}`);
  }
  return problems.length === 0 ? { verified: true, checkpoint } : { verified: false, problems, checkpoint };
}

function inclusionProblem(eventHash: string, leaf: BundleLeaf, checkpoint: Checkpoint): string | undefined {
  if (leaf.leafIndex >= checkpoint.size)
    return `leaf ${leaf.leafIndex} outside the checkpoint's tree of size ${checkpoint.size}`;
  const proof = decodeHashes(leaf.inclusionProof);
  if (!proof) return 'malformed inclusion proof (not base64 hashes of 32 bytes)';
  let input: Buffer;
  try {
    input = leafInputOfChainHash(eventHash);
  } catch {
    return 'no chain hash to prove';
  }
  const included = verifyInclusion(
    leafHash(input),
    leaf.leafIndex,
    checkpoint.size,
    proof,
    checkpoint.rootHash,
  );
  return included ? undefined : 'inclusion proof fails';
}

/** Hashes of a proof as JSON carries them (base64), or undefined when one is not a 32-byte hash. */
export function decodeHashes(hashes: readonly string[]): Buffer[] | undefined {
  const decoded = hashes.map(decodeBase64);
  return decoded.every(isHash) ? decoded : undefined;
}

function isBundleLog(log: unknown): log is BundleLog {
  const candidate = log as Partial<BundleLog> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.checkpoint === 'string' &&
    Array.isArray(candidate.leaves) &&
    candidate.leaves.every(isBundleLeaf)
  );
}

function isBundleLeaf(leaf: unknown): leaf is BundleLeaf {
  const candidate = leaf as Partial<BundleLeaf> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    Number.isSafeInteger(candidate.revision) &&
    Number.isSafeInteger(candidate.leafIndex) &&
    (candidate.leafIndex as number) >= 0 &&
    Array.isArray(candidate.inclusionProof) &&
    candidate.inclusionProof.every((hash) => typeof hash === 'string')
  );
}

export type KeptCheckpointCheck =
  | { kind: 'consistent'; kept: Checkpoint }
  /** The trees differ in size: the RFC 9162 consistency proof from the smaller to the larger decides. */
  | { kind: 'proof-needed'; kept: Checkpoint; from: number; to: number }
  | { kind: 'inconsistent'; problem: string };

/**
 * Checks the bundle's checkpoint against a later one the auditor kept (from a witness, or a bundle before): both
 * signed by the log, and one tree a prefix of the other. Same size: the roots must be equal; from the empty tree:
 * its root must be the empty tree's; otherwise the consistency proof (from the smaller size to the larger, as the
 * log serves it) must verify, and until it is given the answer is `proof-needed`. A history rewritten after the kept checkpoint fails here.
 */
export function checkKeptCheckpoint(
  bundle: Checkpoint,
  keptNote: string,
  logKey: NoteVerifier,
  consistencyProof?: readonly Buffer[],
): KeptCheckpointCheck {
  let kept: Checkpoint;
  try {
    kept = openCheckpoint(keptNote, logKey).checkpoint;
  } catch (error) {
    if (!(error instanceof TlogFormatError)) throw error;
    return {
      kind: 'inconsistent',
      problem: `kept checkpoint not signed by ${logKey.name}: ${error.message}`,
    };
  }
  const [older, newer] = bundle.size <= kept.size ? [bundle, kept] : [kept, bundle];
  // The empty tree (the log's first checkpoint) is a prefix of every tree: its proof is empty, and no log serves one.
  if (older.size !== newer.size && older.size > 0 && consistencyProof === undefined)
    return { kind: 'proof-needed', kept, from: older.size, to: newer.size };
  return verifyConsistency(older.size, newer.size, consistencyProof ?? [], older.rootHash, newer.rootHash)
    ? { kind: 'consistent', kept }
    : { kind: 'inconsistent', problem: `inconsistent with the kept checkpoint of size ${kept.size}` };
}
