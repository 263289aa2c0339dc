import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { partiesFileProblems } from '@accord/domain';
import { thumbprint } from '@accord/trust';
import { loadConfig } from '@accord/config';
import { cosigner, cosignatureVerifier, noteVerifier, parseVerifierKey, verifierKeyOf } from '@accord/tlog';
import { captureStdout } from '../../../../test/support/capture-stdout';
import { runCli } from '../cli';

describe('accord keys generate', () => {
  let directory: string;
  let stderr: jest.SpyInstance;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'accord-keys-'));
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    stderr.mockRestore();
    rmSync(directory, { recursive: true, force: true });
  });
  const printedToStderr = () => stderr.mock.calls.map(([chunk]) => String(chunk)).join('');

  it.each([
    ['EdDSA', 'OKP', 'Ed25519'],
    ['ES256', 'EC', 'P-256'],
  ])(
    'writes a %s private key, mode 0600, and prints its public JWK without a private member',
    async (alg, kty, crv) => {
      const out = join(directory, 'kaz.jwk.json');
      const { code, output } = await captureStdout(() =>
        runCli(['keys', 'generate', '--party', 'KAZ', '--alg', alg, '--kid', 'kaz-2026', '--out', out]),
      );
      expect(code).toBe(0);
      expect(statSync(out).mode & 0o777).toBe(0o600);
      const privateKey = JSON.parse(readFileSync(out, 'utf8'));
      expect(privateKey).toMatchObject({ kid: 'kaz-2026', alg, party: 'KAZ', kty, crv });
      expect(privateKey.d).toMatch(/^[A-Za-z0-9_-]{43}$/);

      expect(output.endsWith('\n') && output.trim().split('\n')).toHaveLength(1);
      const publicKey = JSON.parse(output);
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'party'])
        expect(publicKey).not.toHaveProperty(member);
      const { d: _d, party: _party, ...expected } = privateKey;
      expect(publicKey).toEqual(expected);
      // Ready to paste: the parties file accepts it as it is.
      expect(
        partiesFileProblems([{ code: 'KAZ', name: 'Kazakhstan', role: 'member', keys: [publicKey] }]),
      ).toEqual([]);
      expect(printedToStderr()).toContain('mode 0600');
    },
  );

  it('names the key by its RFC 7638 thumbprint and the file after party and kid in the current directory', async () => {
    const cwd = process.cwd();
    process.chdir(directory);
    try {
      const { code, output } = await captureStdout(() =>
        runCli(['keys', 'generate', '--party', 'secretariat']),
      );
      expect(code).toBe(0);
      const publicKey = JSON.parse(output);
      expect(publicKey).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' });
      expect(publicKey.kid).toBe(thumbprint(publicKey));
      const file = join(directory, `secretariat-${publicKey.kid}.private.jwk.json`);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(JSON.parse(readFileSync(file, 'utf8')).party).toBe('secretariat');
    } finally {
      process.chdir(cwd);
    }
  });

  it('never overwrites a file', async () => {
    const out = join(directory, 'existing.json');
    writeFileSync(out, 'precious');
    const { code } = await captureStdout(() => runCli(['keys', 'generate', '--party', 'KAZ', '--out', out]));
    expect(code).toBe(1);
    expect(readFileSync(out, 'utf8')).toBe('precious');
    expect(printedToStderr()).toMatch(/exists; a key file is never overwritten/);
  });

  it.each([
    [['keys'], /Usage: accord keys generate/],
    [['keys', 'generate'], /--party must be/],
    [['keys', 'generate', '--party', 'kaz'], /--party must be/],
    [['keys', 'generate', '--party', 'auditor'], /--party must be/],
    [['keys', 'generate', '--party', 'KAZ', '--alg', 'RS256'], /--alg must be EdDSA or ES256/],
    [['keys', 'generate', '--party', 'KAZ', '--kid', '../escape'], /--kid must be/],
    [['keys', 'generate', '--party', 'KAZ', '--private'], /Unknown option/],
  ])('refuses %j with usage, writing nothing', async (argv, message) => {
    const { code, output } = await captureStdout(() => runCli(argv));
    expect({ code, output }).toEqual({ code: 2, output: '' });
    expect(printedToStderr()).toMatch(message);
  });
});

