import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mintHs256Token, TokenRole } from '@accord/auth';
import { freePort, ROOT, sleep } from './common';

export const SERVER_ENTRY = join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js');
export const CLI_ENTRY = join(ROOT, 'dist', 'apps', 'cli', 'src', 'main.js');
export const MEMBERS = ['AZE', 'KAZ', 'KGZ', 'TUR', 'UZB'] as const;

/** The environment a child process gets: ours, minus anything Accord reads, plus what the caller sets. */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env))
    if (
      !/^(ACCORD_|KAFKA_|DATABASE_URL$|PORT$|HOST$|LOG_LEVEL$|EVENTSTORE_|NODE_OPTIONS$|TS_NODE_)/.test(name)
    )
      base[name] = value;
  return { ...base, ...env };
}

export interface RunningServer {
  pid: number;
  port: number;
  url: string;
  secret: string;
  logFile: string;
  /** Mints an HS256 token the server accepts. */
  token(role: TokenRole, country?: string, sub?: string): Promise<string>;
  /** The readiness body (projection lag, Kafka status and relay lag). */
  ready(): Promise<ReadinessBody>;
  /** Waits until the projection (and the relay, when it runs) has caught up with the log. */
  settle(timeoutMs?: number): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (or signal). */
  stop(graceMs?: number): Promise<string>;
  /** The last lines the server logged (for error reports). */
  tail(lines?: number): string;
}

export interface ReadinessBody {
  status: string;
  checks: {
    projection?: { lag: number; head: number; checkpoint: number };
    kafka?: { status: string; relayLag: number; checkpoint: number; lastError: string | null };
  };
}

/**
 * Spawns the built server (`node dist/apps/api/src/main.js`) on `dataDir`, its logs in `<dataDir>/server.log`,
 * and resolves once GET /health/live answers 200.
 */
export async function startServer(options: {
  dataDir: string;
  logLevel: string;
  env?: Record<string, string>;
  nodeArgs?: string[];
}): Promise<RunningServer> {
  const port = await freePort();
  const secret = randomBytes(32).toString('hex');
  const logFile = join(options.dataDir, 'server.log');
  const out = openSync(logFile, 'a');
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), SERVER_ENTRY], {
    cwd: ROOT,
    env: childEnv({
      ACCORD_DATA_DIR: options.dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: options.logLevel,
      ACCORD_JWT_SECRET: secret,
      ACCORD_RATE_LIMIT_PER_MINUTE: '10000000',
      ...options.env,
    }),
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  let exit: string | null = null;
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = signal ?? String(code);
      resolve(exit);
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const tail = (lines = 20) => {
    try {
      return readFileSync(logFile, 'utf8').trim().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exit !== null) throw new Error(`The server exited (${exit}) at start-up:\n${tail()}`);
    try {
      const response = await fetch(`${url}/health/live`);
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`The server did not answer /health/live within 60 s:\n${tail()}`);
    }
    await sleep(100);
  }

  const ready = async (): Promise<ReadinessBody> => {
    const response = await fetch(`${url}/health/ready`);
    return (await response.json()) as ReadinessBody;
  };
  return {
    pid: child.pid as number,
    port,
    url,
    secret,
    logFile,
    token: (role, country, sub) =>
      mintHs256Token(secret, {
        role,
        country,
        sub: sub ?? `bench-${role}${country ? `-${country.toLowerCase()}` : ''}`,
        issuer: 'accord',
        audience: 'accord-api',
        expiresIn: 4 * 3600,
      }),
    ready,
    settle: async (timeoutMs = 120_000) => {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const body = await ready();
        const projectionLag = body.checks.projection?.lag ?? 0;
        const relayLag = body.checks.kafka?.relayLag ?? 0;
        if (projectionLag === 0 && relayLag === 0) return;
        if (Date.now() > until)
          throw new Error(
            `The server did not catch up: projection lag ${projectionLag}, relay lag ${relayLag}`,
          );
        await sleep(100);
      }
    },
    stop: async (graceMs = 20_000) => {
      if (exit !== null) return exit;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
    tail,
  };
}
