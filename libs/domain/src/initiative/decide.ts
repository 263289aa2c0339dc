import { assertNever, Decider } from '../decider';
import { DomainError } from '../errors';
import { Parties } from '../parties/parties';
import {
  AmendInitiative,
  CommandMetadata,
  ExpireSignOffs,
  InitiativeCommand,
  ProposeInitiative,
  RecordFundingDecision,
  RecordNationalSignOff,
  RequestChanges,
  WithdrawInitiative,
} from './commands';
import { EventMetadata, InitiativeEvent } from './events';
import { amountInCents, moneyProblems, parseInstant, proposalProblems, sameMoney } from './proposal-rules';
import { evolve, Initiative, initialState, InitiativeState, isProposed, unsignedStates } from './state';
import { AMENDABLE_FIELDS, Actor, ProposalChanges } from './types';

export type InitiativeDecider = Decider<InitiativeCommand, InitiativeEvent, InitiativeState>;

export function initiativeDecider(parties: Parties): InitiativeDecider {
  return { decide: (command, state) => decide(command, state, parties), evolve, initialState };
}

export function decide(
  command: InitiativeCommand,
  state: InitiativeState,
  parties: Parties,
): InitiativeEvent[] {
  if (command.type === 'ProposeInitiative') return propose(command, state, parties);
  const initiative = visibleInitiative(state, command.metadata.actor);
  switch (command.type) {
    case 'RecordNationalSignOff':
      return recordSignOff(command, initiative);
    case 'RequestChanges':
      return requestChanges(command, initiative);
    case 'AmendInitiative':
      return amend(command, initiative, parties);
    case 'WithdrawInitiative':
      return withdraw(command, initiative);
    case 'ExpireSignOffs':
      return expire(command, initiative);
    case 'RecordFundingDecision':
      return recordFundingDecision(command, initiative);
    default:
      return assertNever(command);
  }
}

function eventMetadata({ actor, now }: CommandMetadata): EventMetadata {
  return { actor, occurredAt: now.toISOString() };
}

/** A focal point sees only the initiatives its country takes part in: any other is "not found". */
function visibleInitiative(state: InitiativeState, actor: Actor): Initiative {
  if (!isProposed(state)) throw new DomainError('not-found', 'No such initiative');
  if (actor.role === 'focal-point' && !state.participatingStates.includes(actor.country ?? ''))
    throw new DomainError('not-found', 'No such initiative');
  return state;
}

function forbidden(message: string): never {
  throw new DomainError('forbidden', message);
}

function mayManage(actor: Actor, initiative: Initiative): boolean {
  return (
    actor.role === 'secretariat' ||
    (actor.role === 'focal-point' && actor.country === initiative.proposingState)
  );
}

function requireCurrentVersion(initiative: Initiative, proposalVersion: number): void {
  if (proposalVersion !== initiative.proposalVersion)
    throw new DomainError(
      'stale-proposal-version',
      `Proposal version ${proposalVersion} is not the current one (${initiative.proposalVersion})`,
    );
}

function requireStatus(
  initiative: Initiative,
  allowed: readonly Initiative['status'][],
  action: string,
): void {
  if (!allowed.includes(initiative.status))
    throw new DomainError('invalid-status', `Cannot ${action} an initiative that is ${initiative.status}`);
}

function requireBeforeDeadline(initiative: Initiative, now: Date): void {
  if (now.getTime() >= parseInstant(initiative.signOffDeadline))
    throw new DomainError(
      'deadline-passed',
      `The sign-off deadline ${initiative.signOffDeadline} has passed`,
    );
}

function requireOwnParticipatingState(actor: Actor, state: string): void {
  if (actor.role !== 'focal-point') forbidden('Only a national focal point acts for a state');
  if (actor.country !== state) forbidden(`A focal point of ${actor.country} cannot act for ${state}`);
}

function propose(command: ProposeInitiative, state: InitiativeState, parties: Parties): InitiativeEvent[] {
  const { data: proposal, metadata } = command;
  const { actor } = metadata;
  if (actor.role === 'focal-point' && !parties.isMember(actor.country ?? ''))
    forbidden('Only the focal point of a member state may propose an initiative');
  if (
    actor.role !== 'secretariat' &&
    !(actor.role === 'focal-point' && actor.country === proposal.proposingState)
  )
    forbidden("Only the secretariat or the proposing state's focal point may propose an initiative");
  if (isProposed(state)) {
    if (isSameProposal(state, command)) return [];
    throw new DomainError('already-exists', `Initiative ${proposal.initiativeId} already exists`);
  }
  const problems = proposalProblems(proposal, parties, metadata.now);
  if (problems.length > 0)
    throw new DomainError('validation-failed', 'The proposal breaks the rules', problems);
  return [
    {
      type: 'InitiativeProposed',
      data: { ...proposal, proposalVersion: 1 },
      metadata: eventMetadata(metadata),
    },
  ];
}

