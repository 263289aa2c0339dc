import { Actor, Proposal, ProposalText } from '../initiative/types';
import { DecisionContext } from '../initiative/decide';
import { CommandMetadata } from '../initiative/commands';
import { EventMetadata, InitiativeEvent } from '../initiative/events';
import { DEFAULT_PARTIES, Parties } from '../parties/parties';

export const parties = new Parties(DEFAULT_PARTIES);

/**
 * Stands in for the SHA-256 of RFC 8785 JSON the runtime brings (libs/trust): any function that tells two texts
 * apart will do for the rules.
 */
export const proposalHash = (text: ProposalText): string => JSON.stringify(text);

/** The decider's context in the tests: the default parties, and the stand-in hash. */
export const decisionContext: DecisionContext = { parties, proposalHash };
export const INITIATIVE_ID = '6f1c1f5e-8a63-4f4e-9d57-0d5c6a9e2b11';
export const T0 = new Date('2026-03-01T09:00:00.000Z');
export const DEADLINE = '2026-06-30T23:59:59.000Z';
export const AFTER_DEADLINE = new Date('2026-07-01T00:00:00.000Z');
export const MEMBERS = ['AZE', 'KAZ', 'KGZ', 'TUR', 'UZB'];

export const focalPoint = (country: string, sub = `fp-${country.toLowerCase()}`): Actor => ({
  sub,
  role: 'focal-point',
  country,
});
export const secretariat: Actor = { sub: 'secretary-general', role: 'secretariat', country: null };
export const fundBoard: Actor = { sub: 'fund-board-chair', role: 'fund-board', country: null };
export const auditor: Actor = { sub: 'auditor-1', role: 'auditor', country: null };
export const system: Actor = { sub: 'deadline-scheduler', role: 'system', country: null };

export const proposal = (overrides: Partial<Proposal> = {}): Proposal => ({
  initiativeId: INITIATIVE_ID,
  title: 'Pan-Turkic Patent Organization',
  summary: 'A joint patent office for the member states.',
  category: 'intellectual-property',
  proposingState: 'KAZ',
  participatingStates: [...MEMBERS],
  approvalRule: { kind: 'unanimity' },
  signOffDeadline: DEADLINE,
  requestedFunding: { amount: '1500000.00', currency: 'USD' },
  ...overrides,
});

export const at = (actor: Actor, now: Date = T0): CommandMetadata => ({ actor, now });
export const meta = (actor: Actor, now: Date = T0): EventMetadata => ({
  actor,
  occurredAt: now.toISOString(),
});

export const proposed = (overrides: Partial<Proposal> = {}, actor = focalPoint('KAZ')): InitiativeEvent => ({
  type: 'InitiativeProposed',
  data: { ...proposal(overrides), proposalVersion: 1, signature: null },
  metadata: meta(actor),
});

export const signedOff = (
  state: string,
  decision: 'approve' | 'reject' | 'abstain' = 'approve',
  proposalVersion = 1,
  comment: string | null = null,
): InitiativeEvent => ({
  type: 'NationalSignOffRecorded',
  data: {
    initiativeId: INITIATIVE_ID,
    state,
    decision,
    proposalVersion,
    comment,
    proposalHash: null,
    signature: null,
  },
  metadata: meta(focalPoint(state)),
});

export const approved = (
  approvals: string[],
  abstentions: string[] = [],
  proposalVersion = 1,
): InitiativeEvent => ({
  type: 'InitiativeApproved',
  data: { initiativeId: INITIATIVE_ID, proposalVersion, approvals, abstentions, signature: null },
  metadata: meta(focalPoint(approvals[approvals.length - 1] ?? 'KAZ')),
});

export const changesRequested = (state: string, comment = 'Please clarify the budget'): InitiativeEvent => ({
  type: 'ChangesRequested',
  data: {
    initiativeId: INITIATIVE_ID,
    state,
    proposalVersion: 1,
    comment,
    proposalHash: null,
    signature: null,
  },
  metadata: meta(focalPoint(state)),
});
