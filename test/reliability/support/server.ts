import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../support/processes';

/** The HS256 secret every process of this suite is started with (so that S5 can look for it in the logs). */
export const SECRET = 'reliability-suite-secret-7c1f0e2a9b4d4e6f8a3b5c7d9e1f2a4b';

/** RELIABILITY_QUICK=1: the CI variant, with fewer requests, events and kills. */
export const QUICK = process.env.RELIABILITY_QUICK === '1';
export const scale = <T>(full: T, quick: T): T => (QUICK ? quick : full);

/** Every child this suite started, so that a failing test still leaves no stray process behind. */
const children = new Set<ChildProcess>();

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function freshDataDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `accord-rel-${label}-`));
}

export interface AccordServer {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Everything the process wrote to stdout and stderr, across restarts (JSON log lines). */
  readonly logFile: string;
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then wait for the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: no chance to flush or close anything. */
  kill9(): Promise<void>;
  logTail(lines?: number): string;
}

export interface ServerOptions {
  dataDir?: string;
  /** Default: a free port. */
  port?: number;
  env?: Record<string, string>;
  logLevel?: string;
  logFile?: string;
  /** Which compiled process; default the embedded server (api). */
  app?: 'api' | 'projector' | 'relay';
  /** How long to wait for /health/live (0: do not wait). */
  readyTimeoutMs?: number;
}

/**
 * Starts a compiled Accord process (default: the embedded server of `npm start`) on a data directory,
 * with its output appended to a log file, and waits until it answers /health/live.
 */
export async function startServer(options: ServerOptions = {}): Promise<AccordServer> {
  const dataDir = options.dataDir ?? freshDataDir('server');
  const port = options.port ?? (await freePort());
  const logFile = options.logFile ?? join(dataDir, 'server.log');
  const out = openSync(logFile, 'a');
  const app = options.app ?? 'api';
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'apps', app, 'src', 'main.js')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      ACCORD_DATA_DIR: dataDir,
      ACCORD_JWT_SECRET: SECRET,
      ACCORD_RATE_LIMIT_PER_MINUTE: '10000000',
      LOG_LEVEL: options.logLevel ?? 'warn',
      ...options.env,
    },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  children.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const logTail = (lines = 40) =>
    existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n') : '';
  const server: AccordServer = {
    url,
    port,
    dataDir,
    logFile,
    child,
    exited,
    logTail,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const { code } = await exited;
      clearTimeout(timer);
      return code;
    },
    kill9: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  if (timeoutMs > 0) {
    const deadline = Date.now() + timeoutMs;
    let exitedEarly = false;
    void exited.then(() => (exitedEarly = true));
    for (;;) {
      if (exitedEarly) throw new Error(`${app} exited at start-up:\n${logTail()}`);
      try {
        const response = await fetch(`${url}/health/live`);
        if (response.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await server.kill9();
        throw new Error(`${app} did not answer /health/live within ${timeoutMs} ms:\n${logTail()}`);
      }
      await sleep(100);
    }
  }
  return server;
}

/** Kills (SIGKILL) every process this suite started that is still running. */
export async function killAllStarted(): Promise<void> {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

export function removeDir(dir: string | undefined): void {
  if (dir && process.env.RELIABILITY_KEEP_DATA !== '1') rmSync(dir, { recursive: true, force: true });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Thousands separators, for the figures the tests print. */
export const n = (value: number) => value.toLocaleString('en');

/** Seconds since `started`, one decimal. */
export const secondsSince = (started: number) => ((Date.now() - started) / 1000).toFixed(1);
