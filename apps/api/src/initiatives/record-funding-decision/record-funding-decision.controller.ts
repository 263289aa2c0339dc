import { Body, Param } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CommandRequest, CommandRequestContext } from '../../http/request-context';
import { initiativeIdPipe } from '../../http/validation';
import { CommandController, CommandRoute } from '../shared/command-slice';
import { RecordFundingDecisionCommand } from './record-funding-decision.command';
import { RecordFundingDecisionDto } from './record-funding-decision.dto';

@CommandController()
export class RecordFundingDecisionController {
  constructor(private readonly commandBus: CommandBus) {}

  @CommandRoute(':id/funding-decision', {
    summary: 'Record the funding decision of an approved initiative (fund board)',
    problems: ['not-found', 'invalid-status'],
  })
  handle(
    @Param('id', initiativeIdPipe) id: string,
    @Body() body: RecordFundingDecisionDto,
    @CommandRequestContext() request: CommandRequest,
  ) {
    return this.commandBus.execute(new RecordFundingDecisionCommand(id, body, request));
  }
}
