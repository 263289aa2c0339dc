import { createPrivateKey, createPublicKey, KeyObject, sign, verify } from 'node:crypto';
import { PartyKey } from '@accord/domain';
import { generateSigningKey, PrivateJwk, publicJwk } from './keys';
import { SignatureError, SignatureErrorReason } from './signature-error';
import { signCommand, verifySignedCommand, VerifySignedCommandInput } from './signed-command';

/** The Ed25519 key of RFC 8037 appendix A.1. */
const RFC8037: PrivateJwk = {
  kty: 'OKP',
  crv: 'Ed25519',
  d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A',
  x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
};
const ED_KEY: PartyKey = { kid: 'kaz-2026', kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', x: RFC8037.x };
const P256 = { ...generateSigningKey('ES256'), kid: 'kaz-p256' };
const EC_KEY = publicJwk(P256);

const ID = '6f1c1f5e-8a63-4f4e-9d57-0d5c6a9e2b11';
const NOW = new Date('2026-03-01T12:00:00Z');
const IAT = NOW.getTime() / 1000;
const BODY = { state: 'KAZ', decision: 'approve', proposalVersion: 1, proposalHash: 'ab'.repeat(32) };

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** Signs anything as a JWS compact serialization with node:crypto alone, independently of the code under test. */
function craft(header: unknown, payload: unknown, key: PrivateJwk = RFC8037): string {
  const encode = (part: unknown) => b64url(typeof part === 'string' ? part : JSON.stringify(part));
  const input = `${encode(header)}.${encode(payload)}`;
  const privateKey = createPrivateKey({ key: key as never, format: 'jwk' });
  const signature =
    key.kty === 'OKP'
      ? sign(null, Buffer.from(input), privateKey)
      : sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${b64url(signature)}`;
}

/** Verifies a JWS compact serialization with node:crypto alone. */
function independentlyVerifies(jws: string, key: PartyKey): boolean {
  const [header, payload, signature] = jws.split('.');
  const input = Buffer.from(`${header}.${payload}`, 'ascii');
  const publicKey: KeyObject = createPublicKey({ key: key as never, format: 'jwk' });
  return key.kty === 'OKP'
    ? verify(null, input, publicKey, Buffer.from(signature, 'base64url'))
    : verify(
        'sha256',
        input,
        { key: publicKey, dsaEncoding: 'ieee-p1363' },
        Buffer.from(signature, 'base64url'),
      );
}

const HEADER = { alg: 'EdDSA', kid: 'kaz-2026', typ: 'accord-decision+jws' };
const STATEMENT = { command: 'record-sign-off', initiativeId: ID, party: 'KAZ', iat: IAT, body: BODY };

function verifying(jws: unknown, overrides: Partial<VerifySignedCommandInput> = {}) {
  return verifySignedCommand({
    jws,
    keys: [ED_KEY, EC_KEY],
    command: 'record-sign-off',
    initiativeId: ID,
    party: 'KAZ',
    body: { ...BODY, signature: jws },
    now: NOW,
    ...overrides,
  });
}

async function reasonOf(promise: Promise<unknown>): Promise<SignatureErrorReason | 'accepted'> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    if (!(error instanceof SignatureError)) throw error;
    expect(error.message.length).toBeGreaterThan(10);
    return error.reason;
  }
}

describe('signCommand', () => {
  it.each([
    ['EdDSA', { ...RFC8037, kid: 'kaz-2026' }, ED_KEY],
    ['ES256', P256, EC_KEY],
  ] as const)('signs a %s JWS that node:crypto verifies on its own', async (alg, privateJwk, key) => {
    const jws = await signCommand({
      privateJwk,
      kid: key.kid,
      alg,
      command: 'record-sign-off',
      initiativeId: ID,
      party: 'KAZ',
      body: { ...BODY, signature: 'an old one' },
      iat: IAT,
    });
    const [header, payload, signature] = jws.split('.');
    expect(Buffer.from(header, 'base64url').toString()).toBe(
      `{"alg":"${alg}","kid":"${key.kid}","typ":"accord-decision+jws"}`,
    );
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toEqual(STATEMENT);
    expect(Object.keys(JSON.parse(Buffer.from(payload, 'base64url').toString()))).toEqual([
      'command',
      'initiativeId',
      'party',
      'iat',
      'body',
    ]);
    expect(Buffer.from(signature, 'base64url')).toHaveLength(64);
    expect(independentlyVerifies(jws, key)).toBe(true);
    expect(await verifying(jws)).toEqual({ kid: key.kid, alg, statement: STATEMENT });
  });

  it('is deterministic for Ed25519: the RFC 8037 key gives the signature node:crypto gives', async () => {
    const jws = await signCommand({
      privateJwk: RFC8037,
      kid: 'kaz-2026',
      alg: 'EdDSA',
      command: 'record-sign-off',
      initiativeId: ID,
      party: 'KAZ',
      body: BODY,
      iat: IAT,
    });
    expect(jws).toBe(craft(HEADER, STATEMENT));
  });

  it('refuses a key of another algorithm, a public key, an unknown command, a fractional iat', async () => {
    const input = {
      privateJwk: RFC8037,
      kid: 'k',
      alg: 'EdDSA' as const,
      command: 'record-sign-off' as const,
      initiativeId: ID,
      party: 'KAZ',
      body: BODY,
      iat: IAT,
    };
    await expect(signCommand({ ...input, alg: 'ES256' })).rejects.toThrow(/ES256/);
    await expect(
      signCommand({ ...input, privateJwk: { ...RFC8037, d: undefined as never } }),
    ).rejects.toThrow(/private/);
    await expect(signCommand({ ...input, command: 'delete-everything' as never })).rejects.toThrow(/command/);
    await expect(signCommand({ ...input, iat: IAT + 0.5 })).rejects.toThrow(/iat/);
  });
});

describe('verifySignedCommand', () => {
  describe('accepts', () => {
    it('a JWS made by node:crypto alone, Ed25519 and ES256', async () => {
      const ed = craft(HEADER, STATEMENT);
      const ec = craft({ ...HEADER, alg: 'ES256', kid: 'kaz-p256' }, STATEMENT, P256);
      expect(independentlyVerifies(ed, ED_KEY) && independentlyVerifies(ec, EC_KEY)).toBe(true);
      expect(await verifying(ed)).toEqual({ kid: 'kaz-2026', alg: 'EdDSA', statement: STATEMENT });
      expect(await verifying(ec)).toEqual({ kid: 'kaz-p256', alg: 'ES256', statement: STATEMENT });
    });

    it('a body equal as JSON: members in another order, numbers written otherwise, no signature member', async () => {
      const jws = craft(HEADER, STATEMENT);
      const reordered = JSON.parse(
        '{"proposalHash":"' +
          BODY.proposalHash +
          '","proposalVersion":1.0,"decision":"approve","state":"KAZ"}',
      );
      expect(await reasonOf(verifying(jws, { body: reordered }))).toBe('accepted');
    });

    it('an iat exactly 5 minutes away, and a key valid from or until exactly iat', async () => {
      const bounded = { ...ED_KEY, notBefore: '2026-03-01T12:05:00Z', notAfter: '2026-03-01T17:05:00+05:00' };
      const jws = craft(HEADER, { ...STATEMENT, iat: IAT + 300 });
      expect(await reasonOf(verifying(jws, { keys: [bounded] }))).toBe('accepted');
      expect(await reasonOf(verifying(craft(HEADER, { ...STATEMENT, iat: IAT - 300 })))).toBe('accepted');
    });

    it('the typ as RFC 7515 compares media types: any case, application/ prefix', async () => {
      for (const typ of ['application/accord-decision+jws', 'Accord-Decision+JWS'])
        expect(await reasonOf(verifying(craft({ ...HEADER, typ }, STATEMENT)))).toBe('accepted');
    });
  });

  describe('refuses', () => {
    const [header, payload, signature] = craft(HEADER, STATEMENT).split('.');
    it.each<[string, unknown]>([
      ['no string', 42],
      ['two parts', `${header}.${payload}`],
      ['four parts', `${header}.${payload}.${signature}.${signature}`],
      ['an empty part', `${header}..${signature}`],
      ['padding', `${header}=.${payload}.${signature}`],
      ['a header that is no JSON', `${b64url('{alg')}.${payload}.${signature}`],
      ['a header that is an array', `${b64url('["EdDSA"]')}.${payload}.${signature}`],
      ['a header that is no UTF-8', `${b64url(Buffer.from([0x7b, 0xff, 0x7d]))}.${payload}.${signature}`],
      ['a header with more members (crit)', craft({ ...HEADER, crit: ['b64'], b64: false }, STATEMENT)],
      ['a header with a jwk of its own', craft({ ...HEADER, jwk: ED_KEY }, STATEMENT)],
      ['a header without kid', craft({ alg: 'EdDSA', typ: 'accord-decision+jws' }, STATEMENT)],
      ['a header with an empty kid', craft({ ...HEADER, kid: '' }, STATEMENT)],
    ])('a malformed JWS: %s', async (_, jws) => {
      expect(await reasonOf(verifying(jws))).toBe('malformed-jws');
    });

    it.each(['HS256', 'none', 'RS256', 'ES384', 'Ed25519', undefined])('alg %s', async (alg) => {
      expect(await reasonOf(verifying(craft({ ...HEADER, alg }, STATEMENT)))).toBe('unsupported-alg');
    });

    it.each([undefined, 'JWT', 'jose', 'accord-decision', 'application/jose', 42])('typ %s', async (typ) => {
      expect(await reasonOf(verifying(craft({ ...HEADER, typ }, STATEMENT)))).toBe('wrong-typ');
    });

    it('a kid that is not a key of the party', async () => {
      expect(await reasonOf(verifying(craft({ ...HEADER, kid: 'kgz-2026' }, STATEMENT)))).toBe('unknown-kid');
      expect(await reasonOf(verifying(craft(HEADER, STATEMENT), { keys: [] }))).toBe('unknown-kid');
    });

    it("a header alg that is not the key's, whichever key signed", async () => {
      const es256OnEdKey = craft({ ...HEADER, alg: 'ES256' }, STATEMENT, P256);
      const eddsaOnEcKey = craft({ ...HEADER, kid: 'kaz-p256' }, STATEMENT);
      expect(await reasonOf(verifying(es256OnEdKey))).toBe('alg-mismatch');
      expect(await reasonOf(verifying(eddsaOnEcKey))).toBe('alg-mismatch');
    });

    it('a key that is no public key (a point off the curve)', async () => {
      const { x, y } = P256 as { x: string; y: string };
      const offCurve: PartyKey = {
        kid: 'kaz-p256',
        kty: 'EC',
        crv: 'P-256',
        x,
        y: `${y[0] === 'A' ? 'B' : 'A'}${y.slice(1)}`,
      };
      const jws = craft({ ...HEADER, alg: 'ES256', kid: 'kaz-p256' }, STATEMENT, P256);
      expect(await reasonOf(verifying(jws, { keys: [offCurve] }))).toBe('unusable-key');
    });

    it('a key that is not Ed25519 or P-256, or whose alg is not its curve', async () => {
      const jws = craft(HEADER, STATEMENT);
      const rsa = { kid: 'kaz-2026', kty: 'RSA', n: 'x', e: 'AQAB' } as unknown as PartyKey;
      const x25519 = { ...ED_KEY, crv: 'X25519' } as unknown as PartyKey;
      const claimsEs256 = { ...ED_KEY, alg: 'ES256' } as unknown as PartyKey;
      for (const key of [rsa, x25519, claimsEs256])
        expect(await reasonOf(verifying(jws, { keys: [key] }))).toBe('unusable-key');
    });

    it('a signature by another key, a changed payload, a changed or cut signature', async () => {
      const other = { ...generateSigningKey('EdDSA') };
      expect(await reasonOf(verifying(craft(HEADER, STATEMENT, other)))).toBe('bad-signature');
      const changed = b64url(JSON.stringify({ ...STATEMENT, body: { ...BODY, decision: 'refuse' } }));
      expect(await reasonOf(verifying(`${header}.${changed}.${signature}`))).toBe('bad-signature');
      const flipped = Buffer.from(signature, 'base64url');
      flipped[10] ^= 1;
      expect(await reasonOf(verifying(`${header}.${payload}.${b64url(flipped)}`))).toBe('bad-signature');
      expect(await reasonOf(verifying(`${header}.${payload}.${signature.slice(0, 40)}`))).toBe(
        'bad-signature',
      );
      const ecJws = craft({ ...HEADER, alg: 'ES256', kid: 'kaz-p256' }, STATEMENT, P256);
      const [ecHeader, , ecSignature] = ecJws.split('.');
      expect(await reasonOf(verifying(`${ecHeader}.${changed}.${ecSignature}`))).toBe('bad-signature');
    });

    it.each<[string, unknown]>([
      ['no JSON', 'not json'],
      ['an array', [STATEMENT]],
      ['another member', { ...STATEMENT, exp: IAT + 60 }],
      ['an unknown command', { ...STATEMENT, command: 'delete-initiative' }],
      ['no party', { ...STATEMENT, party: undefined }],
      ['an initiativeId that is no string', { ...STATEMENT, initiativeId: 7 }],
      ['a body that is no object', { ...STATEMENT, body: 'approve' }],
      ['a body that is an array', { ...STATEMENT, body: [BODY] }],
    ])('a statement that is %s', async (_, statement) => {
      expect(await reasonOf(verifying(craft(HEADER, statement)))).toBe('malformed-statement');
    });

    it('a statement without iat', async () => {
      expect(await reasonOf(verifying(craft(HEADER, { ...STATEMENT, iat: undefined })))).toBe('missing-iat');
    });

    it.each([IAT + 0.5, `${IAT}`, null, 1e300])(
      'an iat %s that is not an integer of seconds',
      async (iat) => {
        expect(await reasonOf(verifying(craft(HEADER, { ...STATEMENT, iat })))).toBe('invalid-iat');
      },
    );

    it.each([IAT + 301, IAT - 301, 0, IAT * 1000])('an iat %s more than 5 minutes from now', async (iat) => {
      const key = { ...ED_KEY };
      expect(await reasonOf(verifying(craft(HEADER, { ...STATEMENT, iat }), { keys: [key] }))).toBe(
        'iat-out-of-window',
      );
    });

    it('a key not valid at iat: before its notBefore, after its notAfter', async () => {
      const jws = craft(HEADER, STATEMENT);
      const notYet = { ...ED_KEY, notBefore: '2026-03-01T12:00:00.001Z' };
      const expired = { ...ED_KEY, notAfter: '2026-03-01T16:59:59+05:00' };
      expect(await reasonOf(verifying(jws, { keys: [notYet] }))).toBe('key-not-valid-at-iat');
      expect(await reasonOf(verifying(jws, { keys: [expired] }))).toBe('key-not-valid-at-iat');
    });

    it('a statement of another command, initiative or party than the route and token', async () => {
      const jws = craft(HEADER, STATEMENT);
      expect(await reasonOf(verifying(jws, { command: 'request-changes' }))).toBe('command-mismatch');
      expect(await reasonOf(verifying(jws, { initiativeId: ID.toUpperCase() }))).toBe('initiative-mismatch');
      expect(await reasonOf(verifying(jws, { party: 'AZE' }))).toBe('party-mismatch');
    });

    it('a statement of another body than the request body without signature', async () => {
      const jws = craft(HEADER, STATEMENT);
      for (const body of [
        { ...BODY, decision: 'refuse' },
        { ...BODY, comment: 'added after signing' },
        { state: 'KAZ', decision: 'approve', proposalVersion: 1 },
        { ...BODY, proposalVersion: '1' },
      ])
        expect(await reasonOf(verifying(jws, { body }))).toBe('body-mismatch');
    });
  });
});
