import { CommandHandler } from '@nestjs/cqrs';
import { InitiativeRequest, InitiativeRequestHandler, UnboundCommand } from '../shared/command-slice';
import { WithdrawInitiativeDto } from './withdraw-initiative.dto';

export class WithdrawInitiativeCommand extends InitiativeRequest<WithdrawInitiativeDto> {}

@CommandHandler(WithdrawInitiativeCommand)
export class WithdrawInitiativeHandler extends InitiativeRequestHandler<WithdrawInitiativeCommand> {
  protected toDomain({ initiativeId, body }: WithdrawInitiativeCommand): UnboundCommand {
    return { type: 'WithdrawInitiative', data: { initiativeId, reason: body.reason } };
  }
}