function isSameProposal(existing: Initiative, { data, metadata }: ProposeInitiative): boolean {
  return (
    existing.proposedBy.sub === metadata.actor.sub &&
    existing.proposalVersion === 1 &&
    existing.title === data.title &&
    existing.summary === data.summary &&
    existing.category === data.category &&
    existing.proposingState === data.proposingState &&
    sameList(existing.participatingStates, data.participatingStates) &&
    JSON.stringify(existing.approvalRule) === JSON.stringify(data.approvalRule) &&
    parseInstant(existing.signOffDeadline) === parseInstant(data.signOffDeadline) &&
    sameMoney(existing.requestedFunding, data.requestedFunding)
  );
}

function sameList(left: readonly string[], right: readonly string[]): boolean {
  return left.length === right.length && left.every((item, index) => item === right[index]);
}

function sameSet(left: readonly string[], right: readonly string[]): boolean {
  return sameList([...left].sort(), [...right].sort());
}

function recordSignOff(command: RecordNationalSignOff, initiative: Initiative): InitiativeEvent[] {
  const { data, metadata } = command;
  requireOwnParticipatingState(metadata.actor, data.state);
  const earlier = initiative.signOffs.find(
    (signOff) => signOff.state === data.state && signOff.proposalVersion === data.proposalVersion,
  );
  if (earlier && earlier.decision === data.decision && earlier.comment === data.comment) return [];
  requireStatus(initiative, ['awaiting-sign-offs'], 'sign off');
  requireBeforeDeadline(initiative, metadata.now);
  requireCurrentVersion(initiative, data.proposalVersion);
  if (earlier)
    throw new DomainError(
      'already-signed',
      `${data.state} already signed version ${data.proposalVersion} with "${earlier.decision}"`,
    );

  const recorded: InitiativeEvent = {
    type: 'NationalSignOffRecorded',
    data: {
      initiativeId: initiative.initiativeId,
      state: data.state,
      decision: data.decision,
      proposalVersion: data.proposalVersion,
      comment: data.comment,
    },
    metadata: eventMetadata(metadata),
  };
  const outcome = approvalOutcome(evolve(initiative, recorded) as Initiative, metadata);
  return outcome ? [recorded, outcome] : [recorded];
}

/** The approval rule applied to the sign-offs of the current version: approved, rejected, or still open (null). */
function approvalOutcome(initiative: Initiative, commandMetadata: CommandMetadata): InitiativeEvent | null {
  const decided = (decision: string) =>
    initiative.signOffs.filter((signOff) => signOff.decision === decision).map((signOff) => signOff.state);
  const approvals = decided('approve');
  const rejections = decided('reject');
  const abstentions = decided('abstain');
  const undecided = unsignedStates(initiative).length;
  const { initiativeId, proposalVersion, approvalRule } = initiative;
  const metadata = eventMetadata(commandMetadata);
  const approved: InitiativeEvent = {
    type: 'InitiativeApproved',
    data: { initiativeId, proposalVersion, approvals, abstentions },
    metadata,
  };
  const rejected = (
    reason: 'rejected-by-state' | 'quorum-unreachable' | 'no-approvals',
  ): InitiativeEvent => ({
    type: 'InitiativeRejected',
    data: { initiativeId, proposalVersion, reason, rejectingStates: rejections },
    metadata,
  });

  switch (approvalRule.kind) {
    case 'unanimity':
      if (rejections.length > 0) return rejected('rejected-by-state');
      if (undecided > 0) return null;
      return approvals.length > 0 ? approved : rejected('no-approvals');
    case 'quorum':
      if (approvals.length >= approvalRule.minApprovals) return approved;
      return approvals.length + undecided < approvalRule.minApprovals ? rejected('quorum-unreachable') : null;
    default:
      return assertNever(approvalRule);
  }
}

function requestChanges(command: RequestChanges, initiative: Initiative): InitiativeEvent[] {
  const { data, metadata } = command;
  requireOwnParticipatingState(metadata.actor, data.state);
  requireStatus(initiative, ['awaiting-sign-offs'], 'request changes to');
  requireBeforeDeadline(initiative, metadata.now);
  requireCurrentVersion(initiative, data.proposalVersion);
  return [
    {
      type: 'ChangesRequested',
      data: {
        initiativeId: initiative.initiativeId,
        state: data.state,
        proposalVersion: data.proposalVersion,
        comment: data.comment,
      },
      metadata: eventMetadata(metadata),
    },
  ];
}

