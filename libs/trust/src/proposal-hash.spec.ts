import { createHash } from 'node:crypto';
import { proposalHash } from './proposal-hash';

const PROPOSAL = {
  title: 'Pan-Turkic Patent Organization',
  summary: 'A joint patent office for Türkiye and the others.',
  category: 'intellectual-property',
  proposingState: 'KAZ',
  participatingStates: ['KAZ', 'AZE', 'TUR'],
  approvalRule: { kind: 'quorum', minApprovals: 2 },
  signOffDeadline: '2030-06-30T23:59:59.000Z',
  requestedFunding: { amount: '1500000.00', currency: 'USD' },
};

describe('proposalHash', () => {
  it('is the SHA-256, lower-case hex, of the RFC 8785 canonical JSON of the proposal', () => {
    // Written by hand: members sorted by code point, no white space, non-ASCII text as UTF-8.
    const canonical =
      '{"approvalRule":{"kind":"quorum","minApprovals":2},"category":"intellectual-property",' +
      '"participatingStates":["KAZ","AZE","TUR"],"proposingState":"KAZ",' +
      '"requestedFunding":{"amount":"1500000.00","currency":"USD"},"signOffDeadline":"2030-06-30T23:59:59.000Z",' +
      '"summary":"A joint patent office for Türkiye and the others.","title":"Pan-Turkic Patent Organization"}';
    const expected = createHash('sha256').update(Buffer.from(canonical, 'utf8')).digest('hex');
    expect(expected).toBe('a9a136da01edf5667afabb2bc9313d2227dc02fbe0e68fef45d8b8923a1735aa'); // Python's hashlib
    expect(proposalHash(PROPOSAL)).toBe(expected);
  });

  it('hashes requestedFunding null as null', () => {
    expect(proposalHash({ ...PROPOSAL, requestedFunding: null })).toBe(
      '3fd1640e05e50b7025d0c75b403e629636aa1426daa2c5ae76d9ec93d4f9f702',
    );
  });

  it('leaves out every other field of the view, and the order of the fields does not matter', () => {
    const view = {
      initiativeId: '6f1c1f5e-8a63-4f4e-9d57-0d5c6a9e2b11',
      status: 'awaiting-sign-offs',
      proposalVersion: 2,
      ...Object.fromEntries(Object.entries(PROPOSAL).reverse()),
    };
    expect(proposalHash(view as unknown as typeof PROPOSAL)).toBe(proposalHash(PROPOSAL));
  });

  it('changes with any change of the text', () => {
    expect(proposalHash({ ...PROPOSAL, summary: `${PROPOSAL.summary} ` })).not.toBe(proposalHash(PROPOSAL));
    expect(proposalHash({ ...PROPOSAL, participatingStates: ['AZE', 'KAZ', 'TUR'] })).not.toBe(
      proposalHash(PROPOSAL),
    );
  });

  it('refuses a proposal that lacks a field rather than hash another object', () => {
    const { requestedFunding: _, ...withoutFunding } = PROPOSAL;
    expect(() => proposalHash(withoutFunding as typeof PROPOSAL)).toThrow(/requestedFunding/);
  });
});
