import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BROKERS, ROOT } from './broker';

/** The compiled standalone relay (apps/relay), as production runs it. */
export const RELAY_MAIN = join(ROOT, 'dist', 'apps', 'relay', 'src', 'main.js');

/** Builds the project when the compiled relay is missing (a jest globalSetup normally has built it). */
export function ensureRelayBuilt(): void {
  if (existsSync(RELAY_MAIN)) return;
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (!existsSync(RELAY_MAIN)) throw new Error(`npm run build did not produce ${RELAY_MAIN}`);
}

export interface RelayProcess {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  log: string;
}

export function spawnRelay(options: { dataDir: string; topic: string; log: string }): RelayProcess {
  const out = openSync(options.log, 'a');
  const child = spawn(process.execPath, [RELAY_MAIN], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      ACCORD_DATA_DIR: options.dataDir,
      KAFKA_BROKERS: BROKERS.join(','),
      ACCORD_KAFKA_TOPIC: options.topic,
      ACCORD_ROLES: 'relay',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, log: options.log };
}

export function tailOf(file: string, lines = 30): string {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n') : '';
}
