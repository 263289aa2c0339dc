import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cosignatureVerifier,
  generateSignerKey,
  noteSigner,
  noteVerifier,
  openCheckpoint,
  signNote,
  verifyCosignatureLine,
} from '@accord/tlog';
import { otherChainHash, TEST_LOG_ORIGIN, TestLog } from '../../../../libs/audit/src/testing/test-log';
import { captureStdout } from '../../../../test/support/capture-stdout';
import { FakeLogServer } from '../../../../test/support/fake-log-server';
import { runCli } from '../cli';
import { parseWitnessArgs, runWitness } from './witness';

const TOKEN = 'witness-token-kaz';
const WITNESS = 'witness.kaz.example';

/** A log of `size` leaves signed with `skey`; `seed` tells apart two histories of the same size. */
function logOf(size: number, skey?: string, seed = 'history'): TestLog {
  const log = new TestLog(skey);
  log.append(Array.from({ length: size }, (_, leaf) => otherChainHash(`${seed}-${leaf}`)));
  return log;
}

describe('accord witness', () => {
  let directory: string;
  let keyFile: string;
  let witnessKey: string;
  let server: FakeLogServer;
  let stateFile: string;
  let stderr: jest.SpyInstance;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'accord-witness-'));
    keyFile = join(directory, 'kaz.witness.key');
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const { code, output } = await captureStdout(() =>
      runCli(['keys', 'witness', '--name', WITNESS, '--out', keyFile]),
    );
    expect(code).toBe(0);
    witnessKey = output.trim();
    stderr.mockRestore();
    server = await FakeLogServer.start(logOf(100), { witnessKeys: [witnessKey], token: TOKEN });
  });
  afterAll(async () => {
    await server.close();
    rmSync(directory, { recursive: true, force: true });
  });

  let run = 0;
  beforeEach(() => {
    stateFile = join(directory, `state-${++run}.json`);
    server.log = logOf(100, server.log.skey);
    server.servedKey = undefined;
    server.servedCheckpoint = undefined;
    server.witnessKeys = [witnessKey];
    server.cosignatures.length = 0;
    server.requests.length = 0;
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => stderr.mockRestore());
  const printedToStderr = () => stderr.mock.calls.map(([chunk]) => String(chunk)).join('');

  const witnessOnce = (...extra: string[]) =>
    captureStdout(() =>
      runCli([
        'witness',
        '--url',
        server.url,
        '--key',
        keyFile,
        '--state',
        'KAZ',
        '--token',
        TOKEN,
        '--state-file',
        stateFile,
        '--once',
        ...extra,
      ]),
    );

  /** The first round, cosigning the tree of 100 leaves; then what follows starts from there. */
  async function cosignedOnce(): Promise<void> {
    const { code } = await witnessOnce();
    expect(code).toBe(0);
    server.cosignatures.length = 0;
    stderr.mockClear();
  }

  describe('on first contact', () => {
    it('cosigns the checkpoint, posts a cosignature that verifies with its vkey, and pins the log key', async () => {
      const { code, output } = await witnessOnce();
      expect(code).toBe(0);
      expect(output).toMatch(new RegExp(`^cosigned ${TEST_LOG_ORIGIN} at size 100, root `));
      expect(server.cosignatures).toHaveLength(1);
      const [{ checkpoint, cosignature }] = server.cosignatures;
      const { text } = openCheckpoint(checkpoint, noteVerifier(server.log.vkey));
      expect(verifyCosignatureLine(text, cosignature, cosignatureVerifier(witnessKey))).toBeGreaterThan(0);
      const state = JSON.parse(readFileSync(stateFile, 'utf8'));
      expect(state).toMatchObject({ logKey: server.log.vkey, cosignature, posted: true });
      expect(printedToStderr()).toContain(`pinned the log key ${server.log.vkey}`);
      expect(server.requests.every((request) => !request.includes('consistency'))).toBe(true);
    });

    it('with --log-key, refuses a server whose key is another, posting nothing', async () => {
      const expected = new TestLog();
      const { code } = await witnessOnce('--log-key', expected.vkey);
      expect(code).toBe(1);
      expect(printedToStderr()).toMatch(
        /refused: the log key changed: the server serves .+, the witness trusts/,
      );
      expect(server.cosignatures).toHaveLength(0);
      expect(existsSync(stateFile)).toBe(false);
    });
  });

  it('has nothing to do when the checkpoint is the one it cosigned: exit 0, nothing posted', async () => {
    await cosignedOnce();
    const { code, output } = await witnessOnce();
    expect({ code, output }).toEqual({
      code: 0,
      output: `nothing new: ${TEST_LOG_ORIGIN} at size 100 is cosigned\n`,
    });
    expect(server.cosignatures).toHaveLength(0);
  });

  it('cosigns the grown tree when it grew consistently, after checking the proof from the last size', async () => {
    await cosignedOnce();
    server.log.append(['a', 'b', 'c'].map(otherChainHash));
    const { code, output } = await witnessOnce();
    expect(code).toBe(0);
    expect(output).toMatch(/at size 103/);
    expect(server.requests).toContain('GET /v1/log/proof/consistency?from=100&to=103');
    expect(server.cosignatures).toHaveLength(1);
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).cosigned).toMatch(/\n103\n/);
  });

  describe('refuses, names the inconsistency, posts nothing and keeps its state (exit 1)', () => {
    let stateBefore: string;
    beforeEach(async () => {
      await cosignedOnce();
      stateBefore = readFileSync(stateFile, 'utf8');
    });
    afterEach(() => {
      expect(server.cosignatures).toHaveLength(0);
      expect(readFileSync(stateFile, 'utf8')).toBe(stateBefore);
    });

    it('when the tree was rewritten at the same size', async () => {
      server.log = logOf(100, server.log.skey, 'rewritten');
      expect((await witnessOnce()).code).toBe(1);
      expect(printedToStderr()).toMatch(
        /refused: inconsistent: checkpoint of size 100 has root \S+, the cosigned checkpoint of that size \S+\n/,
      );
    });

    it('when a larger tree does not extend the cosigned one', async () => {
      server.log = logOf(120, server.log.skey, 'rewritten');
      expect((await witnessOnce()).code).toBe(1);
      expect(printedToStderr()).toContain(
        'refused: inconsistent: checkpoint of size 120 does not extend the cosigned checkpoint of size 100\n',
      );
    });

    it('when the tree shrank', async () => {
      server.log = logOf(90, server.log.skey);
      expect((await witnessOnce()).code).toBe(1);
      expect(printedToStderr()).toContain(
        'refused: inconsistent: checkpoint of size 90 is smaller than the cosigned checkpoint of size 100\n',
      );
    });

    it('when the checkpoint is not signed by the log key', async () => {
      const impostor = noteSigner(generateSignerKey(TEST_LOG_ORIGIN));
      server.servedCheckpoint = signNote(`${TEST_LOG_ORIGIN}\n120\n${'A'.repeat(43)}=\n`, [impostor]);
      expect((await witnessOnce()).code).toBe(1);
      expect(printedToStderr()).toContain(
        `refused: the checkpoint is not signed by ${TEST_LOG_ORIGIN}: note has no verifiable signatures\n`,
      );
    });

    it('when the log key changed, even with a tree that extends the cosigned one', async () => {
      const rekeyed = logOf(100);
      rekeyed.append(['a'].map(otherChainHash));
      server.log = rekeyed;
      expect((await witnessOnce()).code).toBe(1);
      expect(printedToStderr()).toMatch(
        /refused: the log key changed: the server serves \S+, the witness trusts/,
      );
    });

    it('when the server serves something else than a log key', async () => {
      server.servedKey = new TestLog().vkey.replace(/\+[^+]+$/, '+bm90IGEga2V5');
      expect((await witnessOnce()).code).toBe(1);
      expect(printedToStderr()).toMatch(
        /refused: the server's log key is not an Ed25519 note verifier key: /,
      );
    });

    it('when --log-key names another key than the one pinned', async () => {
      expect((await witnessOnce('--log-key', new TestLog().vkey)).code).toBe(1);
      expect(printedToStderr()).toMatch(/refused: --log-key \S+ is not the log key pinned in/);
    });
  });

  it('posts its cosignature again, next round, when the log did not take it', async () => {
    server.witnessKeys = [];
    expect((await witnessOnce()).code).toBe(1);
    expect(printedToStderr()).toMatch(/POST \S+\/v1\/log\/cosignatures answered 400: .*invalid-signature/);
    expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toMatchObject({ posted: false });

    server.witnessKeys = [witnessKey];
    const { code, output } = await witnessOnce();
    expect(code).toBe(0);
    expect(output).toMatch(/^cosigned .* at size 100/);
    expect(server.cosignatures).toHaveLength(1);
    expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toMatchObject({ posted: true });
  });

  it('writes its state file whole: no temporary file is left beside it', async () => {
    await cosignedOnce();
    expect(statSync(stateFile).isFile()).toBe(true);
    expect(existsSync(`${stateFile}.${process.pid}.tmp`)).toBe(false);
  });

  it('fails (exit 1) without cosigning when the log is unreachable, and refuses a key file of another type', async () => {
    const unreachable = await captureStdout(() =>
      runCli([
        'witness',
        ...['--url', 'http://127.0.0.1:9', '--key', keyFile, '--state', 'KAZ', '--token', TOKEN],
        ...['--state-file', stateFile, '--once'],
      ]),
    );
    expect(unreachable.code).toBe(1);
    expect(printedToStderr()).toMatch(/GET http:\/\/127\.0\.0\.1:9\/v1\/log\/key: /);
    expect(existsSync(stateFile)).toBe(false);
    const logKeyFile = join(directory, 'log.key');
    writeFileSync(logKeyFile, `${generateSignerKey('not-a-witness')}\n`);
    const { code } = await captureStdout(() =>
      runCli([
        'witness',
        '--url',
        server.url,
        '--key',
        logKeyFile,
        '--state',
        'KAZ',
        '--token',
        TOKEN,
        '--once',
      ]),
    );
    expect(code).toBe(1);
    expect(printedToStderr()).toMatch(/not a witness key: not-a-witness: a cosigner key has type 0x04/);
  });

  it.each([
    [['--key', 'k', '--state', 'KAZ', '--token', 't'], /--url must be/],
    [['--url', 'http://x', '--state', 'KAZ', '--token', 't'], /--key FILE is required/],
    [['--url', 'http://x', '--key', 'k', '--state', 'kz', '--token', 't'], /--state must be/],
    [['--url', 'http://x', '--key', 'k', '--state', 'KAZ'], /a bearer token is required/],
    [['--url', 'http://x', '--key', 'k', '--state', 'KAZ', '--token', 't', '--interval', '0'], /--interval/],
    [['--url', 'http://x', '--key', 'k', '--state', 'KAZ', '--token', 't', '--log-key', 'nope'], /--log-key/],
  ])('refuses %j with usage (exit 2)', async (args, message) => {
    const { code } = await captureStdout(() => runCli(['witness', ...args]));
    expect(code).toBe(2);
    expect(printedToStderr()).toMatch(message);
  });

  it('takes the token from ACCORD_TOKEN and names its state file after the state', () => {
    const options = parseWitnessArgs(['--url', server.url, '--key', keyFile, '--state', 'KAZ'], {
      ACCORD_TOKEN: TOKEN,
    });
    expect(options).toMatchObject({
      token: TOKEN,
      stateFile: join(process.cwd(), 'accord-witness-KAZ.json'),
    });
  });

  it('without --once, keeps polling: cosigns as the tree grows, and logs the alarm every round, never cosigning past it', async () => {
    const options = parseWitnessArgs(
      [
        '--url',
        server.url,
        '--key',
        keyFile,
        '--state',
        'KAZ',
        '--state-file',
        stateFile,
        '--interval',
        '0.02',
      ],
      { ACCORD_TOKEN: TOKEN },
    );
    if (typeof options === 'string') throw new Error(options);
    const controller = new AbortController();
    const out: string[] = [];
    const err: string[] = [];
    const until = async (condition: () => boolean) => {
      const deadline = Date.now() + 3000;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error(`not yet: ${JSON.stringify({ out, err })}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    const running = runWitness(options, {
      signal: controller.signal,
      out: (line) => out.push(line),
      err: (line) => err.push(line),
    });
    try {
      await until(() => out.length === 1);
      server.log.append(['a'].map(otherChainHash));
      await until(() => out.length === 2);
      server.log = logOf(120, server.log.skey, 'rewritten');
      await until(() => err.filter((line) => line.includes('refused')).length >= 3);
    } finally {
      controller.abort();
    }

    expect(await running).toBe(0);
    expect(out).toEqual([
      expect.stringMatching(/^\d{4}-\d\d-\d\dT\S+ cosigned \S+ at size 100,/),
      expect.stringMatching(/ cosigned \S+ at size 101,/),
    ]);
    expect(err.filter((line) => line.includes('refused'))[0]).toMatch(
      /^\S+ refused: inconsistent: checkpoint of size 120 does not extend the cosigned checkpoint of size 101$/,
    );
    expect(server.cosignatures.map(({ checkpoint }) => checkpoint.split('\n')[1])).toEqual(['100', '101']);
  });
});
