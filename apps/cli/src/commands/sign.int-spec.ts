import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Parties, PartiesEntry } from '@accord/domain';
import { verifySignedCommand } from '@accord/trust';
import { captureStdout } from '../../../../test/support/capture-stdout';
import { runCli } from '../cli';

const ID = '6f1c1f5e-8a63-4f4e-9d57-0d5c6a9e2b11';

describe('accord sign', () => {
  let directory: string;
  let stderr: jest.SpyInstance;
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'accord-sign-'));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  beforeEach(() => {
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => stderr.mockRestore());

  /** `accord keys generate`, then the parties file a state would write with the public key it printed. */
  async function keyOf(party: string, alg: 'EdDSA' | 'ES256'): Promise<{ file: string; parties: Parties }> {
    const file = join(directory, `${party}-${alg}.jwk.json`);
    const { code, output } = await captureStdout(() =>
      runCli(['keys', 'generate', '--party', party, '--alg', alg, '--out', file]),
    );
    expect(code).toBe(0);
    const entries: PartiesEntry[] = [
      { code: 'KAZ', name: 'Kazakhstan', role: 'member', keys: [] },
      { code: 'secretariat', name: 'OTS Secretariat', role: 'body', keys: [] },
    ];
    entries.find((entry) => entry.code === party)?.keys?.push(JSON.parse(output));
    return { file, parties: new Parties(entries) };
  }

  it.each(['EdDSA', 'ES256'] as const)(
    'prints the body with a %s signature that verifySignedCommand accepts for the key file party',
    async (alg) => {
      const { file, parties } = await keyOf('KAZ', alg);
      const body = { state: 'KAZ', decision: 'approve', proposalVersion: 1, proposalHash: 'ab'.repeat(32) };
      const { code, output } = await captureStdout(() =>
        runCli([
          'sign',
          '--key',
          file,
          '--command',
          'record-sign-off',
          '--initiative',
          ID,
          '--body',
          JSON.stringify(body),
        ]),
      );
      expect(code).toBe(0);
      expect(output.trim().split('\n')).toHaveLength(1);
      const signed = JSON.parse(output);
      expect(signed).toEqual({ ...body, signature: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/) });
      const verified = await verifySignedCommand({
        jws: signed.signature,
        keys: parties.keysOf('KAZ'),
        command: 'record-sign-off',
        initiativeId: ID,
        party: 'KAZ',
        body: signed,
        now: new Date(),
      });
      expect(verified).toMatchObject({ alg, statement: { party: 'KAZ', body } });
    },
  );

  it("signs for a body, takes a proposal's initiative from its initiativeId, and keeps --iat", async () => {
    const { file, parties } = await keyOf('secretariat', 'EdDSA');
    const body = { initiativeId: ID, title: 'Pan-Turkic Patent Organization', proposingState: 'KAZ' };
    const { code, output } = await captureStdout(() =>
      runCli([
        'sign',
        '--key',
        file,
        '--command',
        'propose-initiative',
        '--body',
        JSON.stringify(body),
        '--iat',
        '1767225600',
      ]),
    );
    expect(code).toBe(0);
    const signed = JSON.parse(output);
    const verified = await verifySignedCommand({
      jws: signed.signature,
      keys: parties.keysOf('secretariat'),
      command: 'propose-initiative',
      initiativeId: ID,
      party: 'secretariat',
      body: signed,
      now: new Date('2026-01-01T00:04:00Z'),
    });
    expect(verified.statement).toEqual({
      command: 'propose-initiative',
      initiativeId: ID,
      party: 'secretariat',
      iat: 1767225600,
      body,
    });
  });

  it.each([
    [['sign'], /Usage: accord sign/],
    [
      ['sign', '--key', 'k', '--command', 'sign-off', '--initiative', ID, '--body', '{}'],
      /--command must be/,
    ],
    [['sign', '--key', 'k', '--command', 'record-sign-off', '--initiative', ID, '--body', '{'], /not JSON/],
    [
      ['sign', '--key', 'k', '--command', 'record-sign-off', '--initiative', ID, '--body', '[]'],
      /JSON object/,
    ],
    [['sign', '--key', 'k', '--command', 'record-sign-off', '--body', '{}'], /--initiative is required/],
    [
      [
        'sign',
        '--key',
        'k',
        '--command',
        'record-sign-off',
        '--initiative',
        ID,
        '--body',
        '{"signature":"x"}',
      ],
      /already has a signature/,
    ],
    [
      [
        'sign',
        '--key',
        'k',
        '--command',
        'propose-initiative',
        '--initiative',
        ID,
        '--body',
        '{"initiativeId":"x"}',
      ],
      /not the body's initiativeId/,
    ],
    [
      [
        'sign',
        '--key',
        'k',
        '--command',
        'record-sign-off',
        '--initiative',
        ID,
        '--body',
        '{}',
        '--iat',
        '1.5',
      ],
      /--iat must be an integer/,
    ],
  ])('refuses %j with usage', async (argv, message) => {
    const { code, output } = await captureStdout(() => runCli(argv));
    expect({ code, output }).toEqual({ code: 2, output: '' });
    expect(stderr.mock.calls.map(([chunk]) => String(chunk)).join('')).toMatch(message);
  });

  it('refuses a key file without a private key', async () => {
    const file = join(directory, 'public.jwk.json');
    writeFileSync(
      file,
      JSON.stringify({ kid: 'k', alg: 'EdDSA', party: 'KAZ', kty: 'OKP', crv: 'Ed25519', x: 'x' }),
    );
    const { code } = await captureStdout(() =>
      runCli(['sign', '--key', file, '--command', 'record-sign-off', '--initiative', ID, '--body', '{}']),
    );
    expect(code).toBe(1);
    expect(stderr.mock.calls.map(([chunk]) => String(chunk)).join('')).toMatch(/not a private key/);
  });
});
