export const READINESS_CHECKS = Symbol('ReadinessChecks');

export interface CheckResult {
  status: 'up' | 'down' | 'disabled';
  /** A critical dependency down makes the process not ready; others are only reported. */
  critical: boolean;
  [detail: string]: unknown;
}

export interface ReadinessCheck {
  name: string;
  run(): Promise<CheckResult>;
}

export async function probe(
  critical: boolean,
  check: () => Promise<Record<string, unknown> | void>,
): Promise<CheckResult> {
  try {
    return { status: 'up', critical, ...((await check()) ?? {}) };
  } catch {
    return { status: 'down', critical };
  }
}
