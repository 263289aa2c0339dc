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
import { EventMetadata, InitiativeEvent, SignatureRef } from './events';
import { amountInCents, moneyProblems, parseInstant, proposalProblems, sameMoney } from './proposal-rules';
import {
  evolve,
  Initiative,
  initialState,
  InitiativeState,
  isProposed,
  isVisibleTo,
  unsignedStates,
} from './state';
import { AMENDABLE_FIELDS, Actor, ProposalChanges, ProposalText, proposalTextOf } from './types';

export type InitiativeDecider = Decider<InitiativeCommand, InitiativeEvent, InitiativeState>;

/**
 * What the decider is given besides commands and state: the organisation's parties, and how a proposal's text is
 * hashed (docs/trust.md, `proposalHash`) — a pure function the runtime brings, so that the domain needs no crypto.
 */
export interface DecisionContext {
  parties: Parties;
  proposalHash: (proposal: ProposalText) => string;
}

export function initiativeDecider(context: DecisionContext): InitiativeDecider {
  return {
    authorize: (command, state) => authorize(command, state, context.parties),
    decide: (command, state) => decide(command, state, context),
    evolve,
    initialState,
  };
}

export function decide(
  command: InitiativeCommand,
  state: InitiativeState,
  { parties, proposalHash }: DecisionContext,
): InitiativeEvent[] {
  authorize(command, state, parties);
  if (command.type === 'ProposeInitiative') return propose(command, state, parties);
  const initiative = state as Initiative;
  const asDecided = asOf(initiative, command.metadata.now);
  switch (command.type) {
    case 'RecordNationalSignOff':
      requireCurrentText(asDecided, command.data.proposalHash, proposalHash);
      return recordSignOff(command, asDecided);
    case 'RequestChanges':
      requireCurrentText(asDecided, command.data.proposalHash, proposalHash);
      return requestChanges(command, asDecided);
    case 'AmendInitiative':
      return amend(command, asDecided, parties);
    case 'WithdrawInitiative':
      return withdraw(command, asDecided);
    case 'ExpireSignOffs':
      return expire(command, initiative);
    case 'RecordFundingDecision':
      return recordFundingDecision(command, asDecided);
    default:
      return assertNever(command);
  }
}

/**
 * Whether the actor may issue this command on this initiative at all: visibility first, then role and country.
 * Decided before anything else, a precondition such as `If-Match` included, so that a refusal never tells a caller
 * more than "not found" or "forbidden".
 */
export function authorize(command: InitiativeCommand, state: InitiativeState, parties: Parties): void {
  const { actor } = command.metadata;
  if (command.type === 'ProposeInitiative') return authorizeProposal(command, parties);
  const initiative = visibleInitiative(state, actor);
  switch (command.type) {
    case 'RecordNationalSignOff':
    case 'RequestChanges':
      return requireOwnParticipatingState(actor, command.data.state, initiative);
    case 'AmendInitiative':
      if (!mayManage(actor, initiative))
        forbidden("Only the secretariat or the proposing state's focal point may amend an initiative");
      return;
    case 'WithdrawInitiative':
      if (!mayManage(actor, initiative))
        forbidden("Only the secretariat or the proposing state's focal point may withdraw an initiative");
      return;
    case 'ExpireSignOffs':
      if (actor.role !== 'system') forbidden('Only the system expires sign-offs');
      return;
    case 'RecordFundingDecision':
      if (actor.role !== 'fund-board') forbidden('Only the fund board records funding decisions');
      return;
    default:
      return assertNever(command);
  }
}

/**
 * The initiative as a command decided at `now` sees it: an open version whose deadline has come is expired, whether
 * or not the scheduler has recorded it yet, so that no command's outcome depends on when the scheduler ran.
 */
function asOf(initiative: Initiative, now: Date): Initiative {
  return isOverdue(initiative, now) ? { ...initiative, status: 'expired' } : initiative;
}

function isOverdue(initiative: Initiative, now: Date): boolean {
  const open = initiative.status === 'awaiting-sign-offs' || initiative.status === 'changes-requested';
  return open && now.getTime() >= parseInstant(initiative.signOffDeadline);
}

function eventMetadata({ actor, now }: CommandMetadata): EventMetadata {
  return { actor, occurredAt: now.toISOString() };
}

/** The event that records a command carries its signature; its consequences (approval, rejection) carry none. */
function signatureOf({ signature }: CommandMetadata): SignatureRef | null {
  return signature ?? null;
}

