/** The shapes of the /v1 API the console reads (docs/api.md). */

export type Role = 'focal-point' | 'secretariat' | 'fund-board' | 'auditor' | 'witness';

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
export type Status = (typeof STATUSES)[number];

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

export const DECISIONS = ['approve', 'reject', 'abstain'] as const;
export type Decision = (typeof DECISIONS)[number];

export interface Money {
  amount: string;
  currency: string;
}

export type ApprovalRule = { kind: 'unanimity' } | { kind: 'quorum'; minApprovals: number };

export interface InitiativeSummary {
  initiativeId: string;
  title: string;
  category: Category;
  proposingState: string;
  participatingStates: string[];
  status: Status;
  proposalVersion: number;
  pendingStates: string[];
  signOffDeadline: string;
  requestedFunding: Money | null;
  revision: number;
  updatedAt: string;
}

export interface SignOff {
  state: string;
  decision: Decision;
  proposalVersion: number;
  comment: string | null;
  decidedAt: string;
  decidedBy: string;
}

export interface ChangeRequest {
  state: string;
  proposalVersion: number;
  comment: string;
  at: string;
}

export interface Funding {
  decision: 'granted' | 'partially-granted' | 'declined';
  amount: string | null;
  currency: string | null;
  fundingBody: string;
  conditions: string | null;
  decidedAt: string;
  decidedBy: string;
}

export interface InitiativeView extends InitiativeSummary {
  summary: string;
  approvalRule: ApprovalRule;
  proposalHash: string;
  signOffs: SignOff[];
  changeRequests: ChangeRequest[];
  funding: Funding | null;
  createdAt: string;
}

/** The fields of a proposal's text, in the order the console shows them. */
export const PROPOSAL_FIELDS = [
  'title',
  'summary',
  'category',
  'participatingStates',
  'approvalRule',
  'signOffDeadline',
  'requestedFunding',
] as const;
export type ProposalField = (typeof PROPOSAL_FIELDS)[number];

export interface EventRecord {
  revision: number;
  eventId: string;
  type: string;
  occurredAt: string;
  actor: { sub: string; role: string; country: string | null };
  data: Record<string, unknown>;
  metadata: { correlationId: string; causationId: string | null; schemaVersion: number };
  prevHash: string;
  hash: string;
}

export interface AuditReport {
  initiativeId: string;
  eventCount: number;
  headHash: string;
  verified: boolean;
  brokenAtRevision: number | null;
  revisions: {
    revision: number;
    chain: 'ok' | 'broken';
    signature: 'valid' | 'invalid' | 'unsigned';
    reason?: string;
  }[];
}

export interface Party {
  code: string;
  name: string;
  role: 'member' | 'observer' | 'body';
  keys: { kid: string; kty: string; crv: string }[];
}

export interface Page<Item> {
  items: Item[];
  nextCursor: string | null;
}

/** An RFC 9457 problem, as every error of the API is answered. */
export interface Problem {
  status: number;
  code: string;
  title: string;
  detail?: string;
}
