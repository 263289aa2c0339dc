import { CommandHandler } from '@nestjs/cqrs';
import { InitiativeRequest, InitiativeRequestHandler, UnboundCommand } from '../shared/command-slice';
import { RequestChangesDto } from './request-changes.dto';

export class RequestChangesCommand extends InitiativeRequest<RequestChangesDto> {}

@CommandHandler(RequestChangesCommand)
export class RequestChangesHandler extends InitiativeRequestHandler<RequestChangesCommand> {
  protected toDomain({ initiativeId, body }: RequestChangesCommand): UnboundCommand {
    const { state, proposalVersion, comment, proposalHash } = body;
    return {
      type: 'RequestChanges',
      data: { initiativeId, state, proposalVersion, comment, proposalHash: proposalHash ?? null },
    };
  }
}
