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

/** A party's signature over the command an event records (docs/trust.md): a JWS and the key it names. */
export interface SignatureRef {
  jws: string;
  kid: string;
  alg: string;
}

/**
 * Schema version 2: every event carries the signature of the command it records, null when the command was not
 * signed or the event is a consequence (an approval, an expiry). Version 1 events are read through the upcasters.
 */
type Event<Type extends string, Data> = {
  type: Type;
  data: Data & { signature: SignatureRef | null };
  metadata: EventMetadata;
};

export type InitiativeProposed = Event<'InitiativeProposed', Proposal & { proposalVersion: 1 }>;

export type NationalSignOffRecorded = Event<
  'NationalSignOffRecorded',
  {
    initiativeId: string;
    state: string;
    decision: SignOffDecision;
    proposalVersion: number;
    comment: string | null;
    /** The hash of the proposal text signed off (docs/trust.md); null when the sign-off did not name it. */
    proposalHash: string | null;
  }
>;

export type ChangesRequested = Event<
  'ChangesRequested',
  {
    initiativeId: string;
    state: string;
    proposalVersion: number;
    comment: string;
    proposalHash: string | null;
  }
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
