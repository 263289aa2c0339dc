import { partiesFileProblems, rfc3339Instant } from './parse-parties';
import { DEFAULT_PARTIES, Parties, PartiesEntry } from './parties';

/** The Ed25519 public key of RFC 8037 appendix A.2 and the P-256 key of RFC 7515 appendix A.3. */
const ED25519 = {
  kid: 'kaz-2026',
  kty: 'OKP',
  crv: 'Ed25519',
  alg: 'EdDSA',
  x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
};
const P256 = {
  kid: 'kaz-hsm',
  kty: 'EC',
  crv: 'P-256',
  alg: 'ES256',
  x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
  y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
};
const WITNESS = `witness.kaz.example+a1b2c3d4+${Buffer.concat([Buffer.from([4]), Buffer.alloc(32, 7)]).toString('base64')}`;

const FILE = [
  {
    code: 'KAZ',
    name: 'Kazakhstan',
    role: 'member',
    keys: [ED25519, { ...P256, notBefore: '2026-01-01T00:00:00Z', notAfter: '2027-01-01T00:00:00+05:00' }],
    witnessKeys: [WITNESS],
  },
  { code: 'AZE', name: 'Azerbaijan', role: 'member' },
  { code: 'HUN', name: 'Hungary', role: 'observer', keys: [] },
  { code: 'secretariat', name: 'OTS Secretariat', role: 'body', keys: [{ ...ED25519, kid: 'sec-1' }] },
  { code: 'fund-board', name: 'OTS Fund Board', role: 'body' },
];

/** The problems of FILE with its first entry changed. */
function problemsWith(kaz: Record<string, unknown>): string[] {
  return partiesFileProblems([{ ...FILE[0], ...kaz }, ...FILE.slice(1)]);
}
const withKey = (key: Record<string, unknown>) => problemsWith({ keys: [key] });

