import {
  Actor,
  FundingDecisionKind,
  Proposal,
  ProposalChanges,
  RejectionReason,
  SignOffDecision,
} from './types';

export interface EventMetadata {
  actor: Actor;
  /** ISO 8601 instant: the time of the command that produced the event. */
  occurredAt: string;
}

type Event<Type extends string, Data> = { type: Type; data: Data; metadata: EventMetadata };

export type InitiativeProposed = Event<'InitiativeProposed', Proposal & { proposalVersion: 1 }>;

export type NationalSignOffRecorded = Event<
  'NationalSignOffRecorded',
  {
    initiativeId: string;
    state: string;
    decision: SignOffDecision;
    proposalVersion: number;
    comment: string | null;
  }
>;

export type ChangesRequested = Event<
  'ChangesRequested',
  { initiativeId: string; state: string; proposalVersion: number; comment: string }
>;

export type InitiativeAmended = Event<
  'InitiativeAmended',
  { initiativeId: string; proposalVersion: number; changes: ProposalChanges }
>;

export type InitiativeApproved = Event<
  'InitiativeApproved',
  { initiativeId: string; proposalVersion: number; approvals: string[]; abstentions: string[] }
>;

export type InitiativeRejected = Event<
  'InitiativeRejected',
  { initiativeId: string; proposalVersion: number; reason: RejectionReason; rejectingStates: string[] }
>;

export type InitiativeWithdrawn = Event<'InitiativeWithdrawn', { initiativeId: string; reason: string }>;

export type SignOffDeadlineExpired = Event<
  'SignOffDeadlineExpired',
  { initiativeId: string; proposalVersion: number; deadline: string; pendingStates: string[] }
>;

export type FundingDecisionRecorded = Event<
  'FundingDecisionRecorded',
  {
    initiativeId: string;
    decision: FundingDecisionKind;
    amount: string | null;
    currency: string | null;
    fundingBody: string;
    conditions: string | null;
  }
>;

export type InitiativeEvent =
  | InitiativeProposed
  | NationalSignOffRecorded
  | ChangesRequested
  | InitiativeAmended
  | InitiativeApproved
  | InitiativeRejected
  | InitiativeWithdrawn
  | SignOffDeadlineExpired
  | FundingDecisionRecorded;

export type InitiativeEventType = InitiativeEvent['type'];

export const INITIATIVE_EVENT_TYPES: readonly InitiativeEventType[] = [
  'InitiativeProposed',
  'NationalSignOffRecorded',
  'ChangesRequested',
  'InitiativeAmended',
  'InitiativeApproved',
  'InitiativeRejected',
  'InitiativeWithdrawn',
  'SignOffDeadlineExpired',
  'FundingDecisionRecorded',
];