/** A focal point sees only the initiatives its country takes or took part in: any other is "not found". */
function visibleInitiative(state: InitiativeState, actor: Actor): Initiative {
  if (!isProposed(state) || !isVisibleTo(actor, state))
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

/** A sign-off or change request that names the hash of the text it decides on decides on the current text. */
function requireCurrentText(
  initiative: Initiative,
  named: string | null,
  proposalHash: DecisionContext['proposalHash'],
): void {
  if (named !== null && named !== proposalHash(proposalTextOf(initiative)))
    throw new DomainError(
      'stale-proposal-version',
      `The proposal hash ${named} is not the current text's (version ${initiative.proposalVersion})`,
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

/** Sign-offs and change requests answer an open version, before its deadline. */
function requireOpenForAnswers(
  initiative: Initiative,
  allowed: readonly Initiative['status'][],
  action: string,
): void {
  if (initiative.status === 'expired')
    throw new DomainError(
      'deadline-passed',
      `The sign-off deadline ${initiative.signOffDeadline} has passed`,
    );
  requireStatus(initiative, allowed, action);
}

function requireOwnParticipatingState(actor: Actor, state: string, initiative: Initiative): void {
  if (actor.role !== 'focal-point') forbidden('Only a national focal point acts for a state');
  if (actor.country !== state) forbidden(`A focal point of ${actor.country} cannot act for ${state}`);
  if (!initiative.participatingStates.includes(state))
    forbidden(`${state} no longer takes part in this initiative`);
}

function authorizeProposal(
  { data: proposal, metadata: { actor } }: ProposeInitiative,
  parties: Parties,
): void {
  if (actor.role === 'focal-point' && !parties.isMember(actor.country ?? ''))
    forbidden('Only the focal point of a member state may propose an initiative');
  if (
    actor.role !== 'secretariat' &&
    !(actor.role === 'focal-point' && actor.country === proposal.proposingState)
  )
    forbidden("Only the secretariat or the proposing state's focal point may propose an initiative");
}

function propose(command: ProposeInitiative, state: InitiativeState, parties: Parties): InitiativeEvent[] {
  const { data: proposal, metadata } = command;
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
      data: { ...proposal, proposalVersion: 1, signature: signatureOf(metadata) },
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
  const earlier = initiative.signOffs.find(
    (signOff) => signOff.state === data.state && signOff.proposalVersion === data.proposalVersion,
  );
  if (earlier && earlier.decision === data.decision && earlier.comment === data.comment) return [];
  requireOpenForAnswers(initiative, ['awaiting-sign-offs'], 'sign off');
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
      proposalHash: data.proposalHash,
      signature: signatureOf(metadata),
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
    data: { initiativeId, proposalVersion, approvals, abstentions, signature: null },
    metadata,
  };
  const rejected = (
    reason: 'rejected-by-state' | 'quorum-unreachable' | 'no-approvals',
  ): InitiativeEvent => ({
    type: 'InitiativeRejected',
    data: { initiativeId, proposalVersion, reason, rejectingStates: rejections, signature: null },
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

/**
 * Any participant that has not signed the current version may ask for changes to it, also while others already
 * asked; asking again in the same words adds nothing.
 */
function requestChanges(command: RequestChanges, initiative: Initiative): InitiativeEvent[] {
  const { data, metadata } = command;
  const earlier = initiative.changeRequests.find(
    (request) => request.state === data.state && request.proposalVersion === initiative.proposalVersion,
  );
  if (earlier && data.proposalVersion === earlier.proposalVersion && earlier.comment === data.comment)
    return [];
  requireOpenForAnswers(initiative, ['awaiting-sign-offs', 'changes-requested'], 'request changes to');
  requireCurrentVersion(initiative, data.proposalVersion);
  const signed = initiative.signOffs.find((signOff) => signOff.state === data.state);
  if (signed)
    throw new DomainError(
      'already-signed',
      `${data.state} already signed version ${data.proposalVersion} with "${signed.decision}": it cannot request changes to it`,
    );
  if (earlier)
    throw new DomainError(
      'already-signed',
      `${data.state} already requested changes to version ${data.proposalVersion} in other words`,
    );
  return [
    {
      type: 'ChangesRequested',
      data: {
        initiativeId: initiative.initiativeId,
        state: data.state,
        proposalVersion: data.proposalVersion,
        comment: data.comment,
        proposalHash: data.proposalHash,
        signature: signatureOf(metadata),
      },
      metadata: eventMetadata(metadata),
    },
  ];
}

function amend(command: AmendInitiative, initiative: Initiative, parties: Parties): InitiativeEvent[] {
  const { data, metadata } = command;
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
        signature: signatureOf(metadata),
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
  if (initiative.status === 'withdrawn' && initiative.withdrawalReason === data.reason) return [];
  requireStatus(initiative, ['awaiting-sign-offs', 'changes-requested', 'approved'], 'withdraw');
  return [
    {
      type: 'InitiativeWithdrawn',
      data: { initiativeId: initiative.initiativeId, reason: data.reason, signature: signatureOf(metadata) },
      metadata: eventMetadata(metadata),
    },
  ];
}

/** Issued by the scheduler, possibly late or twice: anything but a due, open initiative is left alone. */
function expire(command: ExpireSignOffs, initiative: Initiative): InitiativeEvent[] {
  const { metadata } = command;
  if (!isOverdue(initiative, metadata.now)) return [];
  return [
    {
      type: 'SignOffDeadlineExpired',
      data: {
        initiativeId: initiative.initiativeId,
        proposalVersion: initiative.proposalVersion,
        deadline: initiative.signOffDeadline,
        pendingStates: unsignedStates(initiative),
        signature: null,
      },
      metadata: eventMetadata(metadata),
    },
  ];
}

function recordFundingDecision(command: RecordFundingDecision, initiative: Initiative): InitiativeEvent[] {
  const { data, metadata } = command;
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
        signature: signatureOf(metadata),
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
  if (!requested) return granted;
  if (granted.currency !== requested.currency)
    invalid('currency', `must be the requested currency, ${requested.currency}`);
  const grantedCents = amountInCents(granted.amount);
  const requestedCents = amountInCents(requested.amount);
  const asked = `the requested ${requested.amount} ${requested.currency}`;
  if (grantedCents > requestedCents) invalid('amount', `no more than ${asked} can be granted`);
  if (decision === 'granted' && grantedCents < requestedCents)
    invalid('amount', `a grant of less than ${asked} is partially-granted`);
  if (decision === 'partially-granted' && grantedCents === requestedCents)
    invalid('amount', `a partial grant must be below ${asked}`);
  return decision === 'granted' ? { ...requested } : granted;
}
