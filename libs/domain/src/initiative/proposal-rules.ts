import { FieldError } from '../errors';
import { Parties } from '../parties/parties';
import { CATEGORIES, Money, Proposal } from './types';

/** A decimal string of at most 15 integer and 2 fraction digits: never a JSON number, so every language hashes it alike. */
export const AMOUNT = /^(0|[1-9]\d{0,14})(\.\d{1,2})?$/;
const CURRENCY = /^[A-Z]{3}$/;
/** ISO 3166-1 alpha-3, as the parties file names states. */
export const STATE_CODE = /^[A-Z]{3}$/;
/** An ISO 8601 instant with its offset. */
export const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
/** The lengths a proposal's texts may have, in characters. */
export const TEXT_LENGTHS = { title: { min: 3, max: 200 }, summary: { min: 1, max: 5000 } } as const;

/** An amount in hundredths, so amounts compare exactly. */
export function amountInCents(amount: string): bigint {
  const [units, fraction = ''] = amount.split('.');
  return BigInt(units) * 100n + BigInt(fraction.padEnd(2, '0'));
}

export function moneyProblems(field: string, amount: unknown, currency: unknown): FieldError[] {
  const problems: FieldError[] = [];
  if (typeof amount !== 'string' || !AMOUNT.test(amount) || amountInCents(amount) === 0n)
    problems.push({
      field: `${field}amount`,
      message: 'must be a positive decimal string with at most 2 fraction digits',
    });
  if (typeof currency !== 'string' || !CURRENCY.test(currency))
    problems.push({ field: `${field}currency`, message: 'must be an ISO 4217 currency code' });
  return problems;
}

export function parseInstant(value: string): number {
  return ISO_INSTANT.test(value) ? Date.parse(value) : Number.NaN;
}

/** Every rule a proposal must satisfy when proposed or amended, `now` being the command's time. */
export function proposalProblems(proposal: Proposal, parties: Parties, now: Date): FieldError[] {
  const problems: FieldError[] = [];
  const problem = (field: string, message: string) => problems.push({ field, message });
  const { title, summary, category, proposingState, participatingStates, approvalRule, signOffDeadline } =
    proposal;

  for (const [field, text] of [
    ['title', title],
    ['summary', summary],
  ] as const) {
    const { min, max } = TEXT_LENGTHS[field];
    if (typeof text !== 'string' || text.trim().length < min || text.length > max)
      problem(field, `must be ${min} to ${max.toLocaleString('en')} characters`);
  }
  if (!CATEGORIES.includes(category)) problem('category', `must be one of ${CATEGORIES.join(', ')}`);
  if (!parties.isMember(proposingState)) problem('proposingState', 'must be a member state');

  const distinct = new Set(participatingStates);
  if (distinct.size !== participatingStates.length) problem('participatingStates', 'must not repeat a state');
  if (distinct.size < 2) problem('participatingStates', 'must list at least 2 member states');
  for (const state of distinct)
    if (!parties.isMember(state)) problem('participatingStates', `${state} is not a member state`);
  if (!distinct.has(proposingState)) problem('participatingStates', 'must include the proposing state');

  if (approvalRule.kind === 'quorum') {
    const { minApprovals } = approvalRule;
    if (!Number.isInteger(minApprovals) || minApprovals < 2 || minApprovals > distinct.size)
      problem('approvalRule.minApprovals', 'must be between 2 and the number of participating states');
  }

  const deadline = parseInstant(signOffDeadline);
  if (Number.isNaN(deadline)) problem('signOffDeadline', 'must be an ISO 8601 instant');
  else if (deadline <= now.getTime()) problem('signOffDeadline', 'must be in the future');

  if (proposal.requestedFunding !== null) {
    const { amount, currency } = proposal.requestedFunding;
    problems.push(...moneyProblems('requestedFunding.', amount, currency));
  }
  return problems;
}

export function sameMoney(left: Money | null, right: Money | null): boolean {
  if (left === null || right === null) return left === right;
  return left.currency === right.currency && amountInCents(left.amount) === amountInCents(right.amount);
}
