export const CATEGORIES = [
  'artificial-intelligence',
  'digital-transformation',
  'green-technology',
  'standardization',
  'space',
  'sme-support',
  'intellectual-property',
  'research-and-innovation',
  'industry-and-trade',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const ROLES = ['focal-point', 'secretariat', 'fund-board', 'auditor', 'witness', 'system'] as const;
export type Role = (typeof ROLES)[number];

export interface Actor {
  sub: string;
  role: Role;
  /** The member state a focal point acts for, or a witness watches the log for; null for every other role. */
  country: string | null;
}

export type ApprovalRule = { kind: 'unanimity' } | { kind: 'quorum'; minApprovals: number };

export interface Money {
  /** A positive decimal string with at most two fraction digits: never a JSON number, so every language hashes it alike. */
  amount: string;
  /** ISO 4217. */
  currency: string;
}

export interface Proposal {
  initiativeId: string;
  title: string;
  summary: string;
  category: Category;
  proposingState: string;
  participatingStates: string[];
  approvalRule: ApprovalRule;
  /** ISO 8601 instant. */
  signOffDeadline: string;
  requestedFunding: Money | null;
}

/** The text a state signs off: what `proposalHash` hashes (docs/trust.md), every field but the id. */
export type ProposalText = Omit<Proposal, 'initiativeId'>;

export function proposalTextOf(proposal: Proposal): ProposalText {
  const { title, summary, category, proposingState, participatingStates, approvalRule } = proposal;
  const { signOffDeadline, requestedFunding } = proposal;
  return {
    title,
    summary,
    category,
    proposingState,
    participatingStates,
    approvalRule,
    signOffDeadline,
    requestedFunding,
  };
}

/** The fields an amendment may change. */
export const AMENDABLE_FIELDS = [
  'title',
  'summary',
  'category',
  'participatingStates',
  'approvalRule',
  'signOffDeadline',
  'requestedFunding',
] as const;
export type AmendableField = (typeof AMENDABLE_FIELDS)[number];
export type ProposalChanges = Partial<Pick<Proposal, AmendableField>>;

export const STATUSES = [
  'awaiting-sign-offs',
  'changes-requested',
  'approved',
  'funded',
  'funding-declined',
  'rejected',
  'withdrawn',
  'expired',
] as const;
export type InitiativeStatus = (typeof STATUSES)[number];

export const SIGN_OFF_DECISIONS = ['approve', 'reject', 'abstain'] as const;
export type SignOffDecision = (typeof SIGN_OFF_DECISIONS)[number];

export const FUNDING_DECISIONS = ['granted', 'partially-granted', 'declined'] as const;
export type FundingDecisionKind = (typeof FUNDING_DECISIONS)[number];

export type RejectionReason = 'rejected-by-state' | 'quorum-unreachable' | 'no-approvals';
