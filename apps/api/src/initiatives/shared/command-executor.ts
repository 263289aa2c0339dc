import { Inject, Injectable } from '@nestjs/common';
import {
  InitiativeCommand,
  initiativeStreamId,
  InitiativeState,
  isDomainError,
  isProposed,
} from '@accord/domain';
import { CommandOutcome, EventStore, IdempotencyRecord } from '@accord/event-store';
import { InitiativeDecisionHandler } from '../../infrastructure/infrastructure';
import { EVENT_STORE, INITIATIVE_DECISION_HANDLER, METRICS } from '../../infrastructure/tokens';
import { AccordMetrics } from '@accord/runtime';
import { CommandRequest, IdempotentRequest } from '../../http/request-context';
import { Problem, ProblemException } from '../../http/problem';
import { toProblem } from '../../http/problem.filter';
import { Signatures } from './signatures';

export interface CommandResult {
  initiativeId: string;
  /** Stream revision (0-based) of the last event written. */
  revision: number;
  proposalVersion: number;
  status: string;
}

/** 201 when the command wrote events; 200 when it was an idempotent repeat that wrote nothing. */
export interface CommandResponse {
  status: 200 | 201;
  body: CommandResult;
}

/**
 * Runs an initiative command for an HTTP request: the generic read → decide → append of the command
 * handler, plus what HTTP adds to it — `If-Match` and `Idempotency-Key`.
 *
 * Under an `Idempotency-Key`, the first decision is the answer for good: an accepted command's, and a refusal by a
 * domain rule's as well, so that a retry after the initiative changed cannot turn a refusal into an append. What was
 * refused before deciding (authentication, validation of the request, rate limit, `If-Match`) is not remembered.
 */
@Injectable()
export class CommandExecutor {
  constructor(
    @Inject(INITIATIVE_DECISION_HANDLER) private readonly handler: InitiativeDecisionHandler,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(METRICS) private readonly metrics: AccordMetrics,
    private readonly signatures: Signatures,
  ) {}

  async execute(
    initiativeId: string,
    command: InitiativeCommand,
    request: CommandRequest,
  ): Promise<CommandResponse> {
    try {
      const response = await this.run(initiativeId, command, request);
      this.metrics.commands.inc({
        type: command.type,
        outcome: response.status === 201 ? 'appended' : 'unchanged',
      });
      return response;
    } catch (error) {
      // Counted under the problem code the API answers with, by the mapping that answers it: revision-mismatch,
      // unavailable for contention or an unreachable store, internal-error for what nobody expected.
      this.metrics.commands.inc({ type: command.type, outcome: toProblem(error).body.code });
      throw error;
    }
  }

  private async run(
    initiativeId: string,
    command: InitiativeCommand,
    request: CommandRequest,
  ): Promise<CommandResponse> {
    const { idempotency, principal } = request;
    const answered = (
      { key, requestHash }: IdempotentRequest,
      status: number,
      body: object,
    ): IdempotencyRecord => ({
      sub: principal.sub,
      key,
      requestHash,
      status,
      body: JSON.stringify(body),
      createdAt: request.receivedAt.toISOString(),
    });
    const remembered = (
      idempotent: IdempotentRequest,
      status: 200 | 201,
      outcome: CommandOutcome<InitiativeState>,
    ): IdempotencyRecord => answered(idempotent, status, resultOf(initiativeId, outcome));

    // A retry is answered as the first time, even once its signature's iat has grown old.
    const first = idempotency ? await this.recall(principal.sub, idempotency) : null;
    if (first) return first;
    const signature = await this.signatures.verify(initiativeId, command, request);
    const signed = { ...command, metadata: { ...command.metadata, signature } } as InitiativeCommand;

    let result;
    try {
      result = await this.handler.handle(initiativeStreamId(initiativeId), signed, {
        correlationId: request.correlationId,
        causationId: request.correlationId,
        idempotencyKey: idempotency?.key ?? null,
        expectedRevision: request.expectedRevision,
        recall: idempotency ? () => this.recall(principal.sub, idempotency) : undefined,
        remember: idempotency ? (outcome) => remembered(idempotency, 201, outcome) : undefined,
      });
    } catch (error) {
      if (!idempotency || !isDomainError(error)) throw error;
      const refusal = toProblem(error).body;
      await this.store.saveIdempotencyRecord(answered(idempotency, refusal.status, refusal));
      return this.firstAnswer(principal.sub, idempotency, () => {
        throw error;
      });
    }
    if (result.kind === 'recalled') return result.answer;

    this.metrics.eventsAppended.inc(result.appended);
    if (result.appended > 0) return { status: 201, body: resultOf(initiativeId, result) };
    if (!idempotency) return { status: 200, body: resultOf(initiativeId, result) };
    await this.store.saveIdempotencyRecord(remembered(idempotency, 200, result));
    return this.firstAnswer(principal.sub, idempotency, () => ({
      status: 200,
      body: resultOf(initiativeId, result),
    }));
  }

  /** A concurrent twin may have been remembered first: its answer is the one to give. */
  private async firstAnswer(
    sub: string,
    idempotency: IdempotentRequest,
    own: () => CommandResponse,
  ): Promise<CommandResponse> {
    return (await this.recall(sub, idempotency)) ?? own();
  }

  private async recall(
    sub: string,
    { key, requestHash }: IdempotentRequest,
  ): Promise<CommandResponse | null> {
    const record = await this.store.findIdempotencyRecord(sub, key);
    if (!record) return null;
    if (record.requestHash !== requestHash)
      throw new ProblemException(
        'idempotency-key-reused',
        'This Idempotency-Key was used with another request',
      );
    if (record.status >= 400) {
      const refusal = JSON.parse(record.body) as Problem;
      throw new ProblemException(refusal.code, refusal.detail, refusal.errors);
    }
    return { status: record.status as 200 | 201, body: JSON.parse(record.body) };
  }
}

function resultOf(initiativeId: string, { state, revision }: CommandOutcome<InitiativeState>): CommandResult {
  if (!isProposed(state)) throw new Error('A command that succeeded left no initiative');
  return { initiativeId, revision, proposalVersion: state.proposalVersion, status: state.status };
}
