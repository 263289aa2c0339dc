import { initiativeDecider } from './decide';
import { InitiativeEvent } from './events';
import { deciderSpecification } from '../testing/decider-specification';
import {
  AFTER_DEADLINE,
  approved,
  at,
  auditor,
  changesRequested,
  DEADLINE,
  focalPoint,
  fundBoard,
  INITIATIVE_ID,
  meta,
  decisionContext,
  proposal,
  proposed,
  secretariat,
  signedOff,
  system,
  T0,
} from '../testing/fixtures';
import { RecordFundingDecision, RecordNationalSignOff, RequestChanges, WithdrawInitiative } from './commands';

const spec = deciderSpecification(initiativeDecider(decisionContext));
const kaz = focalPoint('KAZ');

const signOff = (
  state: string,
  decision: 'approve' | 'reject' | 'abstain' = 'approve',
  overrides: Partial<RecordNationalSignOff['data']> = {},
  now = T0,
): RecordNationalSignOff => ({
  type: 'RecordNationalSignOff',
  data: {
    initiativeId: INITIATIVE_ID,
    state,
    decision,
    proposalVersion: 1,
    comment: null,
    ...overrides,
    proposalHash: null,
  },
  metadata: at(focalPoint(state), now),
});

const fundingDecision = (
  data: Partial<RecordFundingDecision['data']> = {},
  actor = fundBoard,
): RecordFundingDecision => ({
  type: 'RecordFundingDecision',
  data: {
    initiativeId: INITIATIVE_ID,
    decision: 'granted',
    amount: null,
    currency: null,
    fundingBody: 'OTS Research, Development and Innovation Fund',
    conditions: null,
    ...data,
  },
  metadata: at(actor),
});

const requestChanges = (
  state: string,
  comment = 'Please clarify the budget',
  now = T0,
  proposalVersion = 1,
): RequestChanges => ({
  type: 'RequestChanges',
  data: { initiativeId: INITIATIVE_ID, state, proposalVersion, comment, proposalHash: null },
  metadata: at(focalPoint(state), now),
});

const withdraw = (reason: string, actor = focalPoint('KAZ'), now = T0): WithdrawInitiative => ({
  type: 'WithdrawInitiative',
  data: { initiativeId: INITIATIVE_ID, reason },
  metadata: at(actor, now),
});

const amendment = (changes: object, actor = focalPoint('KAZ'), proposalVersion = 1, now = T0) => ({
  type: 'AmendInitiative' as const,
  data: { initiativeId: INITIATIVE_ID, proposalVersion, changes },
  metadata: at(actor, now),
});

const allApproved: InitiativeEvent[] = [
  proposed(),
  ...['AZE', 'KAZ', 'KGZ', 'TUR', 'UZB'].map((state) => signedOff(state)),
  approved(['AZE', 'KAZ', 'KGZ', 'TUR', 'UZB']),
];

