import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACCORD_CLI_V8_FLAGS, ACCORD_V8_FLAGS } from '../../libs/runtime/src/v8-flags';
import { exited, ROOT, waitFor } from '../support/processes';

/** The command line a running process was given (after any execve). */
function commandLine(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
}

describe("Accord's V8 flags", () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'accord-v8-flags-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  // Every Node process of Accord; the console is a browser application, which has no process of its own.
  it.each(
    readdirSync(join(ROOT, 'apps')).filter((app) => existsSync(join(ROOT, 'apps', app, 'src', 'main.ts'))),
  )('apps/%s/src/main.ts gives them before it loads anything else', (app) => {
    const source = readFileSync(join(ROOT, 'apps', app, 'src', 'main.ts'), 'utf8');
    expect(source.split('\n')[0]).toBe(
      app === 'cli'
        ? "import '@accord/runtime/with-cli-v8-flags';"
        : "import '@accord/runtime/with-v8-flags';",
    );
  });

  it("`accord` runs with the CLI's, as the same process", async () => {
    // Preloaded into the first process image and into the one it becomes: each prints its pid and flags.
    const preload = join(dataDir, 'print-flags.js');
    writeFileSync(preload, 'console.log(JSON.stringify([process.pid, process.execArgv]));');
    const child = spawn(process.execPath, [join(ROOT, 'apps', 'cli', 'bin', 'accord.js'), '--help'], {
      env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: `--require ${preload}` },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    await exited(child);
    const printed = stdout
      .split('\n')
      .filter((line) => line.startsWith('['))
      .map((line) => JSON.parse(line) as [number, string[]]);
    expect(printed).toEqual([
      [child.pid, []],
      [child.pid, [...ACCORD_CLI_V8_FLAGS]],
    ]);
  });

  const startApi = (nodeArgs: string[]) =>
    spawn(process.execPath, [...nodeArgs, join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js')], {
      env: {
        PATH: process.env.PATH ?? '',
        ACCORD_DATA_DIR: dataDir,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        ACCORD_JWT_SECRET: 'a-secret-of-at-least-thirty-two-characters',
      },
      stdio: 'ignore',
    });

  it('`node dist/apps/api/src/main.js` runs with them, as the same process', async () => {
    const child = startApi([]);
    try {
      const pid = child.pid as number;
      await waitFor(
        async () => commandLine(pid).includes(ACCORD_V8_FLAGS[0]),
        10_000,
        'the relaunch with the flags',
      );
      expect(commandLine(pid)).toEqual([
        process.execPath,
        ...ACCORD_V8_FLAGS,
        join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js'),
      ]);
    } finally {
      child.kill('SIGTERM');
      await exited(child);
    }
  });

  it('a value given on the command line is kept', async () => {
    const child = startApi(['--max-semi-space-size=8']);
    try {
      const pid = child.pid as number;
      const others = ACCORD_V8_FLAGS.filter((flag) => !flag.startsWith('--max-semi-space-size='));
      await waitFor(
        async () => others.every((flag) => commandLine(pid).includes(flag)),
        10_000,
        'the relaunch with the other flags',
      );
      expect(commandLine(pid)).toEqual([
        process.execPath,
        ...others,
        '--max-semi-space-size=8',
        join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js'),
      ]);
    } finally {
      child.kill('SIGTERM');
      await exited(child);
    }
  });
});