function amend(command: AmendInitiative, initiative: Initiative, parties: Parties): InitiativeEvent[] {
  const { data, metadata } = command;
  if (!mayManage(metadata.actor, initiative))
    forbidden("Only the secretariat or the proposing state's focal point may amend an initiative");
  requireStatus(initiative, ['awaiting-sign-offs', 'changes-requested'], 'amend');
  requireCurrentVersion(initiative, data.proposalVersion);

  const changes = effectiveChanges(initiative, data.changes);
  if (Object.keys(changes).length === 0)
    throw new DomainError('validation-failed', 'The amendment changes nothing', [
      { field: 'body', message: 'at least one field must differ from the current proposal' },
    ]);
  const problems = proposalProblems({ ...initiative, ...changes }, parties, metadata.now);
  if (problems.length > 0)
    throw new DomainError('validation-failed', 'The amended proposal breaks the rules', problems);
  return [
    {
      type: 'InitiativeAmended',
      data: {
        initiativeId: initiative.initiativeId,
        proposalVersion: initiative.proposalVersion + 1,
        changes,
      },
      metadata: eventMetadata(metadata),
    },
  ];
}

/** Only the fields that really differ from the current proposal. */
function effectiveChanges(initiative: Initiative, requested: ProposalChanges): ProposalChanges {
  const changes: Record<string, unknown> = {};
  for (const field of AMENDABLE_FIELDS) {
    const value = requested[field];
    if (value === undefined) continue;
    const current = initiative[field];
    const unchanged =
      field === 'participatingStates'
        ? sameSet(current as string[], value as string[])
        : field === 'signOffDeadline'
          ? parseInstant(current as string) === parseInstant(value as string)
          : field === 'requestedFunding'
            ? sameMoney(current as Initiative['requestedFunding'], value as Initiative['requestedFunding'])
            : JSON.stringify(current) === JSON.stringify(value);
    if (!unchanged) changes[field] = value;
  }
  return changes as ProposalChanges;
}

function withdraw(command: WithdrawInitiative, initiative: Initiative): InitiativeEvent[] {
  const { data, metadata } = command;
  if (!mayManage(metadata.actor, initiative))
    forbidden("Only the secretariat or the proposing state's focal point may withdraw an initiative");
  requireStatus(initiative, ['awaiting-sign-offs', 'changes-requested', 'approved'], 'withdraw');
  return [
    {
      type: 'InitiativeWithdrawn',
      data: { initiativeId: initiative.initiativeId, reason: data.reason },
      metadata: eventMetadata(metadata),
    },
  ];
}

/** Issued by the scheduler, possibly late or twice: anything but a due, open initiative is left alone. */
function expire(command: ExpireSignOffs, initiative: Initiative): InitiativeEvent[] {
  const { metadata } = command;
  if (metadata.actor.role !== 'system') forbidden('Only the system expires sign-offs');
  const open = initiative.status === 'awaiting-sign-offs' || initiative.status === 'changes-requested';
  if (!open || metadata.now.getTime() < parseInstant(initiative.signOffDeadline)) return [];
  return [
    {
      type: 'SignOffDeadlineExpired',
      data: {
        initiativeId: initiative.initiativeId,
        proposalVersion: initiative.proposalVersion,
        deadline: initiative.signOffDeadline,
        pendingStates: unsignedStates(initiative),
      },
      metadata: eventMetadata(metadata),
    },
  ];
}

function recordFundingDecision(command: RecordFundingDecision, initiative: Initiative): InitiativeEvent[] {
  const { data, metadata } = command;
  if (metadata.actor.role !== 'fund-board') forbidden('Only the fund board records funding decisions');
  requireStatus(initiative, ['approved'], 'record a funding decision for');
  const { amount, currency } = fundedAmount(data, initiative);
  return [
    {
      type: 'FundingDecisionRecorded',
      data: {
        initiativeId: initiative.initiativeId,
        decision: data.decision,
        amount,
        currency,
        fundingBody: data.fundingBody,
        conditions: data.conditions,
      },
      metadata: eventMetadata(metadata),
    },
  ];
}

function fundedAmount(
  data: RecordFundingDecision['data'],
  initiative: Initiative,
): { amount: string | null; currency: string | null } {
  const invalid = (field: string, message: string): never => {
    throw new DomainError('validation-failed', 'The funding decision breaks the rules', [{ field, message }]);
  };
  const requested = initiative.requestedFunding;
  const { decision, amount, currency } = data;
  if (decision === 'declined') {
    if (amount !== null || currency !== null)
      invalid('amount', 'a declined decision carries no amount or currency');
    return { amount: null, currency: null };
  }
  if (amount === null && currency === null) {
    if (decision === 'granted' && requested) return { ...requested };
    invalid('amount', `a ${decision} decision needs an amount and a currency`);
  }
  const problems = moneyProblems('', amount, currency);
  if (problems.length > 0)
    throw new DomainError('validation-failed', 'The funding decision breaks the rules', problems);
  const granted = { amount: amount as string, currency: currency as string };
  if (
    decision === 'partially-granted' &&
    requested?.currency === granted.currency &&
    amountInCents(granted.amount) >= amountInCents(requested.amount)
  )
    invalid(
      'amount',
      `a partial grant must be below the requested ${requested.amount} ${requested.currency}`,
    );
  return granted;
}
