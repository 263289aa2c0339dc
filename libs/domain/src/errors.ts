export type DomainErrorCode =
  | 'validation-failed'
  | 'forbidden'
  | 'not-found'
  | 'invalid-status'
  | 'stale-proposal-version'
  | 'already-signed'
  | 'deadline-passed'
  | 'already-exists';

export interface FieldError {
  field: string;
  message: string;
}

/** A broken business rule. `code` is stable: clients and the HTTP layer react to it, never to the message. */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
