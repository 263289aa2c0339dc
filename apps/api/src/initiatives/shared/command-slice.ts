import { applyDecorators, Controller, Injectable, Post, UseInterceptors } from '@nestjs/common';
import { Command } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { InitiativeCommand } from '@accord/domain';
import { AnswerStatus } from '../../http/answer-status';
import { ApiCommand, LOCATION_HEADER } from '../../http/openapi';
import { ProblemCode } from '../../http/problem';
import { CommandRequest } from '../../http/request-context';
import { CommandExecutor, CommandResponse, CommandResult } from './command-executor';
import { commandMetadata } from './command-mapping';
import { CommandResultDto } from './responses';

/** A slice's command on the bus: the initiative it addresses, its validated body, and what HTTP adds to it. */
export abstract class InitiativeRequest<Body> extends Command<CommandResponse> {
  constructor(
    readonly initiativeId: string,
    readonly body: Body,
    readonly request: CommandRequest,
  ) {
    super();
  }
}

/** A domain command before the actor and the time of its request are bound to it. */
export type UnboundCommand = InitiativeCommand extends infer Each
  ? Each extends InitiativeCommand
    ? Omit<Each, 'metadata'>
    : never
  : never;

/**
 * A slice's handler maps its request to the domain command, nothing more; running it (If-Match, Idempotency-Key,
 * read → decide → append, metrics) is the same for every slice.
 */
@Injectable()
export abstract class InitiativeRequestHandler<Request extends InitiativeRequest<unknown>> {
  constructor(private readonly executor: CommandExecutor) {}

  execute(request: Request): Promise<CommandResponse> {
    const command = { ...this.toDomain(request), metadata: commandMetadata(request.request) };
    return this.executor.execute(request.initiativeId, command as InitiativeCommand, request.request);
  }

  protected abstract toDomain(request: Request): UnboundCommand;
}

/** The controller of a command slice: under /v1/initiatives, documented with the commands. */
export const CommandController = () => applyDecorators(ApiTags('commands'), Controller('v1/initiatives'));

export interface CommandRouteOptions {
  summary: string;
  /** The problems this command answers besides those every command can (see `ApiCommand`). */
  problems: ProblemCode[];
  /** What a 200 means for this command. */
  repeated?: string;
  /** Answer `Location: /v1/initiatives/{id}` (the initiative a proposal created). */
  location?: true;
}

/**
 * A command's route: POST, 201 when it appended and 200 for an idempotent repeat, with the body of
 * `CommandResult`; the route's method returns the `CommandResponse` of the bus.
 */
export function CommandRoute(path: string, options: CommandRouteOptions) {
  const headers = options.location ? { Location: LOCATION_HEADER } : undefined;
  return applyDecorators(
    Post(path),
    ApiOperation({ summary: options.summary }),
    ...(path.includes(':id') ? [ApiParam({ name: 'id', format: 'uuid' })] : []),
    ApiCreatedResponse({ type: CommandResultDto, headers }),
    ApiOkResponse({
      type: CommandResultDto,
      description: options.repeated ?? 'An idempotent repeat: nothing appended',
      headers,
    }),
    ApiCommand(...options.problems),
    UseInterceptors(
      new AnswerStatus<CommandResult>(
        options.location ? (body) => `/v1/initiatives/${body.initiativeId}` : undefined,
      ),
    ),
  );
}
