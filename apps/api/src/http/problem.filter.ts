import { ArgumentsHost, Catch, ExceptionFilter, HttpException, NotFoundException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isDomainError } from '@accord/domain';
import {
  CorruptEventError,
  EventStoreUnavailableError,
  RevisionMismatchError,
  TooMuchContentionError,
} from '@accord/event-store';
import { AuthenticationError } from '@accord/auth';
import { TOKEN_REFUSED } from './auth.guard';
import { bodyAbandoned } from './client-error';
import { methodNotAllowed } from './method-not-allowed';
import { Problem, problem, ProblemException } from './problem';
import { securityHeaders } from './security-headers';

interface Answer {
  body: Problem;
  headers?: Record<string, string>;
}

/**
 * Every error leaves as RFC 9457 problem+json with a stable code. Only this layer maps codes to statuses;
 * unexpected errors are logged with their stack and answered without any of it.
 */
export function toProblem(error: unknown): Answer {
  if (error instanceof ProblemException)
    return { body: problem(error.code, error.detail, error.errors), headers: error.headers };
  if (isDomainError(error)) return { body: problem(error.code, error.message, error.errors) };
  if (error instanceof AuthenticationError) return { body: problem('unauthenticated', TOKEN_REFUSED) };
  if (error instanceof RevisionMismatchError) return { body: problem('revision-mismatch', error.message) };
  if (error instanceof TooMuchContentionError)
    return {
      body: problem('unavailable', 'The initiative is too busy right now; try again'),
      headers: { 'retry-after': '1' },
    };
  if (error instanceof EventStoreUnavailableError)
    return {
      body: problem('unavailable', 'The event store is unavailable'),
      headers: { 'retry-after': '5' },
    };
  if (error instanceof CorruptEventError) return { body: storedEventDamaged(error.revision) };
  const fastifyAnswer = fromFastifyError(error);
  if (fastifyAnswer) return fastifyAnswer;
  if (error instanceof HttpException) return fromHttpException(error);
  return { body: problem('internal-error', 'An unexpected error occurred') };
}

const notJson = problem('unsupported-media-type', 'The body must be JSON (Content-Type: application/json)');

/** Errors Fastify raises before a route runs: body parsing, size and media type. */
export function storedEventDamaged(revision: number): Problem {
  return problem(
    'stored-event-damaged',
    `The stored event at revision ${revision} of this initiative is damaged; the events before it can be read`,
  );
}

function fromFastifyError(error: unknown): Answer | null {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== 'string' || !code.startsWith('FST_')) return null;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return { body: problem('payload-too-large', 'The request body exceeds 64 KiB') };
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return { body: notJson };
  if (
    code.startsWith('FST_ERR_CTP_') ||
    code === 'FST_ERR_INVALID_JSON' ||
    code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
  )
    return { body: problem('validation-failed', 'The body is not valid JSON') };
  const status = (error as { statusCode?: number }).statusCode ?? 500;
  if (status === 413) return { body: problem('payload-too-large', 'The request body exceeds 64 KiB') };
  if (status >= 400 && status < 500)
    return { body: problem('validation-failed', 'The request is malformed') };
  return null;
}

function fromHttpException(error: HttpException): Answer {
  const status = error.getStatus();
  if (status === 404) return { body: problem('not-found', 'No such route') };
  if (status === 413) return { body: problem('payload-too-large', 'The request body exceeds 64 KiB') };
  // Fastify's FST_ERR_CTP_INVALID_MEDIA_TYPE, as Nest hands it on: a body with no parser.
  if (status === 415) return { body: notJson };
  if (status === 429)
    return { body: problem('too-many-requests', 'Rate limit exceeded'), headers: { 'retry-after': '60' } };
  if (status === 401) return { body: problem('unauthenticated', 'Authentication is required') };
  if (status === 403) return { body: problem('forbidden', 'This action is not allowed') };
  if (status >= 400 && status < 500)
    return { body: problem('validation-failed', 'The request is malformed') };
  return { body: problem('internal-error', 'An unexpected error occurred') };
}

export function sendProblem(reply: FastifyReply, answer: Answer): void {
  // Also for answers given where no onRequest hook ran: a URL the router cannot take or cannot decode.
  securityHeaders(reply.request, reply);
  void reply
    .status(answer.body.status)
    .headers(answer.headers ?? {})
    .type('application/problem+json')
    .send(answer.body);
}

export function logProblem(request: FastifyRequest, error: unknown, answer: Answer): void {
  if (bodyAbandoned(error, request))
    request.log.info({ code: (error as { code?: string }).code }, 'request body abandoned by the client');
  else if (
    answer.body.status >= 500 &&
    answer.body.code !== 'unavailable' &&
    answer.body.code !== 'projection-lagging'
  )
    request.log.error({ err: error, code: answer.body.code }, 'request failed');
  else request.log.info({ code: answer.body.code, status: answer.body.status }, 'request refused');
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    // Nest's answer when the router found no route: 405 if the path has routes for other methods.
    const unrouted = error instanceof NotFoundException && request.is404;
    const answer = bodyAbandoned(error, request)
      ? { body: problem('validation-failed', 'The request body ended before its Content-Length') }
      : (unrouted && methodNotAllowed(request)) || toProblem(error);
    logProblem(request, error, answer);
    sendProblem(http.getResponse<FastifyReply>(), answer);
  }
}