describe('A parties file', () => {
  it('accepts keys on states and bodies, and witness keys on members', () => {
    expect(partiesFileProblems(FILE)).toEqual([]);
    expect(withKey({ kid: 'no-alg', kty: 'OKP', crv: 'Ed25519', x: ED25519.x })).toEqual([]);
    expect(withKey({ ...P256, alg: undefined, use: 'sig' })).toEqual([]);
  });

  it('accepts the default file, which has no keys', () => {
    expect(partiesFileProblems(DEFAULT_PARTIES)).toEqual([]);
    expect(DEFAULT_PARTIES.some((party) => 'keys' in party || 'witnessKeys' in party)).toBe(false);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'an Ed25519 private key',
      { ...ED25519, d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A' },
      /private key.*\bd\b.*public keys only/,
    ],
    ['a P-256 private key', { ...P256, d: 'x' }, /private key/],
    ['a symmetric key', { kid: 'k', kty: 'oct', k: 'c2VjcmV0' }, /private key.*\bk\b/],
    ['an RSA key', { kid: 'k', kty: 'RSA', n: 'x', e: 'AQAB' }, /kty must be OKP .* or EC/],
    ['an X25519 key', { ...ED25519, crv: 'X25519' }, /crv Ed25519/],
    ['an Ed25519 key claiming ES256', { ...ED25519, alg: 'ES256' }, /alg EdDSA/],
    ['a P-384 key', { ...P256, crv: 'P-384' }, /crv P-256/],
    ['a P-256 key claiming EdDSA', { ...P256, alg: 'EdDSA' }, /alg ES256/],
    ['a P-256 key without y', { ...P256, y: undefined }, /y must be/],
    ['an Ed25519 key with y', { ...ED25519, y: P256.y }, /has no y/],
    ['an x of 31 bytes', { ...ED25519, x: ED25519.x.slice(0, 42) }, /x must be the base64url .* 32 bytes/],
    ['an x in base64 with padding', { ...ED25519, x: `${ED25519.x}=` }, /x must be/],
    ['an x in standard base64', { ...ED25519, x: ED25519.x.replace('_', '/') }, /x must be/],
    ['an x with stray bits', { ...ED25519, x: `${ED25519.x.slice(0, 42)}p` }, /x must be/],
    ['no kid', { ...ED25519, kid: undefined }, /kid must be/],
    ['a kid with a space', { ...ED25519, kid: 'kaz 2026' }, /kid must be/],
    ['use enc', { ...ED25519, use: 'enc' }, /use, when given, must be sig/],
    ['a misspelt member', { ...ED25519, notbefore: '2026-01-01T00:00:00Z' }, /unknown member "notbefore"/],
    ['a date without time', { ...ED25519, notBefore: '2026-01-01' }, /notBefore must be an RFC 3339 instant/],
    ['a day that does not exist', { ...ED25519, notAfter: '2026-02-29T00:00:00Z' }, /notAfter must be/],
    ['no offset', { ...ED25519, notAfter: '2026-02-28T00:00:00' }, /notAfter must be/],
    ['a number of seconds', { ...ED25519, notBefore: 1767225600 }, /notBefore must be/],
    [
      'bounds in the wrong order',
      { ...ED25519, notBefore: '2027-01-01T00:00:00Z', notAfter: '2026-01-01T00:00:00Z' },
      /notBefore is after notAfter/,
    ],
  ])('refuses %s', (_, key, message) => {
    const problems = withKey(key);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((problem) => problem.startsWith('entry 0: keys[0]: '))).toBe(true);
    expect(problems.join('\n')).toMatch(message);
  });

  it('refuses a private key with that message only, so the fix is plain', () => {
    expect(withKey({ ...ED25519, d: 'secret' })).toEqual([
      'entry 0: keys[0]: is a private key (it has d): a parties file holds public keys only, ' +
        'give the public JWK that `accord keys generate` printed',
    ]);
  });

  it('refuses a kid twice in one party, not across parties', () => {
    expect(problemsWith({ keys: [ED25519, { ...P256, kid: ED25519.kid }] })).toEqual([
      'entry 0: keys[1]: kid "kaz-2026" appears twice in this party',
    ]);
    expect(problemsWith({ keys: [{ ...ED25519, kid: 'sec-1' }] })).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['keys that are no array', { keys: ED25519 }, 'entry 0: keys must be an array of public JWKs'],
    ['a key that is no object', { keys: ['kaz-2026'] }, 'entry 0: keys[0]: must be a JWK object'],
    [
      'a misspelt keys',
      { key: [ED25519] },
      'entry 0: unknown member "key" (allowed: code, name, role, keys, witnessKeys)',
    ],
    [
      'witness keys that are no array',
      { witnessKeys: WITNESS },
      'entry 0: witnessKeys must be an array of C2SP vkey strings',
    ],
    ['a witness key twice', { witnessKeys: [WITNESS, WITNESS] }, 'entry 0: witnessKeys[1] appears twice'],
  ])('refuses %s', (_, kaz, problem) => {
    expect(problemsWith(kaz)).toEqual([problem]);
  });

  it.each([
    ['no key ID', WITNESS.replace('+a1b2c3d4', '')],
    ['a key ID of 7 hex digits', WITNESS.replace('a1b2c3d4', 'a1b2c3d')],
    ['a key ID that is no hex', WITNESS.replace('a1b2c3d4', 'a1b2c3dg')],
    ['a name with a space', `witness kaz${WITNESS.slice('witness.kaz'.length)}`],
    ['an empty name', WITNESS.slice('witness.kaz.example'.length)],
    [
      'a key of type 0x01 (an Ed25519 signed-note key, not a cosignature key)',
      WITNESS.replace(
        /\+B[^+]+$/,
        `+${Buffer.concat([Buffer.from([1]), Buffer.alloc(32, 7)]).toString('base64')}`,
      ),
    ],
    ['a key of 31 bytes', WITNESS.slice(0, -4)],
    ['a key in base64url', WITNESS.replace(/\+B[^+]+$/, '+BAcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc_')],
  ])('refuses a witness key with %s', (_, vkey) => {
    expect(problemsWith({ witnessKeys: [vkey] })).toEqual([
      'entry 0: witnessKeys[0] must be a C2SP vkey <name>+<8 hex key ID>+<base64 of 0x04 and the 32-byte ' +
        'Ed25519 public key>',
    ]);
  });

  it('refuses witness keys on an observer or a body', () => {
    const problems = partiesFileProblems([
      ...FILE.slice(0, 2),
      { ...FILE[2], witnessKeys: [WITNESS] },
      { ...FILE[3], witnessKeys: [WITNESS] },
    ]);
    expect(problems).toEqual([
      'entry 2: witnessKeys: only a member state names witness keys',
      'entry 3: witnessKeys: only a member state names witness keys',
    ]);
  });

  it('refuses a body with another code, a body twice, and a file of bodies only', () => {
    expect(
      partiesFileProblems([...FILE, { code: 'auditor', name: 'Auditors', role: 'body' }, FILE[3]]),
    ).toEqual([
      "entry 5: a body's code must be secretariat or fund-board",
      'entry 6: code secretariat appears twice',
    ]);
    expect(partiesFileProblems([FILE[3]])).toEqual(['no member state']);
    expect(partiesFileProblems([{ code: 'SEC', name: 'x', role: 'secretariat' }, FILE[1]])).toEqual([
      'entry 0: role must be member, observer or body',
    ]);
  });
});

