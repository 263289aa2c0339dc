import { CommandHandler } from '@nestjs/cqrs';
import { InitiativeRequest, InitiativeRequestHandler, UnboundCommand } from '../shared/command-slice';
import { RecordSignOffDto } from './record-sign-off.dto';

export class RecordSignOffCommand extends InitiativeRequest<RecordSignOffDto> {}

@CommandHandler(RecordSignOffCommand)
export class RecordSignOffHandler extends InitiativeRequestHandler<RecordSignOffCommand> {
  protected toDomain({ initiativeId, body }: RecordSignOffCommand): UnboundCommand {
    const { state, decision, proposalVersion, comment, proposalHash } = body;
    return {
      type: 'RecordNationalSignOff',
      data: {
        initiativeId,
        state,
        decision,
        proposalVersion,
        comment: comment ?? null,
        proposalHash: proposalHash ?? null,
      },
    };
  }
}
