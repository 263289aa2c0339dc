import { ApprovalRule, CommandMetadata, Money } from '@accord/domain';
import { CommandRequest } from '../../http/request-context';
import { ApprovalRuleDto, MoneyDto } from './fields';

export function commandMetadata(request: CommandRequest): CommandMetadata {
  return { actor: request.principal, now: request.receivedAt };
}

export function approvalRuleOf(dto: ApprovalRuleDto): ApprovalRule {
  return dto.kind === 'quorum'
    ? { kind: 'quorum', minApprovals: dto.minApprovals as number }
    : { kind: 'unanimity' };
}

/** Instants are stored in one canonical form (UTC, milliseconds), whatever offset the client wrote. */
export function canonicalInstant(value: string): string {
  return new Date(value).toISOString();
}

/** Only the two fields of money, whatever else the request's object held. */
export function moneyOf(dto: MoneyDto | null): Money | null {
  return dto && { amount: dto.amount, currency: dto.currency };
}