describe('Parties', () => {
  const parties = new Parties(FILE as PartiesEntry[]);

  it('gives the keys of a state or a body, none for a party without keys or an unknown code', () => {
    expect(parties.keysOf('KAZ').map((key) => key.kid)).toEqual(['kaz-2026', 'kaz-hsm']);
    expect(parties.keysOf('secretariat').map((key) => key.kid)).toEqual(['sec-1']);
    expect(parties.keysOf('fund-board')).toEqual([]);
    expect(parties.keysOf('AZE')).toEqual([]);
    expect(parties.keysOf('XYZ')).toEqual([]);
    expect(parties.witnessKeysOf('KAZ')).toEqual([WITNESS]);
  });

  it('never counts a body as a state: no country, no member', () => {
    expect(parties.all.map((party) => party.code)).toEqual(['KAZ', 'AZE', 'HUN']);
    expect(parties.bodies.map((body) => body.code)).toEqual(['secretariat', 'fund-board']);
    expect(parties.entries).toHaveLength(5);
    expect(parties.find('secretariat')).toBeUndefined();
    expect(parties.isMember('secretariat')).toBe(false);
    expect(parties.findBody('secretariat')?.name).toBe('OTS Secretariat');
    expect(parties.isMember('KAZ')).toBe(true);
  });
});

describe('rfc3339Instant', () => {
  it.each([
    ['2026-01-01T00:00:00Z', Date.UTC(2026, 0, 1)],
    ['2026-01-01t05:00:00+05:00', Date.UTC(2026, 0, 1)],
    ['2025-12-31T19:00:00-05:00', Date.UTC(2026, 0, 1)],
    ['2026-01-01T00:00:00.5z', Date.UTC(2026, 0, 1) + 500],
    ['2026-01-01T00:00:00.0005Z', Date.UTC(2026, 0, 1) + 0.5],
    ['2024-02-29T23:59:59Z', Date.UTC(2024, 1, 29, 23, 59, 59)],
    ['0099-01-01T00:00:00Z', Date.parse('0099-01-01T00:00:00Z')],
  ])('reads %s', (text, expected) => {
    expect(rfc3339Instant(text)).toBe(expected);
  });

  it.each([
    '2026-01-01',
    '2026-01-01 00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T00:60:00Z',
    '2026-12-31T23:59:60Z',
    '2026-01-01T00:00:00+24:00',
    '2026-01-01T00:00:00+0500',
    '2026-01-01T00:00:00.Z',
  ])('refuses %s', (text) => {
    expect(rfc3339Instant(text)).toBeNaN();
  });
});
