import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { canonicalJson } from '@accord/audit';
import { Principal } from '@accord/auth';
import { AuthenticatedRequest } from './auth.guard';
import { ProblemException } from './problem';

/** From `Idempotency-Key`, with a hash of the request's content to tell a retry from another request under the key. */
export interface IdempotentRequest {
  key: string;
  requestHash: string;
}

/** What a command carries from its HTTP request besides its body. */
export interface CommandRequest {
  principal: Principal;
  correlationId: string;
  idempotency: IdempotentRequest | null;
  /** The body as it was sent (before validation shaped it): what a signature's statement must equal. */
  body: Record<string, unknown>;
  /** From `If-Match`: the stream revisions it names, or `'any'` for `*`. */
  expectedRevision: readonly number[] | 'any' | undefined;
  receivedAt: Date;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;
/** RFC 9110, section 13.1.1: `*`, or a list of strong entity tags (weak ones never match under strong comparison). */
const IF_MATCH_LIST = /^"[\x21\x23-\x7e\x80-\xff]*"(?:[ \t]*,[ \t]*"[\x21\x23-\x7e\x80-\xff]*")*$/;
const REVISION = /^(?:0|[1-9]\d{0,14})$/;

export function commandRequestOf(request: AuthenticatedRequest, receivedAt: Date): CommandRequest {
  const keyHeader = request.headers['idempotency-key'];
  const idempotencyKey = typeof keyHeader === 'string' ? keyHeader : null;
  if (keyHeader !== undefined && (idempotencyKey === null || !IDEMPOTENCY_KEY.test(idempotencyKey)))
    throw new ProblemException(
      'validation-failed',
      'Idempotency-Key must be 1 to 128 visible ASCII characters',
      [{ field: 'Idempotency-Key', message: 'must be 1 to 128 visible ASCII characters' }],
    );

  const ifMatch = request.headers['if-match'];
  const expectedRevision = ifMatch === undefined ? undefined : expectedRevisionOf(ifMatch);

  return {
    principal: request.principal,
    correlationId: String(request.id),
    body: (request.body ?? {}) as Record<string, unknown>,
    idempotency:
      idempotencyKey === null ? null : { key: idempotencyKey, requestHash: requestHashOf(request) },
    expectedRevision,
    receivedAt,
  };
}

/** The revisions an `If-Match` header names; a weak, unquoted or malformed tag is refused rather than never matched. */
function expectedRevisionOf(header: string | string[]): readonly number[] | 'any' {
  const value = typeof header === 'string' ? header.trim() : null;
  if (value === '*') return 'any';
  if (value === null || !IF_MATCH_LIST.test(value))
    throw new ProblemException(
      'validation-failed',
      'If-Match must be *, or strong entity tags naming stream revisions, such as "3"',
      [{ field: 'If-Match', message: 'must be * or quoted stream revisions; weak tags (W/) never match' }],
    );
  return [...value.matchAll(/"([^"]*)"/g)]
    .map(([, opaque]) => opaque)
    .filter((opaque) => REVISION.test(opaque))
    .map(Number);
}

function requestHashOf(request: AuthenticatedRequest): string {
  // Ids are read in lower case: a retry that writes one in capitals is the same request.
  const path = request.url.split('?')[0].toLowerCase();
  const content = { method: request.method, path, body: request.body ?? null };
  let canonical: string;
  try {
    canonical = canonicalJson(content);
  } catch {
    // 1e999 parses to Infinity, which RFC 8785 cannot write; a body nested thousands deep overflows the stack.
    // Either way no command could be valid: it is refused as the validation of its body would refuse it.
    throw new ProblemException(
      'validation-failed',
      'The body holds a number out of range or is nested too deeply',
      [{ field: 'body', message: 'must hold finite numbers and nest at most a few levels' }],
    );
  }
  return createHash('sha256').update(canonical).digest('hex');
}

export const CommandRequestContext = createParamDecorator((_: unknown, context: ExecutionContext) =>
  commandRequestOf(context.switchToHttp().getRequest<AuthenticatedRequest>(), new Date()),
);

export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext) =>
    context.switchToHttp().getRequest<AuthenticatedRequest>().principal,
);
