import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../support/processes';
import { freePort, sleep } from './server';

export interface DoubleProcess {
  readonly connectionString: string;
  stop(): Promise<void>;
}

/**
 * The EventStoreDB wire-level double (test/eventstoredb-double) as a server process of its own, as a real EventStoreDB
 * would be: the processes under test reach it over gRPC, and pausing or loading the test's process does not stall it.
 */
export async function startEventStoreDbDoubleProcess(logFile: string): Promise<DoubleProcess> {
  const port = await freePort();
  const out = openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      join(ROOT, 'test', 'eventstoredb-double', 'main.ts'),
      '--port',
      String(port),
    ],
    { cwd: ROOT, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', out, out] },
  );
  closeSync(out);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const connectionString = `esdb://127.0.0.1:${port}?tls=false`;
  const deadline = Date.now() + 60_000;
  while (!readFileSync(logFile, 'utf8').includes(connectionString)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the EventStoreDB double did not start:\n${readFileSync(logFile, 'utf8')}`);
    }
    await sleep(100);
  }
  return {
    connectionString,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
