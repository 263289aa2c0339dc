import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainedEvent, exportBundle } from '@accord/audit';
import {
  chainedEvents,
  otherChainHash,
  TEST_LOG_ORIGIN,
  TestLog,
} from '../../../../libs/audit/src/testing/test-log';
import { captureStdout } from '../../../../test/support/capture-stdout';
import { FakeLogServer } from '../../../../test/support/fake-log-server';
import { runCli } from '../cli';

const STREAM = 'initiative-0f7a1c2e-5b3d-4e8f-9a6b-000000000001';
const TOKEN = 'auditor-token';

/** The leaves of the log: the stream's three events (at 1, 3 and 4) among other streams' events. */
const leavesOf = (events: ChainedEvent[]): string[] => [
  otherChainHash('a'),
  events[0].hash,
  otherChainHash('b'),
  events[1].hash,
  events[2].hash,
  otherChainHash('c'),
];

describe("accord verify --log-key: the bundle's events in the transparency log", () => {
  let directory: string;
  let server: FakeLogServer;
  let stderr: jest.SpyInstance;
  const events = chainedEvents(STREAM, 3);
  const log = new TestLog();
  log.append(leavesOf(events));
  const section = log.bundleLog(events, [1, 3, 4]);

  /** The log after the bundle: two more leaves, the first six unchanged. */
  const grown = new TestLog(log.skey);
  grown.append([...leavesOf(events), otherChainHash('d'), otherChainHash('e')]);

  const file = (name: string, content: string | object) => {
    const path = join(directory, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  const bundleWith = (name: string, bundleEvents: ChainedEvent[], extra: object = { log: section }) =>
    file(name, { ...exportBundle(STREAM, bundleEvents, new Date('2026-11-27T12:00:00Z')), ...extra });
  const verify = (...args: string[]) => captureStdout(() => runCli(['verify', ...args]));
  const printedToStderr = () => stderr.mock.calls.map(([chunk]) => String(chunk)).join('');

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'accord-verify-log-'));
    server = await FakeLogServer.start(grown, { witnessKeys: [], token: TOKEN });
  });
  afterAll(async () => {
    await server.close();
    rmSync(directory, { recursive: true, force: true });
  });
  beforeEach(() => {
    server.log = grown;
    server.requests.length = 0;
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => stderr.mockRestore());

  it('passes when every event is a leaf of the signed checkpoint, the log key given as a string or a file', async () => {
    const bundle = bundleWith('bundle.json', events);
    for (const logKey of [log.vkey, file('log.vkey', `${log.vkey}\n`)]) {
      const { code, output } = await verify(bundle, '--log-key', logKey);
      expect({ code, output }).toEqual({ code: 0, output: `${events[2].hash}\n` });
    }
    expect(printedToStderr()).toContain(
      `log: every event is in the tree of size 6 signed by ${TEST_LOG_ORIGIN}\n`,
    );
  });

  it('reports the log section as not checked without --log-key, and exits as before', async () => {
    const { code } = await verify(bundleWith('bundle.json', events));
    expect(code).toBe(0);
    expect(printedToStderr()).toBe('log: not checked (--log-key checks it)\n');
  });

  it('fails at each revision changed and re-chained after it was logged, though the chain holds', async () => {
    const rechained = chainedEvents(STREAM, 3, (revision) => ({ revision: revision === 1 ? 9 : revision }));
    const { code, output } = await verify(bundleWith('rechained.json', rechained), '--log-key', log.vkey);
    expect({ code, output }).toEqual({
      code: 1,
      output: 'inclusion proof fails at revision 1\ninclusion proof fails at revision 2\n',
    });
  });

  it('fails when the checkpoint is not signed by the log key the auditor trusts', async () => {
    const { code, output } = await verify(bundleWith('bundle.json', events), '--log-key', new TestLog().vkey);
    expect(code).toBe(1);
    expect(output).toBe(`checkpoint not signed by ${TEST_LOG_ORIGIN}: note has no verifiable signatures\n`);
  });

  it('fails when asked to check a bundle without a log section', async () => {
    const { code, output } = await verify(bundleWith('bare.json', events, {}), '--log-key', log.vkey);
    expect(code).toBe(1);
    expect(output).toMatch(/^no log section in the bundle/);
  });

  describe('given a checkpoint the auditor kept', () => {
    it('passes when it is the same checkpoint, with no proof to fetch', async () => {
      const kept = file('same.checkpoint', section.checkpoint);
      const { code } = await verify(
        bundleWith('bundle.json', events),
        '--log-key',
        log.vkey,
        '--checkpoint',
        kept,
      );
      expect(code).toBe(0);
      expect(printedToStderr()).toContain('log: consistent with the kept checkpoint of size 6\n');
    });

    it('passes when the log grew consistently, with the proof fetched from --url', async () => {
      const kept = file('later.checkpoint', grown.checkpoint());
      const { code } = await verify(
        bundleWith('bundle.json', events),
        ...['--log-key', log.vkey, '--checkpoint', kept, '--url', server.url, '--token', TOKEN],
      );
      expect(code).toBe(0);
      expect(server.requests).toEqual(['GET /v1/log/proof/consistency?from=6&to=8']);
      expect(printedToStderr()).toContain('log: consistent with the kept checkpoint of size 8\n');
    });

    it('fails when the kept checkpoint is of a history rewritten after the bundle', async () => {
      const rewritten = new TestLog(log.skey);
      rewritten.append(['x', 'y', 'z', 'u', 'v', 'w', 'd', 'e'].map(otherChainHash));
      server.log = rewritten;
      const kept = file('rewritten.checkpoint', rewritten.checkpoint());
      const { code, output } = await verify(
        bundleWith('bundle.json', events),
        ...['--log-key', log.vkey, '--checkpoint', kept, '--url', server.url, '--token', TOKEN],
      );
      expect({ code, output }).toEqual({
        code: 1,
        output: 'inconsistent with the kept checkpoint of size 8\n',
      });
    });

    it('fails, saying --url is needed, when the sizes differ and there is no --url', async () => {
      const kept = file('later.checkpoint', grown.checkpoint());
      const { code, output } = await verify(
        bundleWith('bundle.json', events),
        ...['--log-key', log.vkey, '--checkpoint', kept],
      );
      expect(code).toBe(1);
      expect(output).toBe(
        'consistency with the kept checkpoint of size 8 not checked: --url is needed to fetch the proof from 6 to 8\n',
      );
    });

    it('takes the token from ACCORD_TOKEN', async () => {
      const kept = file('later.checkpoint', grown.checkpoint());
      process.env.ACCORD_TOKEN = TOKEN;
      try {
        const { code } = await verify(
          bundleWith('bundle.json', events),
          ...['--log-key', log.vkey, '--checkpoint', kept, '--url', server.url],
        );
        expect(code).toBe(0);
      } finally {
        delete process.env.ACCORD_TOKEN;
      }
    });
  });

  it.each([
    [['--checkpoint', 'kept'], /--checkpoint and --url need --log-key/],
    [['--log-key', 'LOG_KEY', '--url', 'http://127.0.0.1:1'], /--url needs --checkpoint/],
    [
      ['--log-key', 'LOG_KEY', '--checkpoint', 'kept', '--url', 'http://127.0.0.1:1'],
      /--url needs a bearer token/,
    ],
    [['--log-key', 'no-such-file'], /--log-key is neither a verifier key nor a readable file/],
  ])('refuses %j with usage (exit 2)', async (args, message) => {
    const argv = args.map((arg) => (arg === 'LOG_KEY' ? log.vkey : arg));
    const { code } = await verify(bundleWith('bundle.json', events), ...argv);
    expect(code).toBe(2);
    expect(printedToStderr()).toMatch(message);
  });
});
