import { Body } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { CommandRequest, CommandRequestContext } from '../../http/request-context';
import { CommandController, CommandRoute } from '../shared/command-slice';
import { ProposeInitiativeCommand } from './propose-initiative.command';
import { ProposeInitiativeDto } from './propose-initiative.dto';

@CommandController()
export class ProposeInitiativeController {
  constructor(private readonly commandBus: CommandBus) {}

  @CommandRoute('', {
    summary: 'Propose an initiative (focal point of the proposing state, or the secretariat)',
    problems: ['already-exists'],
    repeated: 'The identical proposal again: nothing appended',
    location: true,
  })
  propose(@Body() proposal: ProposeInitiativeDto, @CommandRequestContext() request: CommandRequest) {
    const initiativeId = proposal.initiativeId ?? randomUUID();
    return this.commandBus.execute(new ProposeInitiativeCommand(initiativeId, proposal, request));
  }
}
