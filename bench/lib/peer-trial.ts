import { execFile } from 'node:child_process';
import { ROOT } from './common';
import { childEnv } from './server';

/** What a peer's trial (bench/peer/…) prints as its last line. */
export interface TrialResult {
  concurrency: number;
  appended: number;
  errors: number;
  firstErrors: string[];
  seconds: number;
  rate: number;
  /** The durability settings the peer committed with, read by a probe trial; null otherwise. */
  settings: Record<string, string | number | undefined> | null;
  crashed?: string;
}

/**
 * Runs a peer's trial script in a child process (a peer may crash its process under concurrent appenders) through
 * ts-node; a trial that prints no result line is reported as crashed.
 */
export function runTrial(script: string, args: string[], concurrency: number): Promise<TrialResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', script, ...args],
      { cwd: ROOT, env: childEnv({ TS_NODE_TRANSPILE_ONLY: 'true' }), timeout: 120_000, maxBuffer: 1 << 20 },
      (error, stdout) => {
        const line = stdout.trim().split('\n').pop() ?? '';
        try {
          resolve(JSON.parse(line) as TrialResult);
        } catch {
          resolve({
            concurrency,
            appended: 0,
            errors: 1,
            firstErrors: [],
            seconds: 0,
            rate: 0,
            settings: null,
            crashed: error ? `${error.message.split('\n')[0]}` : `unreadable output: ${line.slice(0, 200)}`,
          });
        }
      },
    );
  });
}
