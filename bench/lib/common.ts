import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

/** The figures of one target, as results.json holds them (extra fields beside these are welcome). */
export interface Figure {
  value: number;
  unit: string;
  baseline: number | null;
  /** value / baseline (or the figure the target is stated on, e.g. ours / peer). */
  ratio: number | null;
  target: string;
  met: boolean;
  [extra: string]: unknown;
}

export interface BenchContext {
  quick: boolean;
  log: (line: string) => void;
  /** A fresh directory on the same disk as the default data directory would be; removed at the end. */
  tempDir: (label: string) => string;
}

export function makeTempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `accord-bench-${label}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function round(value: number, digits = 0): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Nearest-rank percentile (p in 0..100) of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

export function seconds(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resident set size of a process in MB (VmRSS of /proc/<pid>/status), or null once it is gone. */
export function rssMb(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(status);
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Samples a process's RSS every `intervalMs` until stopped: the maximum over the whole run, and over the
 * current window (from the last `startWindow()`).
 */
export function sampleRss(pid: number, intervalMs = 100) {
  let max = 0;
  let windowMax = 0;
  let last = 0;
  let samples = 0;
  let timer: NodeJS.Timeout | null = null;
  const started = Date.now();
  /** [seconds since start, MB], about every 2 s. */
  const timeline: [number, number][] = [];
  const take = () => {
    const value = rssMb(pid);
    if (value === null) return;
    samples++;
    last = value;
    if (value > max) max = value;
    if (value > windowMax) windowMax = value;
    const at = (Date.now() - started) / 1000;
    if (timeline.length === 0 || at - timeline[timeline.length - 1][0] >= 2)
      timeline.push([round(at, 1), round(value)]);
  };
  take();
  timer = setInterval(take, intervalMs);
  timer.unref();
  return {
    /** Maximum since the window started. */
    get windowMax() {
      return round(windowMax, 1);
    },
    startWindow() {
      windowMax = 0;
      take();
    },
    stop() {
      if (timer) {
        take();
        clearInterval(timer);
        timer = null;
      }
      return { maxMb: round(max, 1), lastMb: round(last, 1), samples, timeline };
    },
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; null once it is gone. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command name.
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface MachineInfo {
  cpu: string;
  cores: number;
  ramGiB: number;
  node: string;
  os: string;
  kafka: string;
  kafkajs: string;
  sqlite: string;
  postgres: string;
  disk: string;
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string })
      .version;
  } catch {
    return 'unknown';
  }
}

export function describeMachine(extra: { kafka: string; sqlite: string; postgres: string }): MachineInfo {
  const cpuInfo = (() => {
    try {
      return readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      return '';
    }
  })();
  const model = /model name\s*:\s*(.+)/.exec(cpuInfo)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown';
  const disk = (() => {
    try {
      return execFileSync('df', ['-h', '--output=source,fstype,size', tmpdir()], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .slice(1)
        .join(' ')
        .replace(/\s+/g, ' ');
    } catch {
      return 'unknown';
    }
  })();
  const osRelease = (() => {
    try {
      return /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? process.platform;
    } catch {
      return process.platform;
    }
  })();
  return {
    cpu: model,
    cores: cpus().length,
    ramGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    os: osRelease,
    kafka: extra.kafka,
    kafkajs: packageVersion('kafkajs'),
    sqlite: extra.sqlite,
    postgres: extra.postgres,
    disk: `${tmpdir()} on ${disk}`,
  };
}
