import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Parties, cosignaturesStreamId, RecordCosignature } from '@accord/domain';
import { cosignatureVerifier, openCheckpoint, OpenedCheckpoint, verifyCosignatureLine } from '@accord/tlog';
import { CosignaturesDecisionHandler } from '../../infrastructure/infrastructure';
import { COSIGNATURES_DECISION_HANDLER, PARTIES } from '../../infrastructure/tokens';
import { ProblemException } from '../../http/problem';
import { CommandRequest } from '../../http/request-context';
import { TransparencyLog } from '../shared/transparency-log';
import { CosignatureResultDto, RecordCosignatureDto } from './record-cosignature.dto';

export interface CosignatureResponse {
  status: 200 | 201;
  body: CosignatureResultDto;
}

export class RecordCosignatureCommand extends Command<CosignatureResponse> {
  constructor(
    readonly body: RecordCosignatureDto,
    readonly request: CommandRequest,
  ) {
    super();
  }
}

/**
 * A witness's cosignature is recorded only over a checkpoint this log signed, and only when it verifies under one
 * of the witness keys the parties file names for the witness's state; a repeat records nothing.
 */
@CommandHandler(RecordCosignatureCommand)
export class RecordCosignatureHandler implements ICommandHandler<RecordCosignatureCommand> {
  constructor(
    private readonly log: TransparencyLog,
    @Inject(PARTIES) private readonly parties: Parties,
    @Inject(COSIGNATURES_DECISION_HANDLER) private readonly handler: CosignaturesDecisionHandler,
  ) {}

  async execute({ body, request }: RecordCosignatureCommand): Promise<CosignatureResponse> {
    const { principal } = request;
    if (principal.role !== 'witness' || principal.country === null)
      throw new ProblemException('forbidden', 'Only a witness cosigns checkpoints');
    const country = principal.country;
    const opened = this.logCheckpoint(body.checkpoint);
    const line = body.cosignature.trim();
    const cosigned = this.witnessCosignature(opened, line, this.parties.witnessKeysOf(country));
    if (!cosigned)
      throw new ProblemException(
        'invalid-signature',
        `The cosignature does not verify under a witness key of ${country} over this checkpoint`,
      );
    const data: RecordCosignature['data'] = {
      treeSize: opened.checkpoint.size,
      rootHash: opened.checkpoint.rootHash.toString('base64'),
      country,
      witness: cosigned.witness,
      cosignature: line,
      timestamp: cosigned.timestamp,
    };
    const result = await this.handler.handle(
      cosignaturesStreamId(data.treeSize),
      { type: 'RecordCosignature', data, metadata: { actor: principal, now: request.receivedAt } },
      { correlationId: request.correlationId, causationId: null, idempotencyKey: null },
    );
    const appended = result.kind === 'decided' && result.appended > 0;
    const { cosignature: _line, ...answer } = data;
    return { status: appended ? 201 : 200, body: answer };
  }

  private logCheckpoint(note: string): OpenedCheckpoint {
    try {
      return openCheckpoint(note, this.log.verifier);
    } catch (error) {
      throw new ProblemException(
        'invalid-signature',
        `Not a checkpoint this log signed: ${(error as Error).message}`,
      );
    }
  }

  private witnessCosignature(
    opened: OpenedCheckpoint,
    line: string,
    witnessKeys: readonly string[],
  ): { witness: string; timestamp: number } | null {
    for (const vkey of witnessKeys) {
      const verifier = cosignatureVerifier(vkey);
      try {
        return { witness: verifier.name, timestamp: verifyCosignatureLine(opened.text, line, verifier) };
      } catch {
        // Another of the state's keys may have made it.
      }
    }
    return null;
  }
}
