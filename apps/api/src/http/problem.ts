import { FieldError } from '@accord/domain';

/** The stable error codes of api.md; clients react to these, never to titles or details. */
export const PROBLEM_STATUS = {
  'validation-failed': 400,
  'signature-required': 400,
  'invalid-signature': 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  'invalid-status': 409,
  'stale-proposal-version': 409,
  'already-signed': 409,
  'deadline-passed': 409,
  'already-exists': 409,
  'idempotency-key-reused': 409,
  'method-not-allowed': 405,
  'request-timeout': 408,
  'revision-mismatch': 412,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'too-many-requests': 429,
  'headers-too-large': 431,
  'internal-error': 500,
  'stored-event-damaged': 500,
  'projection-lagging': 503,
  unavailable: 503,
} as const;

export type ProblemCode = keyof typeof PROBLEM_STATUS;

const TITLES: Record<ProblemCode, string> = {
  'validation-failed': 'The request is not valid',
  'signature-required': 'This party signs its commands: the body needs a signature',
  'invalid-signature': 'The signature does not prove this command',
  unauthenticated: 'Authentication is required',
  forbidden: 'This action is not allowed',
  'not-found': 'Not found',
  'invalid-status': 'The initiative is not in a status that allows this',
  'stale-proposal-version': 'The proposal version is not the current one',
  'already-signed': 'This state already signed this version',
  'deadline-passed': 'The sign-off deadline has passed',
  'already-exists': 'The initiative already exists',
  'revision-mismatch': 'The initiative is not at the revision If-Match named',
  'idempotency-key-reused': 'The idempotency key was used for another request',
  'method-not-allowed': 'This method is not allowed on this resource',
  'request-timeout': 'The request took too long to arrive',
  'payload-too-large': 'The request body is too large',
  'unsupported-media-type': 'The request body must be JSON',
  'too-many-requests': 'Too many requests',
  'headers-too-large': 'The request headers are too large',
  'internal-error': 'Internal error',
  'stored-event-damaged': 'A stored event of this initiative is damaged',
  'projection-lagging': 'The read model has not caught up yet',
  unavailable: 'The service is unavailable',
};

/** An RFC 9457 problem details body. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  errors?: FieldError[];
}

/** An error the HTTP layer answers with a problem of this code. */
export class ProblemException extends Error {
  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'ProblemException';
  }
}

export function problem(code: ProblemCode, detail: string, errors?: FieldError[]): Problem {
  return {
    type: `urn:accord:problem:${code}`,
    title: TITLES[code],
    status: PROBLEM_STATUS[code],
    detail,
    code,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}
