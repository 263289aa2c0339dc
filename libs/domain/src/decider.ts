export type { Decider } from '@accord/decider';

/** Fails to compile when a `switch` over a discriminated union misses a case. */
export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