describe('accord keys witness', () => {
  let directory: string;
  let stderr: jest.SpyInstance;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'accord-keys-witness-'));
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    stderr.mockRestore();
    rmSync(directory, { recursive: true, force: true });
  });

  it('writes a tlog-cosignature/v1 signer key, mode 0600, and prints its vkey for the witnessKeys', async () => {
    const cwd = process.cwd();
    process.chdir(directory);
    try {
      const { code, output } = await captureStdout(() =>
        runCli(['keys', 'witness', '--name', 'witness.kaz.example/accord']),
      );
      expect(code).toBe(0);
      const file = join(directory, 'witness.kaz.example_accord.witness.key');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const skey = readFileSync(file, 'utf8').trim();
      expect(skey).toMatch(/^PRIVATE\+KEY\+witness\.kaz\.example\/accord\+[0-9a-f]{8}\+/);
      expect(cosigner(skey).name).toBe('witness.kaz.example/accord');
      const vkey = output.trim();
      expect(vkey).toBe(verifierKeyOf(skey));
      expect(cosignatureVerifier(vkey).keyId).toEqual(parseVerifierKey(vkey).keyId);
      expect(
        partiesFileProblems([{ code: 'KAZ', name: 'Kazakhstan', role: 'member', witnessKeys: [vkey] }]),
      ).toEqual([]);
    } finally {
      process.chdir(cwd);
    }
  });

  it('never overwrites a file, and needs a valid key name', async () => {
    const out = join(directory, 'existing.key');
    writeFileSync(out, 'precious');
    const existing = await captureStdout(() => runCli(['keys', 'witness', '--name', 'w', '--out', out]));
    expect(existing.code).toBe(1);
    expect(readFileSync(out, 'utf8')).toBe('precious');
    for (const name of [[], ['--name', 'two words'], ['--name', 'a+b']]) {
      const { code } = await captureStdout(() => runCli(['keys', 'witness', ...name]));
      expect(code).toBe(2);
    }
    expect(stderr.mock.calls.map(([chunk]) => String(chunk)).join('')).toMatch(/--name must be a key name/);
  });
});

describe('accord keys log', () => {
  let directory: string;
  let stderr: jest.SpyInstance;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'accord-keys-log-'));
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    stderr.mockRestore();
    rmSync(directory, { recursive: true, force: true });
  });
  const printedToStderr = () => stderr.mock.calls.map(([chunk]) => String(chunk)).join('');

  it('writes a log signer key named after the origin, mode 0600, whose vkey it prints: a pair loadConfig takes', async () => {
    const out = join(directory, 'log.key');
    const { code, output } = await captureStdout(() =>
      runCli(['keys', 'log', '--origin', 'accord.example.org/log', '--out', out]),
    );
    expect(code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const skey = readFileSync(out, 'utf8').trim();
    expect(skey).toMatch(/^PRIVATE\+KEY\+accord\.example\.org\/log\+[0-9a-f]{8}\+/);
    const vkey = output.trim();
    expect(output).toBe(`${vkey}\n`);
    expect(vkey).toBe(verifierKeyOf(skey));
    // The log's own key type, which checkpoints are verified with (a witness key is refused there).
    expect(noteVerifier(vkey).name).toBe('accord.example.org/log');
    expect(() => cosignatureVerifier(vkey)).toThrow();
    const config = loadConfig(
      {
        ACCORD_LOG_ORIGIN: 'accord.example.org/log',
        ACCORD_LOG_PRIVATE_KEY: skey,
        ACCORD_LOG_PUBLIC_KEY: vkey,
      },
      directory,
    );
    expect(config.log).toMatchObject({ privateKey: skey, publicKey: vkey });
    expect(printedToStderr()).toMatch(/ACCORD_LOG_PRIVATE_KEY[\s\S]*ACCORD_LOG_PUBLIC_KEY/);
    expect(printedToStderr()).toContain('ACCORD_LOG_ORIGIN must be accord.example.org/log');
  });

  it('names the file after the origin in the current directory, never overwrites one, and needs a valid origin', async () => {
    const cwd = process.cwd();
    process.chdir(directory);
    try {
      const { code } = await captureStdout(() => runCli(['keys', 'log', '--origin', 'accord.local/log']));
      expect(code).toBe(0);
      const file = join(directory, 'accord.local_log.log.key');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const first = readFileSync(file, 'utf8');
      const again = await captureStdout(() => runCli(['keys', 'log', '--origin', 'accord.local/log']));
      expect(again).toEqual({ code: 1, output: '' });
      expect(readFileSync(file, 'utf8')).toBe(first);
      expect(printedToStderr()).toMatch(/exists; a key file is never overwritten/);
    } finally {
      process.chdir(cwd);
    }
    for (const origin of [
      [],
      ['--origin', 'two words'],
      ['--origin', 'a+b'],
      ['--name', 'accord.local/log'],
    ]) {
      const { code, output } = await captureStdout(() => runCli(['keys', 'log', ...origin]));
      expect({ code, output }).toEqual({ code: 2, output: '' });
    }
    expect(printedToStderr()).toMatch(/--origin must be a key name/);
  });
});
