import {
  formatCheckpoint,
  generateSignerKey,
  noteSigner,
  noteVerifier,
  signNote,
  verifierKeyOf,
} from '@accord/tlog';
import { BundleLog, checkKeptCheckpoint, verifyBundleLog } from './bundle-log';
import { ChainedEvent } from './hash-chain';
import { chainedEvents, otherChainHash, TEST_LOG_ORIGIN, TestLog } from './testing/test-log';

const STREAM = 'initiative-7b0a3c52-1d7e-4c55-9d0c-0f4a2f6f9e11';

/** The leaves of a log holding the stream's three events among other streams' events, at leaves 1, 3 and 4. */
const leavesOf = (events: ChainedEvent[]): string[] => [
  otherChainHash('a'),
  events[0].hash,
  otherChainHash('b'),
  events[1].hash,
  events[2].hash,
  otherChainHash('c'),
];

function loggedBundle(): { log: TestLog; events: ChainedEvent[]; section: BundleLog } {
  const log = new TestLog();
  const events = chainedEvents(STREAM, 3);
  log.append(leavesOf(events));
  return { log, events, section: log.bundleLog(events, [1, 3, 4]) };
}

describe("an audit bundle's log section", () => {
  const { log, events, section } = loggedBundle();
  const logKey = noteVerifier(log.vkey);

  it('verifies when every event is a leaf of the signed checkpoint', () =>
    expect(verifyBundleLog(events, JSON.parse(JSON.stringify(section)), logKey)).toMatchObject({
      verified: true,
      checkpoint: { origin: TEST_LOG_ORIGIN, size: 6 },
    }));

  it('fails at the revision of an event changed and re-chained after it was logged', () => {
    const tampered = events.map((event) =>
      event.revision === 2 ? { ...event, hash: otherChainHash('rewritten') } : event,
    );
    expect(verifyBundleLog(tampered, section, logKey)).toMatchObject({
      verified: false,
      problems: ['inclusion proof fails at revision 2'],
    });
  });

  it("fails at the revision whose proof is another leaf's", () => {
    const leaves = section.leaves.map((leaf) =>
      leaf.revision === 1 ? { ...leaf, inclusionProof: section.leaves[0].inclusionProof } : leaf,
    );
    expect(verifyBundleLog(events, { ...section, leaves }, logKey)).toMatchObject({
      verified: false,
      problems: ['inclusion proof fails at revision 1'],
    });
  });

  it('fails at a leaf index outside the tree, and at an undecodable proof', () => {
    const leaves = section.leaves.map((leaf) =>
      leaf.revision === 0
        ? { ...leaf, leafIndex: 6 }
        : leaf.revision === 1
          ? { ...leaf, inclusionProof: ['not base64!'] }
          : leaf,
    );
    expect(verifyBundleLog(events, { ...section, leaves }, logKey)).toMatchObject({
      verified: false,
      problems: [
        "leaf 6 outside the checkpoint's tree of size 6 at revision 0",
        'malformed inclusion proof (not base64 hashes of 32 bytes) at revision 1',
      ],
    });
  });

  it('fails when an event has no leaf entry, or a leaf entry names no event of the bundle', () => {
    const leaves = [...section.leaves.slice(0, 2), { ...section.leaves[2], revision: 7 }];
    expect(verifyBundleLog(events, { ...section, leaves }, logKey)).toMatchObject({
      verified: false,
      problems: [
        'a leaf entry for revision 7, which is not an event of the bundle',
        'no leaf entry at revision 2',
      ],
    });
  });

  it('fails when the checkpoint is not signed by the log key the auditor trusts', () => {
    const impostor = noteVerifier(verifierKeyOf(generateSignerKey(TEST_LOG_ORIGIN)));
    expect(verifyBundleLog(events, section, impostor)).toEqual({
      verified: false,
      problems: [`checkpoint not signed by ${TEST_LOG_ORIGIN}: note has no verifiable signatures`],
    });
  });

  it('fails when the checkpoint was altered after it was signed', () => {
    const [origin, , ...rest] = section.checkpoint.split('\n');
    const checkpoint = [origin, '5', ...rest].join('\n');
    expect(verifyBundleLog(events, { ...section, checkpoint }, logKey)).toMatchObject({
      verified: false,
      problems: [expect.stringMatching(/^checkpoint not signed by accord\.test\/log: invalid signature/)],
    });
  });

  it('is malformed without a checkpoint or leaves', () =>
    expect(verifyBundleLog(events, { leaves: section.leaves }, logKey)).toMatchObject({
      verified: false,
      problems: [expect.stringMatching(/^malformed log section/)],
    }));
});

