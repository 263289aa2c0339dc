import { ApprovalRule, CommandMetadata } from '@accord/domain';
import { CommandRequest } from '../../http/request-context';
import { ApprovalRuleDto } from './fields';

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
