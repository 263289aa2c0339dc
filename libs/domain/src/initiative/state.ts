import { assertNever } from '../decider';
import { InitiativeEvent } from './events';
import { Actor, FundingDecisionKind, InitiativeStatus, Proposal, SignOffDecision } from './types';

export interface SignOff {
  state: string;
  decision: SignOffDecision;
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

export interface FundingDecision {
  decision: FundingDecisionKind;
  amount: string | null;
  currency: string | null;
  fundingBody: string;
  conditions: string | null;
  decidedAt: string;
  decidedBy: string;
}

export interface Initiative extends Proposal {
  status: InitiativeStatus;
  proposalVersion: number;
  proposedBy: Actor;
  /** Sign-offs of the current proposal version only: an amendment voids the earlier ones. */
  signOffs: SignOff[];
  changeRequests: ChangeRequest[];
  funding: FundingDecision | null;
  /** States an amendment removed: they keep reading what they took part in, and may no longer act. */
  formerParticipants: string[];
  withdrawalReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export type InitiativeState = { status: 'not-proposed' } | Initiative;

export const initialState = (): InitiativeState => ({ status: 'not-proposed' });

export function isProposed(state: InitiativeState): state is Initiative {
  return state.status !== 'not-proposed';
}

/** The country whose initiatives a focal point sees; null for the roles that see every initiative. */
export function countryScope(actor: Actor): string | null {
  return actor.role === 'focal-point' ? (actor.country ?? '') : null;
}

/**
 * Whether the actor sees this initiative: a focal point those its country takes part in, or took part in before an
 * amendment removed it (lists show it only the current ones); any other role all of them.
 */
export function isVisibleTo(actor: Actor, initiative: Initiative): boolean {
  const country = countryScope(actor);
  return (
    country === null ||
    initiative.participatingStates.includes(country) ||
    initiative.formerParticipants.includes(country)
  );
}

/** Participants that have not signed the current version. */
export function unsignedStates(initiative: Initiative): string[] {
  const signed = new Set(initiative.signOffs.map((signOff) => signOff.state));
  return initiative.participatingStates.filter((state) => !signed.has(state));
}

/** Participants whose sign-off is awaited now: none unless the initiative is awaiting sign-offs. */
export function pendingStates(initiative: Initiative): string[] {
  return initiative.status === 'awaiting-sign-offs' ? unsignedStates(initiative) : [];
}

export function evolve(state: InitiativeState, event: InitiativeEvent): InitiativeState {
  const { occurredAt, actor } = event.metadata;
  if (event.type === 'InitiativeProposed') {
    const { proposalVersion, signature: _signature, ...proposal } = event.data;
    return {
      ...proposal,
      status: 'awaiting-sign-offs',
      proposalVersion,
      proposedBy: actor,
      signOffs: [],
      changeRequests: [],
      funding: null,
      formerParticipants: [],
      withdrawalReason: null,
      createdAt: occurredAt,
      updatedAt: occurredAt,
    };
  }
  if (!isProposed(state)) return state;
  const initiative: Initiative = {
    ...state,
    status: statusAfter(event) ?? state.status,
    updatedAt: occurredAt,
  };
  switch (event.type) {
    case 'NationalSignOffRecorded': {
      const { state: signingState, decision, proposalVersion, comment } = event.data;
      const signOff = {
        state: signingState,
        decision,
        proposalVersion,
        comment,
        decidedAt: occurredAt,
        decidedBy: actor.sub,
      };
      return { ...initiative, signOffs: [...initiative.signOffs, signOff] };
    }
    case 'ChangesRequested': {
      const { state: requestingState, proposalVersion, comment } = event.data;
      const changeRequest = { state: requestingState, proposalVersion, comment, at: occurredAt };
      return { ...initiative, changeRequests: [...initiative.changeRequests, changeRequest] };
    }
    case 'InitiativeAmended': {
      const participants = event.data.changes.participatingStates ?? initiative.participatingStates;
      const removed = initiative.participatingStates.filter((state) => !participants.includes(state));
      return {
        ...initiative,
        ...event.data.changes,
        proposalVersion: event.data.proposalVersion,
        signOffs: [],
        formerParticipants: [...new Set([...initiative.formerParticipants, ...removed])].filter(
          (state) => !participants.includes(state),
        ),
      };
    }
    case 'InitiativeApproved':
    case 'InitiativeRejected':
    case 'SignOffDeadlineExpired':
      return initiative;
    case 'InitiativeWithdrawn':
      return { ...initiative, withdrawalReason: event.data.reason };
    case 'FundingDecisionRecorded': {
      const { initiativeId: _initiativeId, signature: _signature, ...decision } = event.data;
      return { ...initiative, funding: { ...decision, decidedAt: occurredAt, decidedBy: actor.sub } };
    }
    default:
      return assertNever(event);
  }
}

/** The status an event leaves an initiative in; null when it leaves the status as it was. */
export function statusAfter(event: InitiativeEvent): InitiativeStatus | null {
  switch (event.type) {
    case 'InitiativeProposed':
    case 'InitiativeAmended':
      return 'awaiting-sign-offs';
    case 'ChangesRequested':
      return 'changes-requested';
    case 'InitiativeApproved':
      return 'approved';
    case 'InitiativeRejected':
      return 'rejected';
    case 'InitiativeWithdrawn':
      return 'withdrawn';
    case 'SignOffDeadlineExpired':
      return 'expired';
    case 'FundingDecisionRecorded':
      return event.data.decision === 'declined' ? 'funding-declined' : 'funded';
    case 'NationalSignOffRecorded':
      return null;
    default:
      return assertNever(event);
  }
}

/** The state a history of events leaves: what readers rebuild, as the decider does before each command. */
export function foldInitiative(events: Iterable<InitiativeEvent>): InitiativeState {
  let state = initialState();
  for (const event of events) state = evolve(state, event);
  return state;
}