describe('a kept checkpoint beside the bundle', () => {
  const { log, events, section } = loggedBundle();
  const logKey = noteVerifier(log.vkey);
  const bundleCheckpoint = () => {
    const result = verifyBundleLog(events, section, logKey);
    if (!result.verified) throw new Error('the bundle fixture verifies');
    return result.checkpoint;
  };

  describe('when the log grew consistently after the bundle', () => {
    const grown = new TestLog(log.skey);
    grown.append([...leavesOf(events), otherChainHash('d'), otherChainHash('e')]);
    const kept = grown.checkpoint(8);

    it('needs the consistency proof from the smaller tree to the larger', () =>
      expect(checkKeptCheckpoint(bundleCheckpoint(), kept, logKey)).toMatchObject({
        kind: 'proof-needed',
        from: 6,
        to: 8,
      }));

    it("is consistent with the log's proof", () =>
      expect(
        checkKeptCheckpoint(bundleCheckpoint(), kept, logKey, grown.consistencyProof(6, 8)),
      ).toMatchObject({
        kind: 'consistent',
        kept: { size: 8 },
      }));

    it('is consistent the other way round: a bundle newer than the kept checkpoint', () =>
      expect(
        checkKeptCheckpoint(bundleCheckpoint(), grown.checkpoint(4), logKey, grown.consistencyProof(4, 6)),
      ).toMatchObject({ kind: 'consistent', kept: { size: 4 } }));

    it('is inconsistent with a proof that does not hold', () =>
      expect(checkKeptCheckpoint(bundleCheckpoint(), kept, logKey, grown.consistencyProof(5, 8))).toEqual({
        kind: 'inconsistent',
        problem: 'inconsistent with the kept checkpoint of size 8',
      }));
  });

  it('is consistent with a kept checkpoint of the empty tree, the first one a log signs, without a proof', () => {
    const empty = new TestLog(log.skey).checkpoint(0);
    expect(checkKeptCheckpoint(bundleCheckpoint(), empty, logKey)).toMatchObject({
      kind: 'consistent',
      kept: { size: 0 },
    });
    // A signed note of size 0 with another root is no empty tree.
    const notEmpty = signNote(
      formatCheckpoint({ origin: TEST_LOG_ORIGIN, size: 0, rootHash: Buffer.alloc(32, 1) }),
      [noteSigner(log.skey)],
    );
    expect(checkKeptCheckpoint(bundleCheckpoint(), notEmpty, logKey)).toEqual({
      kind: 'inconsistent',
      problem: 'inconsistent with the kept checkpoint of size 0',
    });
  });

  it('is consistent with the same checkpoint, without a proof', () =>
    expect(checkKeptCheckpoint(bundleCheckpoint(), section.checkpoint, logKey)).toMatchObject({
      kind: 'consistent',
    }));

  it('is inconsistent with a checkpoint of the same size and another root: the history was rewritten', () => {
    const rewritten = new TestLog(log.skey);
    rewritten.append(['x', 'y', 'z', 'u', 'v', 'w'].map(otherChainHash));
    expect(checkKeptCheckpoint(bundleCheckpoint(), rewritten.checkpoint(), logKey)).toEqual({
      kind: 'inconsistent',
      problem: 'inconsistent with the kept checkpoint of size 6',
    });
  });

  it('is refused when the kept checkpoint is not signed by the log key', () => {
    const impostor = new TestLog();
    impostor.append(['x'].map(otherChainHash));
    expect(checkKeptCheckpoint(bundleCheckpoint(), impostor.checkpoint(), logKey)).toEqual({
      kind: 'inconsistent',
      problem: `kept checkpoint not signed by ${TEST_LOG_ORIGIN}: note has no verifiable signatures`,
    });
  });
});
