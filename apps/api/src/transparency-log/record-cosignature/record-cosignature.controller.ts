import { Body, Post, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AnswerStatus } from '../../http/answer-status';
import { ApiProblems } from '../../http/openapi';
import { CommandRequest, CommandRequestContext } from '../../http/request-context';
import { LogController } from '../shared/log-slice';
import { CosignatureResultDto, RecordCosignatureDto } from './record-cosignature.dto';
import { RecordCosignatureCommand } from './record-cosignature.command';

@LogController()
export class RecordCosignatureController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post('cosignatures')
  @ApiOperation({
    summary: "Record a witness's cosignature of a checkpoint (witnesses, for their own state)",
  })
  @ApiCreatedResponse({ type: CosignatureResultDto })
  @ApiOkResponse({
    type: CosignatureResultDto,
    description: 'A repeat: this key had cosigned this checkpoint',
  })
  @ApiProblems(
    'validation-failed',
    'invalid-signature',
    'forbidden',
    'payload-too-large',
    'unsupported-media-type',
  )
  @UseInterceptors(new AnswerStatus<CosignatureResultDto>())
  handle(@Body() body: RecordCosignatureDto, @CommandRequestContext() request: CommandRequest) {
    return this.commandBus.execute(new RecordCosignatureCommand(body, request));
  }
}
