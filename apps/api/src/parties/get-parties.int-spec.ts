import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '@accord/config';
import { startTestApp, TestApp } from '../testing/test-app';

/** The Ed25519 public key of RFC 8037 appendix A.2 and the P-256 key of RFC 7515 appendix A.3. */
const ED25519 = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' };
const P256 = {
  kty: 'EC',
  crv: 'P-256',
  x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
  y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
};
const WITNESS = 'witness.kaz.example+a1b2c3d4+BAcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcH';

const PARTIES = [
  {
    code: 'KAZ',
    name: 'Kazakhstan',
    role: 'member',
    keys: [
      { kid: 'kaz-2026', alg: 'EdDSA', ...ED25519, notBefore: '2026-01-01T00:00:00Z' },
      { kid: 'kaz-hsm', ...P256, use: 'sig', notAfter: '2030-01-01T00:00:00+05:00' },
    ],
    witnessKeys: [WITNESS],
  },
  { code: 'AZE', name: 'Azerbaijan', role: 'member' },
  { code: 'HUN', name: 'Hungary', role: 'observer' },
  { code: 'secretariat', name: 'OTS Secretariat', role: 'body', keys: [{ kid: 'sec-1', ...ED25519 }] },
  { code: 'fund-board', name: 'OTS Fund Board', role: 'body' },
];

/** RFC 7638 by hand: the required members in lexicographic order, without white space; SHA-256; base64url. */
const byHand = (members: string) => createHash('sha256').update(members).digest('base64url');
const ED25519_THUMBPRINT = byHand(`{"crv":"Ed25519","kty":"OKP","x":"${ED25519.x}"}`);
const P256_THUMBPRINT = byHand(`{"crv":"P-256","kty":"EC","x":"${P256.x}","y":"${P256.y}"}`);

describe('GET /v1/parties with a parties file that has keys and bodies', () => {
  let directory: string;
  let file: string;
  let testApp: TestApp;
  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'accord-parties-'));
    file = join(directory, 'parties.json');
    writeFileSync(file, JSON.stringify(PARTIES));
    testApp = await startTestApp({ env: { ACCORD_PARTIES_FILE: file } });
  });
  afterAll(async () => {
    await testApp.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('returns every state and body with its keys, each with its RFC 7638 thumbprint, and witness keys', async () => {
    const response = await testApp
      .http()
      .get('/v1/parties')
      .set('authorization', testApp.auth('focal-point', 'AZE'))
      .expect(200);
    expect(ED25519_THUMBPRINT).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k'); // RFC 8037 appendix A.3
    expect(response.body).toEqual({
      parties: [
        {
          code: 'KAZ',
          name: 'Kazakhstan',
          role: 'member',
          keys: [
            {
              kid: 'kaz-2026',
              ...ED25519,
              alg: 'EdDSA',
              notBefore: '2026-01-01T00:00:00Z',
              thumbprint: ED25519_THUMBPRINT,
            },
            {
              kid: 'kaz-hsm',
              ...P256,
              alg: 'ES256',
              use: 'sig',
              notAfter: '2030-01-01T00:00:00+05:00',
              thumbprint: P256_THUMBPRINT,
            },
          ],
          witnessKeys: [WITNESS],
        },
        { code: 'AZE', name: 'Azerbaijan', role: 'member', keys: [], witnessKeys: [] },
        { code: 'HUN', name: 'Hungary', role: 'observer', keys: [], witnessKeys: [] },
        {
          code: 'secretariat',
          name: 'OTS Secretariat',
          role: 'body',
          keys: [{ kid: 'sec-1', ...ED25519, alg: 'EdDSA', thumbprint: ED25519_THUMBPRINT }],
          witnessKeys: [],
        },
        { code: 'fund-board', name: 'OTS Fund Board', role: 'body', keys: [], witnessKeys: [] },
      ],
    });
  });

  it('declares every member it returns in the OpenAPI document, which allows no other', async () => {
    const { schemas } = (await testApp.http().get('/docs-json').expect(200)).body.components;
    const declared = (name: string) => {
      expect(schemas[name].additionalProperties).toBe(false);
      return Object.keys(schemas[name].properties);
    };
    const { body } = await testApp.http().get('/v1/parties').set('authorization', testApp.auth('auditor'));
    for (const party of body.parties) {
      expect(declared('PartyDto')).toEqual(expect.arrayContaining(Object.keys(party)));
      for (const key of party.keys)
        expect(declared('PartyKeyDto')).toEqual(expect.arrayContaining(Object.keys(key)));
    }
    expect(schemas.PartyDto.properties.role.enum).toEqual(['member', 'observer', 'body']);
  });

  it('makes a body no country: a focal-point token naming one is refused', async () => {
    const token = await testApp.token('focal-point', 'secretariat');
    await testApp.http().get('/v1/parties').set('authorization', `Bearer ${token}`).expect(401);
    expect(testApp.config.parties.all.map((party) => party.code)).toEqual(['KAZ', 'AZE', 'HUN']);
  });

  it.each<[string, unknown, RegExp]>([
    [
      'a private key',
      [{ ...PARTIES[0], keys: [{ kid: 'k', ...ED25519, d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A' }] }],
      /ACCORD_PARTIES_FILE: entry 0: keys\[0\]: is a private key \(it has d\): a parties file holds public keys only/,
    ],
    [
      'a P-256 point off the curve',
      [{ ...PARTIES[0], keys: [{ kid: 'k', ...P256, y: `A${P256.y.slice(1)}` }] }],
      /ACCORD_PARTIES_FILE: entry 0: keys\[0\]: is not a usable P-256 public key/,
    ],
  ])('stops the configuration on %s', (_, parties, message) => {
    const bad = join(directory, 'bad.json');
    writeFileSync(bad, JSON.stringify(parties));
    expect(() => loadConfig({ ACCORD_PARTIES_FILE: bad })).toThrow(ConfigError);
    expect(() => loadConfig({ ACCORD_PARTIES_FILE: bad })).toThrow(message);
  });
});