describe('Initiative decider', () => {
  describe('when nothing was proposed yet', () => {
    const given = spec.given([]);

    it('records a proposal of a focal point for its own country as version 1', () =>
      given.when({ type: 'ProposeInitiative', data: proposal(), metadata: at(kaz) }).then([
        {
          type: 'InitiativeProposed',
          data: { ...proposal(), proposalVersion: 1, signature: null },
          metadata: meta(kaz),
        },
      ]));

    it('records a proposal of the secretariat for any member', () =>
      given
        .when({
          type: 'ProposeInitiative',
          data: proposal({ proposingState: 'UZB' }),
          metadata: at(secretariat),
        })
        .then([
          {
            type: 'InitiativeProposed',
            data: { ...proposal({ proposingState: 'UZB' }), proposalVersion: 1, signature: null },
            metadata: meta(secretariat),
          },
        ]));

    it.each([
      ['a focal point for another country', focalPoint('AZE')],
      ['the fund board', fundBoard],
      ['an auditor', auditor],
      ['the system', system],
    ])('forbids a proposal by %s', (_, actor) =>
      given
        .when({ type: 'ProposeInitiative', data: proposal(), metadata: at(actor) })
        .thenThrows('forbidden'),
    );

    it("forbids an observer's focal point to propose, even for its own country", () =>
      given
        .when({
          type: 'ProposeInitiative',
          data: proposal({ proposingState: 'HUN', participatingStates: ['HUN', 'KAZ'] }),
          metadata: at(focalPoint('HUN')),
        })
        .thenThrows('forbidden'));

    it.each([
      ['title', { title: 'ab' }],
      ['title', { title: 'x'.repeat(201) }],
      ['summary', { summary: '' }],
      ['category', { category: 'cooking' as never }],
      ['proposingState', { proposingState: 'HUN', participatingStates: ['HUN', 'KAZ'] }],
      ['participatingStates', { participatingStates: ['KAZ'] }],
      ['participatingStates', { participatingStates: ['KAZ', 'KAZ', 'AZE'] }],
      ['participatingStates', { participatingStates: ['KAZ', 'TKM'] }],
      ['participatingStates', { participatingStates: ['AZE', 'TUR'] }],
      ['approvalRule.minApprovals', { approvalRule: { kind: 'quorum', minApprovals: 1 } }],
      ['approvalRule.minApprovals', { approvalRule: { kind: 'quorum', minApprovals: 6 } }],
      ['approvalRule.minApprovals', { approvalRule: { kind: 'quorum', minApprovals: 2.5 } }],
      ['signOffDeadline', { signOffDeadline: T0.toISOString() }],
      ['signOffDeadline', { signOffDeadline: 'next tuesday' }],
      ['requestedFunding.amount', { requestedFunding: { amount: '0.00', currency: 'USD' } }],
      ['requestedFunding.amount', { requestedFunding: { amount: '10.555', currency: 'USD' } }],
      ['requestedFunding.currency', { requestedFunding: { amount: '10', currency: 'usd' } }],
    ] as const)('refuses a proposal with an invalid %s', (field, overrides) =>
      given
        .when({ type: 'ProposeInitiative', data: proposal(overrides as never), metadata: at(secretariat) })
        .thenThrows('validation-failed', field),
    );

    it.each([
      ['sign-offs', signOff('KAZ')],
      [
        'withdrawals',
        {
          type: 'WithdrawInitiative',
          data: { initiativeId: INITIATIVE_ID, reason: 'x' },
          metadata: at(secretariat),
        },
      ],
      ['funding decisions', fundingDecision()],
    ] as const)('knows no initiative for %s', (_, command) =>
      given.when(command as never).thenThrows('not-found'),
    );
  });

  describe('when awaiting sign-offs', () => {
    const given = spec.given([proposed()]);

    it('accepts the identical proposal from the same actor again without a new event', () =>
      given.when({ type: 'ProposeInitiative', data: proposal(), metadata: at(kaz) }).thenNothingHappens());

    it('refuses the same initiative id with another payload', () =>
      given
        .when({ type: 'ProposeInitiative', data: proposal({ title: 'Another title' }), metadata: at(kaz) })
        .thenThrows('already-exists'));

    it('refuses the identical payload proposed by another actor', () =>
      given
        .when({
          type: 'ProposeInitiative',
          data: proposal(),
          metadata: at(focalPoint('KAZ', 'someone-else')),
        })
        .thenThrows('already-exists'));

    it('records a sign-off bound to the current version, with its comment', () =>
      given
        .when(signOff('AZE', 'approve', { comment: 'Agreed' }))
        .then([signedOff('AZE', 'approve', 1, 'Agreed')]));

    it('hides the initiative from a focal point whose country does not take part', () =>
      spec
        .given([proposed({ participatingStates: ['KAZ', 'AZE'] })])
        .when(signOff('UZB'))
        .thenThrows('not-found'));

    it('forbids a focal point to sign for another participating country', () =>
      given.when({ ...signOff('AZE'), metadata: at(focalPoint('KAZ')) }).thenThrows('forbidden'));

    it.each([
      ['the secretariat', secretariat],
      ['an auditor', auditor],
      ['the fund board', fundBoard],
    ])('forbids %s to sign off', (_, actor) =>
      given.when({ ...signOff('AZE'), metadata: at(actor) }).thenThrows('forbidden'),
    );

    it('refuses a sign-off of another proposal version as stale', () =>
      given.when(signOff('AZE', 'approve', { proposalVersion: 2 })).thenThrows('stale-proposal-version'));

    it('refuses a sign-off at or after the deadline', () => {
      given.when(signOff('AZE', 'approve', {}, new Date(DEADLINE))).thenThrows('deadline-passed');
      given.when(signOff('AZE', 'approve', {}, AFTER_DEADLINE)).thenThrows('deadline-passed');
    });

    it('refuses every command decided at or after the deadline as the scheduler would have: expired', () => {
      given.when(requestChanges('TUR', 'Late', new Date(DEADLINE))).thenThrows('deadline-passed');
      given
        .when(amendment({ signOffDeadline: '2031-01-01T00:00:00.000Z' }, kaz, 1, AFTER_DEADLINE))
        .thenThrows('invalid-status');
      given.when(withdraw('Late', kaz, AFTER_DEADLINE)).thenThrows('invalid-status');
    });

    it('refuses changes requested without a current version', () =>
      given
        .when({
          type: 'RequestChanges',
          data: {
            initiativeId: INITIATIVE_ID,
            state: 'TUR',
            proposalVersion: 3,
            comment: 'Why?',
            proposalHash: null,
          },
          metadata: at(focalPoint('TUR')),
        })
        .thenThrows('stale-proposal-version'));

    it('records changes requested by a participant', () =>
      given
        .when({
          type: 'RequestChanges',
          data: {
            initiativeId: INITIATIVE_ID,
            state: 'TUR',
            proposalVersion: 1,
            comment: 'Please clarify the budget',
            proposalHash: null,
          },
          metadata: at(focalPoint('TUR')),
        })
        .then([changesRequested('TUR')]));

    it('refuses changes requested after the deadline', () =>
      given
        .when({
          type: 'RequestChanges',
          data: {
            initiativeId: INITIATIVE_ID,
            state: 'TUR',
            proposalVersion: 1,
            comment: 'Late',
            proposalHash: null,
          },
          metadata: at(focalPoint('TUR'), AFTER_DEADLINE),
        })
        .thenThrows('deadline-passed'));

    it('lets the proposing state withdraw it', () =>
      given
        .when({
          type: 'WithdrawInitiative',
          data: { initiativeId: INITIATIVE_ID, reason: 'Merged' },
          metadata: at(kaz),
        })
        .then([
          {
            type: 'InitiativeWithdrawn',
            data: { initiativeId: INITIATIVE_ID, reason: 'Merged', signature: null },
            metadata: meta(kaz),
          },
        ]));

    it('forbids another participant to withdraw it', () =>
      given
        .when({
          type: 'WithdrawInitiative',
          data: { initiativeId: INITIATIVE_ID, reason: 'No' },
          metadata: at(focalPoint('AZE')),
        })
        .thenThrows('forbidden'));

    it('refuses a funding decision before approval', () =>
      given.when(fundingDecision()).thenThrows('invalid-status'));

    it('does not expire before the deadline', () =>
      given
        .when({ type: 'ExpireSignOffs', data: { initiativeId: INITIATIVE_ID }, metadata: at(system) })
        .thenNothingHappens());

    it('expires at the deadline, listing the states that had not signed', () =>
      spec
        .given([proposed(), signedOff('AZE')])
        .when({
          type: 'ExpireSignOffs',
          data: { initiativeId: INITIATIVE_ID },
          metadata: at(system, new Date(DEADLINE)),
        })
        .then([
          {
            type: 'SignOffDeadlineExpired',
            data: {
              initiativeId: INITIATIVE_ID,
              proposalVersion: 1,
              deadline: DEADLINE,
              pendingStates: ['KAZ', 'KGZ', 'TUR', 'UZB'],
              signature: null,
            },
            metadata: meta(system, new Date(DEADLINE)),
          },
        ]));

    it('lets only the system expire sign-offs', () =>
      given
        .when({
          type: 'ExpireSignOffs',
          data: { initiativeId: INITIATIVE_ID },
          metadata: at(secretariat, AFTER_DEADLINE),
        })
        .thenThrows('forbidden'));
  });

  describe('when a state has signed off', () => {
    const given = spec.given([proposed(), signedOff('AZE', 'approve', 1, 'Agreed')]);

    it('accepts the identical sign-off again without a new event', () =>
      given.when(signOff('AZE', 'approve', { comment: 'Agreed' })).thenNothingHappens());

    it('refuses a different sign-off of the same version', () =>
      given.when(signOff('AZE', 'reject', { comment: 'Agreed' })).thenThrows('already-signed'));

    it('refuses the same decision with another comment', () =>
      given.when(signOff('AZE', 'approve', { comment: 'Changed my mind' })).thenThrows('already-signed'));
  });

  describe('when awaiting sign-offs under unanimity', () => {
    it('approves with the last approval, counting abstentions as consent', () =>
      spec
        .given([
          proposed(),
          signedOff('AZE'),
          signedOff('KAZ'),
          signedOff('KGZ', 'abstain'),
          signedOff('TUR'),
        ])
        .when(signOff('UZB'))
        .then([signedOff('UZB'), approved(['AZE', 'KAZ', 'TUR', 'UZB'], ['KGZ'])]));

    it('stays open while a participant has not signed', () =>
      spec
        .given([proposed(), signedOff('AZE')])
        .when(signOff('KAZ'))
        .then([signedOff('KAZ')]));

    it('rejects as soon as one participant rejects', () =>
      spec
        .given([proposed(), signedOff('AZE')])
        .when(signOff('KGZ', 'reject'))
        .then([
          signedOff('KGZ', 'reject'),
          {
            type: 'InitiativeRejected',
            data: {
              initiativeId: INITIATIVE_ID,
              proposalVersion: 1,
              reason: 'rejected-by-state',
              rejectingStates: ['KGZ'],
              signature: null,
            },
            metadata: meta(focalPoint('KGZ')),
          },
        ]));

    it('rejects when every participant abstains', () =>
      spec
        .given([proposed({ participatingStates: ['KAZ', 'AZE'] }), signedOff('KAZ', 'abstain')])
        .when(signOff('AZE', 'abstain'))
        .then([
          signedOff('AZE', 'abstain'),
          {
            type: 'InitiativeRejected',
            data: {
              initiativeId: INITIATIVE_ID,
              proposalVersion: 1,
              reason: 'no-approvals',
              rejectingStates: [],
              signature: null,
            },
            metadata: meta(focalPoint('AZE')),
          },
        ]));
  });

  describe('when awaiting sign-offs under a quorum of 3', () => {
    const quorum = proposed({ approvalRule: { kind: 'quorum', minApprovals: 3 } });

    it('stays open with two approvals while the third is still reachable', () =>
      spec
        .given([quorum, signedOff('AZE'), signedOff('KGZ', 'reject')])
        .when(signOff('TUR'))
        .then([signedOff('TUR')]));

    it('approves with the third approval even while others are undecided', () =>
      spec
        .given([quorum, signedOff('AZE'), signedOff('KAZ')])
        .when(signOff('TUR'))
        .then([signedOff('TUR'), approved(['AZE', 'KAZ', 'TUR'])]));

    it('rejects once the quorum can no longer be reached', () =>
      spec
        .given([quorum, signedOff('AZE', 'reject'), signedOff('KAZ', 'abstain')])
        .when(signOff('KGZ', 'reject'))
        .then([
          signedOff('KGZ', 'reject'),
          {
            type: 'InitiativeRejected',
            data: {
              initiativeId: INITIATIVE_ID,
              proposalVersion: 1,
              reason: 'quorum-unreachable',
              rejectingStates: ['AZE', 'KGZ'],
              signature: null,
            },
            metadata: meta(focalPoint('KGZ')),
          },
        ]));
  });

  describe('when changes are requested', () => {
    const given = spec.given([proposed(), signedOff('AZE'), changesRequested('TUR')]);
    const amend = (changes: object, actor = kaz, proposalVersion = 1) => ({
      type: 'AmendInitiative' as const,
      data: { initiativeId: INITIATIVE_ID, proposalVersion, changes },
      metadata: at(actor),
    });

    it('accepts no sign-off until an amendment', () =>
      given.when(signOff('KGZ')).thenThrows('invalid-status'));

    it('records the change request of another participant too', () =>
      given.when(requestChanges('UZB', 'And the timeline')).then([
        {
          type: 'ChangesRequested',
          data: {
            initiativeId: INITIATIVE_ID,
            state: 'UZB',
            proposalVersion: 1,
            comment: 'And the timeline',
            proposalHash: null,
            signature: null,
          },
          metadata: meta(focalPoint('UZB')),
        },
      ]));

    it('answers the identical change request again without a new event', () =>
      given.when(requestChanges('TUR')).thenNothingHappens());

    it('refuses a second change request of the same state in other words', () =>
      given.when(requestChanges('TUR', 'Something else')).thenThrows('already-signed'));

    it('refuses changes requested by a state that signed this version', () =>
      given.when(requestChanges('AZE')).thenThrows('already-signed'));

    it('refuses changes requested at the deadline as expired', () =>
      given.when(requestChanges('UZB', 'Late', new Date(DEADLINE))).thenThrows('deadline-passed'));

    it('records an amendment of the changed fields only, as the next version', () =>
      given
        .when(amend({ title: 'Pan-Turkic Patent Organization', summary: 'A leaner joint patent office.' }))
        .then([
          {
            type: 'InitiativeAmended',
            data: {
              initiativeId: INITIATIVE_ID,
              proposalVersion: 2,
              changes: { summary: 'A leaner joint patent office.' },
              signature: null,
            },
            metadata: meta(kaz),
          },
        ]));

    it('lets the secretariat amend', () =>
      given.when(amend({ category: 'research-and-innovation' }, secretariat)).then([
        {
          type: 'InitiativeAmended',
          data: {
            initiativeId: INITIATIVE_ID,
            proposalVersion: 2,
            changes: { category: 'research-and-innovation' },
            signature: null,
          },
          metadata: meta(secretariat),
        },
      ]));

    it('refuses an amendment that changes nothing', () =>
      given.when(amend({ title: 'Pan-Turkic Patent Organization' })).thenThrows('validation-failed', 'body'));

    it('refuses an amendment of an older version', () =>
      given.when(amend({ summary: 'New' }, kaz, 0)).thenThrows('stale-proposal-version'));

    it('refuses an amendment that breaks a proposal rule', () =>
      given
        .when(amend({ participatingStates: ['AZE', 'TUR'] }))
        .thenThrows('validation-failed', 'participatingStates'));

    it('forbids a participant that did not propose to amend', () =>
      given.when(amend({ summary: 'Mine' }, focalPoint('TUR'))).thenThrows('forbidden'));

    it('forbids the fund board to amend', () =>
      given.when(amend({ summary: 'Mine' }, fundBoard)).thenThrows('forbidden'));

    it('expires at the deadline', () =>
      given
        .when({
          type: 'ExpireSignOffs',
          data: { initiativeId: INITIATIVE_ID },
          metadata: at(system, AFTER_DEADLINE),
        })
        .then([
          {
            type: 'SignOffDeadlineExpired',
            data: {
              initiativeId: INITIATIVE_ID,
              proposalVersion: 1,
              deadline: DEADLINE,
              pendingStates: ['KAZ', 'KGZ', 'TUR', 'UZB'],
              signature: null,
            },
            metadata: meta(system, AFTER_DEADLINE),
          },
        ]));
  });

  describe('when amended', () => {
    const amended: InitiativeEvent = {
      type: 'InitiativeAmended',
      data: {
        initiativeId: INITIATIVE_ID,
        proposalVersion: 2,
        changes: { summary: 'Leaner.' },
        signature: null,
      },
      metadata: meta(kaz),
    };
    const given = spec.given([proposed(), signedOff('AZE'), changesRequested('TUR'), amended]);

    it('voids earlier sign-offs: the same state signs the new version', () =>
      given.when(signOff('AZE', 'approve', { proposalVersion: 2 })).then([signedOff('AZE', 'approve', 2)]));

    it('refuses a sign-off of the superseded version as stale', () =>
      given.when(signOff('KGZ')).thenThrows('stale-proposal-version'));
  });

  describe('when approved', () => {
    const given = spec.given(allApproved);

    it('still answers an identical late sign-off as an idempotent success', () =>
      given.when(signOff('UZB')).thenNothingHappens());

    it('refuses further sign-offs as the status does not allow them', () =>
      given.when(signOff('UZB', 'reject')).thenThrows('invalid-status'));

    it('records the requested amount when granted without an amount', () =>
      given.when(fundingDecision()).then([
        {
          type: 'FundingDecisionRecorded',
          data: {
            initiativeId: INITIATIVE_ID,
            decision: 'granted',
            amount: '1500000.00',
            currency: 'USD',
            fundingBody: 'OTS Research, Development and Innovation Fund',
            conditions: null,
            signature: null,
          },
          metadata: meta(fundBoard),
        },
      ]));

    it('records a partial grant below the requested amount', () =>
      given
        .when(
          fundingDecision({
            decision: 'partially-granted',
            amount: '750000.00',
            currency: 'USD',
            conditions: 'Phase 1',
          }),
        )
        .then([
          {
            type: 'FundingDecisionRecorded',
            data: {
              initiativeId: INITIATIVE_ID,
              decision: 'partially-granted',
              amount: '750000.00',
              currency: 'USD',
              fundingBody: 'OTS Research, Development and Innovation Fund',
              conditions: 'Phase 1',
              signature: null,
            },
            metadata: meta(fundBoard),
          },
        ]));

    it('records a declined decision without an amount', () =>
      given.when(fundingDecision({ decision: 'declined' })).then([
        {
          type: 'FundingDecisionRecorded',
          data: {
            initiativeId: INITIATIVE_ID,
            decision: 'declined',
            amount: null,
            currency: null,
            fundingBody: 'OTS Research, Development and Innovation Fund',
            conditions: null,
            signature: null,
          },
          metadata: meta(fundBoard),
        },
      ]));

    it.each([
      [
        'a partial grant not below the request',
        { decision: 'partially-granted', amount: '1500000', currency: 'USD' },
      ],
      ['a partial grant without an amount', { decision: 'partially-granted' }],
      ['a declined decision with an amount', { decision: 'declined', amount: '10.00', currency: 'USD' }],
      ['an amount without a currency', { decision: 'granted', amount: '10.00' }],
      ['a malformed amount', { decision: 'granted', amount: '1e6', currency: 'USD' }],
    ] as const)('refuses %s', (_, data) => given.when(fundingDecision(data)).thenThrows('validation-failed'));

    it('refuses a grant without amount when none was requested', () =>
      spec
        .given([
          proposed({ requestedFunding: null, participatingStates: ['KAZ', 'AZE'] }),
          signedOff('KAZ'),
          signedOff('AZE'),
          approved(['KAZ', 'AZE']),
        ])
        .when(fundingDecision())
        .thenThrows('validation-failed', 'amount'));

    it.each([
      ['the secretariat', secretariat],
      ['a focal point', kaz],
      ['an auditor', auditor],
    ])('forbids %s to record a funding decision', (_, actor) =>
      given.when(fundingDecision({}, actor)).thenThrows('forbidden'),
    );

    it('can still be withdrawn by the secretariat', () =>
      given
        .when({
          type: 'WithdrawInitiative',
          data: { initiativeId: INITIATIVE_ID, reason: 'Superseded' },
          metadata: at(secretariat),
        })
        .then([
          {
            type: 'InitiativeWithdrawn',
            data: { initiativeId: INITIATIVE_ID, reason: 'Superseded', signature: null },
            metadata: meta(secretariat),
          },
        ]));

    it('cannot be amended', () =>
      given
        .when({
          type: 'AmendInitiative',
          data: { initiativeId: INITIATIVE_ID, proposalVersion: 1, changes: { summary: 'x' } },
          metadata: at(kaz),
        })
        .thenThrows('invalid-status'));

    it('grants exactly the requested amount, however it is written', () =>
      given.when(fundingDecision({ amount: '1500000', currency: 'USD' })).then([
        {
          type: 'FundingDecisionRecorded',
          data: {
            initiativeId: INITIATIVE_ID,
            decision: 'granted',
            amount: '1500000.00',
            currency: 'USD',
            fundingBody: 'OTS Research, Development and Innovation Fund',
            conditions: null,
            signature: null,
          },
          metadata: meta(fundBoard),
        },
      ]));

    it.each([
      ['a grant below the request (that is a partial grant)', { amount: '1499999.99', currency: 'USD' }],
      ['a grant above the request', { amount: '1500000.01', currency: 'USD' }],
      ['a grant in another currency', { amount: '1500000.00', currency: 'EUR' }],
      [
        'a partial grant above the request',
        { decision: 'partially-granted', amount: '2000000.00', currency: 'USD' },
      ],
      [
        'a partial grant in another currency',
        { decision: 'partially-granted', amount: '10.00', currency: 'EUR' },
      ],
    ] as const)('refuses %s', (_, data) => given.when(fundingDecision(data)).thenThrows('validation-failed'));

    it('does not expire', () =>
      given
        .when({
          type: 'ExpireSignOffs',
          data: { initiativeId: INITIATIVE_ID },
          metadata: at(system, AFTER_DEADLINE),
        })
        .thenNothingHappens());
  });

  describe('when funded', () => {
    const funded: InitiativeEvent = {
      type: 'FundingDecisionRecorded',
      data: {
        initiativeId: INITIATIVE_ID,
        decision: 'granted',
        amount: '1500000.00',
        currency: 'USD',
        fundingBody: 'OTS Research, Development and Innovation Fund',
        conditions: null,
        signature: null,
      },
      metadata: meta(fundBoard),
    };
    const given = spec.given([...allApproved, funded]);

    it('records no second funding decision', () =>
      given.when(fundingDecision()).thenThrows('invalid-status'));

    it('can no longer be withdrawn', () =>
      given
        .when({
          type: 'WithdrawInitiative',
          data: { initiativeId: INITIATIVE_ID, reason: 'Late' },
          metadata: at(secretariat),
        })
        .thenThrows('invalid-status'));
  });

  describe('when expired', () => {
    const expired: InitiativeEvent = {
      type: 'SignOffDeadlineExpired',
      data: {
        initiativeId: INITIATIVE_ID,
        proposalVersion: 1,
        deadline: DEADLINE,
        pendingStates: ['AZE'],
        signature: null,
      },
      metadata: meta(system, AFTER_DEADLINE),
    };

    it('adds nothing when expired again', () =>
      spec
        .given([proposed(), expired])
        .when({
          type: 'ExpireSignOffs',
          data: { initiativeId: INITIATIVE_ID },
          metadata: at(system, AFTER_DEADLINE),
        })
        .thenNothingHappens());

    it('cannot be withdrawn', () =>
      spec
        .given([proposed(), expired])
        .when({
          type: 'WithdrawInitiative',
          data: { initiativeId: INITIATIVE_ID, reason: 'x' },
          metadata: at(kaz),
        })
        .thenThrows('invalid-status'));
  });

  describe('when withdrawn', () => {
    const given = spec.given([
      proposed(),
      {
        type: 'InitiativeWithdrawn',
        data: { initiativeId: INITIATIVE_ID, reason: 'Merged', signature: null },
        metadata: meta(kaz),
      },
    ]);

    it('answers the identical withdrawal again without a new event', () =>
      given.when(withdraw('Merged')).thenNothingHappens());

    it('refuses a withdrawal for another reason', () =>
      given.when(withdraw('Another reason')).thenThrows('invalid-status'));
  });

  describe('when an amendment removed a participant', () => {
    const given = spec.given([
      proposed(),
      {
        type: 'InitiativeAmended',
        data: {
          initiativeId: INITIATIVE_ID,
          proposalVersion: 2,
          changes: { participatingStates: ['AZE', 'KAZ', 'KGZ', 'TUR'] },
          signature: null,
        },
        metadata: meta(kaz),
      },
    ]);

    it('lets the former participant see it, and forbids it to act', () => {
      given.when(signOff('UZB', 'approve', { proposalVersion: 2 })).thenThrows('forbidden');
      given.when(requestChanges('UZB', 'Why?', T0, 2)).thenThrows('forbidden');
    });

    it('still hides it from a state that never took part', () =>
      spec
        .given([proposed({ participatingStates: ['KAZ', 'AZE'] })])
        .when(signOff('UZB'))
        .thenThrows('not-found'));
  });

  describe('when the deadline has come and the scheduler has not run yet', () => {
    const given = spec.given([proposed(), signedOff('AZE')]);

    it('refuses a sign-off as past its deadline, as after the expiry', () => {
      given.when(signOff('KAZ', 'approve', {}, AFTER_DEADLINE)).thenThrows('deadline-passed');
      spec
        .given([
          proposed(),
          signedOff('AZE'),
          {
            type: 'SignOffDeadlineExpired',
            data: {
              initiativeId: INITIATIVE_ID,
              proposalVersion: 1,
              deadline: DEADLINE,
              pendingStates: ['KAZ', 'KGZ', 'TUR', 'UZB'],
              signature: null,
            },
            metadata: meta(system, AFTER_DEADLINE),
          },
        ])
        .when(signOff('KAZ', 'approve', {}, AFTER_DEADLINE))
        .thenThrows('deadline-passed');
    });

    it('refuses an amendment that would move the deadline', () =>
      given
        .when(amendment({ signOffDeadline: '2031-01-01T00:00:00.000Z' }, kaz, 1, AFTER_DEADLINE))
        .thenThrows('invalid-status'));

    it('still lets the system record the expiry', () =>
      given
        .when({
          type: 'ExpireSignOffs',
          data: { initiativeId: INITIATIVE_ID },
          metadata: at(system, AFTER_DEADLINE),
        })
        .then([
          {
            type: 'SignOffDeadlineExpired',
            data: {
              initiativeId: INITIATIVE_ID,
              proposalVersion: 1,
              deadline: DEADLINE,
              pendingStates: ['KAZ', 'KGZ', 'TUR', 'UZB'],
              signature: null,
            },
            metadata: meta(system, AFTER_DEADLINE),
          },
        ]));
  });
});
