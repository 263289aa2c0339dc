import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import { exportJWK, importPKCS8, SignJWT } from 'jose';
import { auditor, HttpClient, proposalBody, secretariat, tokenFor } from '../reliability/support/http';
import {
  AccordServer,
  freshDataDir,
  killAllStarted,
  n,
  removeDir,
  SECRET,
  secondsSince,
  startServer,
} from '../reliability/support/server';
import { StoreReader } from '../reliability/support/store';
import { hs256, now, validClaims } from './support/fixtures';

jest.setTimeout(300_000);

const b64 = (value: object | string) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A token signed with a freshly generated asymmetric key (the server only trusts its HS256 secret). */
async function asymmetric(alg: 'RS256' | 'PS256' | 'ES256' | 'EdDSA', header: Record<string, unknown> = {}) {
  const pair =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = await importPKCS8(pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), alg);
  const jwk = await exportJWK(pair.publicKey);
  const extra = { ...header };
  if (extra.jwk === true) extra.jwk = jwk; // the attacker's own public key, embedded (CVE-2018-0114)
  return {
    token: await new SignJWT(validClaims())
      .setProtectedHeader({ alg, typ: 'JWT', ...extra } as { alg: string })
      .sign(key),
    publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    publicPkcs1: alg.startsWith('RS')
      ? pair.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString()
      : '',
    jwk: JSON.stringify(jwk),
  };
}

/**
 * S3 (quality.md): token attacks, each refused with 401 unauthenticated (and `WWW-Authenticate: Bearer`), on a
 * read and on a command, storing nothing — against the compiled server. test/e2e/errors.e2e-spec.ts covers a
 * first set in-process (alg none, a wrong secret, expired, no exp, wrong iss/aud, HS384, roles); this one adds the
 * algorithm confusions (an RS256 token of a generated key, with an embedded jwk or a jku; HS256 keyed with the
 * public key PEM), ES256/PS256/EdDSA, not-yet-valid tokens, claims of the wrong type, tampered headers and payloads,
 * a missing or odd sub, and huge tokens.
 */
describe('S3: token attacks', () => {
  const dataDir = freshDataDir('s3');
  let server: AccordServer;
  let client: HttpClient;
  let store: StoreReader;
  let initiative: string;

  beforeAll(async () => {
    server = await startServer({ dataDir });
    client = new HttpClient(server.url, 8);
    store = new StoreReader(dataDir);
    initiative = randomUUID();
    const proposed = await client.post('/v1/initiatives', proposalBody({ initiativeId: initiative }), {
      token: await tokenFor(secretariat),
    });
    expect(proposed.status).toBe(201);
  });
  afterAll(async () => {
    store?.close();
    client?.close();
    await server?.stop();
    await killAllStarted();
    removeDir(dataDir);
  });

  async function attacks(): Promise<[string, string][]> {
    const real = await tokenFor(auditor);
    const [header, payload, signature] = real.split('.');
    const otherSignature = (await tokenFor({ role: 'fund-board' })).split('.')[2];
    const rs = await asymmetric('RS256');
    const withJwk = await asymmetric('RS256', { jwk: true });
    const withJku = await asymmetric('RS256', { jku: 'http://127.0.0.1:9/jwks.json', kid: 'attacker' });
    const withX5u = await asymmetric('RS256', { x5u: 'http://127.0.0.1:9/cert.pem' });
    const forged = (claims: object, hdr: object = { alg: 'HS256', typ: 'JWT' }) => hs256(hdr, claims);
    const tampered = (claims: object) =>
      `${header}.${b64({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), ...claims })}.${signature}`;
    const padding = (size: number) => 'p'.repeat(size);
    return [
      ['alg none, no signature', `${b64({ alg: 'none', typ: 'JWT' })}.${b64(validClaims())}.`],
      ['alg None', `${b64({ alg: 'None', typ: 'JWT' })}.${b64(validClaims())}.`],
      ['alg NONE with a signature', `${b64({ alg: 'NONE' })}.${b64(validClaims())}.${signature}`],
      ['alg none, the real payload', `${b64({ alg: 'none' })}.${payload}.`],
      ['RS256 signed with a generated RSA key', rs.token],
      ['RS256 with the attacker key embedded (jwk header)', withJwk.token],
      ['RS256 with a jku header', withJku.token],
      ['RS256 with an x5u header', withX5u.token],
      [
        'HS256 keyed with the RSA public key (SPKI PEM)',
        hs256({ alg: 'HS256', typ: 'JWT' }, validClaims(), rs.publicPem),
      ],
      [
        'HS256 keyed with the RSA public key (PKCS#1 PEM)',
        hs256({ alg: 'HS256', typ: 'JWT' }, validClaims(), rs.publicPkcs1),
      ],
      ['HS256 keyed with the public JWK', hs256({ alg: 'HS256', typ: 'JWT' }, validClaims(), rs.jwk)],
      ['PS256 signed with a generated key', (await asymmetric('PS256')).token],
      ['ES256 signed with a generated key', (await asymmetric('ES256')).token],
      ['EdDSA signed with a generated key', (await asymmetric('EdDSA')).token],
      ['HS512 with the right secret', hs512(validClaims())],
      ['HS256 with an empty secret', hs256({ alg: 'HS256' }, validClaims(), '')],
      [
        'HS256 with the secret minus its last character',
        hs256({ alg: 'HS256' }, validClaims(), SECRET.slice(0, -1)),
      ],
      ['expired a minute ago', forged(validClaims({ exp: now() - 60 }))],
      ['expired beyond the 5 s tolerance', forged(validClaims({ exp: now() - 8 }))],
      ['exp 0', forged(validClaims({ exp: 0 }))],
      ['exp as a string', forged(validClaims({ exp: String(now() + 600) }))],
      ['exp as a float string in the far future', forged(validClaims({ exp: '9e99' }))],
      ['not valid before an hour from now (nbf)', forged(validClaims({ nbf: now() + 3600 }))],
      ['not valid before a minute from now (nbf)', forged(validClaims({ nbf: now() + 60 }))],
      ['nbf as a string', forged(validClaims({ nbf: String(now() - 10) }))],
      ['wrong issuer', forged(validClaims({ iss: 'someone-else' }))],
      ['issuer in another case', forged(validClaims({ iss: 'ACCORD' }))],
      ['issuer with a trailing space', forged(validClaims({ iss: 'accord ' }))],
      ['no issuer', forged(validClaims({ iss: undefined }))],
      ['wrong audience', forged(validClaims({ aud: 'another-api' }))],
      ['audience list without ours', forged(validClaims({ aud: ['another-api', 'accord'] }))],
      ['no audience', forged(validClaims({ aud: undefined }))],
      ['tampered payload: auditor made secretariat', tampered({ role: 'secretariat' })],
      ['tampered payload: another sub', tampered({ sub: 'secretary-general' })],
      ['tampered payload: expiry pushed back', tampered({ exp: now() + 86_400 * 365 })],
      ['tampered header: alg HS384', `${b64({ alg: 'HS384', typ: 'JWT' })}.${payload}.${signature}`],
      [
        'tampered header: a kid added',
        `${b64({ alg: 'HS256', typ: 'JWT', kid: '../../../dev/null' })}.${payload}.${signature}`,
      ],
      ['the signature of another token', `${header}.${payload}.${otherSignature}`],
      [
        'crit header naming an unknown extension',
        forged(validClaims(), { alg: 'HS256', crit: ['exp-v2'], 'exp-v2': 1 }),
      ],
      ['b64: false header', forged(validClaims(), { alg: 'HS256', b64: false, crit: ['b64'] })],
      ['missing sub', forged(validClaims({ sub: undefined }))],
      ['empty sub', forged(validClaims({ sub: '' }))],
      ['sub with a space', forged(validClaims({ sub: 'two words' }))],
      ['sub of 201 characters', forged(validClaims({ sub: 's'.repeat(201) }))],
      ['sub as a number', forged(validClaims({ sub: 42 }))],
      ['sub with a NUL', forged(validClaims({ sub: 'a\u0000b' }))],
      ['role as an array', forged(validClaims({ role: ['secretariat'] }))],
      ['focal point of an unknown country', forged(validClaims({ role: 'focal-point', country: 'XXX' }))],
      ['focal point with a lower-case country', forged(validClaims({ role: 'focal-point', country: 'kaz' }))],
      ['payload that is a JSON array', `${b64({ alg: 'HS256' })}.${b64('[1,2]')}.sig`],
      ['payload that is not JSON', hs256Raw('{"alg":"HS256"}', 'not json')],
      ['header that is not JSON', `${b64('not json')}.${payload}.${signature}`],
      ['huge garbage token (12 KB)', `${'A'.repeat(6000)}.${'B'.repeat(6000)}.${'C'.repeat(43)}`],
      [
        'huge forged token (14 KB payload, wrong key)',
        hs256(
          { alg: 'HS256' },
          validClaims({ padding: padding(10_000) }),
          'not-the-secret-not-the-secret-not',
        ),
      ],
      ['huge token with a tampered 10 KB claim', tampered({ padding: padding(10_000) })],
    ];
  }

  function hs512(claims: object): string {
    const unsigned = `${b64({ alg: 'HS512', typ: 'JWT' })}.${b64(claims)}`;
    return `${unsigned}.${createHmac('sha512', SECRET).update(unsigned).digest('base64url')}`;
  }

  function hs256Raw(headerText: string, payloadText: string): string {
    const unsigned = `${b64(headerText)}.${b64(payloadText)}`;
    return `${unsigned}.${createHmac('sha256', SECRET).update(unsigned).digest('base64url')}`;
  }

  it('refuses every forged, confused, expired, premature, mis-addressed, tampered or malformed token with 401', async () => {
    const started = Date.now();
    const cases = await attacks();
    const problems: string[] = [];
    const headBefore = store.head();
    for (const [name, token] of cases)
      for (const [method, path, body] of [
        ['GET', `/v1/initiatives/${initiative}`, undefined],
        ['GET', `/v1/initiatives/${initiative}/audit-bundle`, undefined],
        ['POST', `/v1/initiatives/${initiative}/withdrawal`, { reason: 'Taken over' }],
        ['POST', '/v1/initiatives', proposalBody()],
      ] as const) {
        const response = await client.request(method, path, { authorization: `Bearer ${token}`, json: body });
        if (
          response.status !== 401 ||
          response.body?.code !== 'unauthenticated' ||
          response.headers['www-authenticate'] !== 'Bearer'
        )
          problems.push(
            `${name}, ${method} ${path.replace(initiative, '{id}')}: ${response.status} ${response.text.slice(0, 160)}`,
          );
        if (response.text.includes(token.slice(-20)))
          problems.push(`${name}: the token echoed in the answer`);
      }
    const headAfter = store.head();
    console.log(
      `S3: ${cases.length} token attacks × 4 routes (2 reads, 2 commands) = ${n(cases.length * 4)} requests in ` +
        `${secondsSince(started)} s: ${n(cases.length * 4 - problems.length)} answered 401 unauthenticated with ` +
        `WWW-Authenticate: Bearer; log head ${headBefore} → ${headAfter}`,
    );
    expect(problems).toEqual([]);
    expect(headAfter).toBe(headBefore);
  });

  it('a validly signed but odd token: accepted when only odd, refused when it lies about its time or is too large', async () => {
    const huge = hs256(
      { alg: 'HS256', typ: 'JWT' },
      validClaims({ role: 'auditor', padding: 'p'.repeat(10_000) }),
    );
    const headerLimit = hs256(
      { alg: 'HS256', typ: 'JWT' },
      validClaims({ role: 'auditor', padding: 'p'.repeat(20_000) }),
    );
    const futureIat = hs256(
      { alg: 'HS256', typ: 'JWT' },
      validClaims({ role: 'auditor', iat: now() + 365 * 86_400 }),
    );
    const farExp = hs256(
      { alg: 'HS256', typ: 'JWT' },
      validClaims({ role: 'auditor', exp: now() + 100 * 365 * 86_400 }),
    );
    const lower = await tokenFor(auditor);
    const lines: string[] = [];
    const unexpected: string[] = [];
    // A lifetime is the issuer's policy: Accord checks that the token has not expired, not how long it lives.
    for (const [name, authorization, expected] of [
      ['a validly signed 13 KB token', `Bearer ${huge}`, 200],
      ['iat a year in the future', `Bearer ${futureIat}`, 401],
      ['exp a hundred years away', `Bearer ${farExp}`, 200],
      ['the scheme in lower case ("bearer", RFC 9110: case-insensitive)', `bearer ${lower}`, 200],
      ['a validly signed 27 KB token (over Node’s 16 KB header limit)', `Bearer ${headerLimit}`, 431],
    ] as const) {
      const fresh = new HttpClient(server.url, 1); // Node closes the connection after a 431
      const response = await fresh.get(`/v1/initiatives/${initiative}`, { authorization }).catch((error) => ({
        status: `no answer (${error})`,
        text: '',
      }));
      fresh.close();
      lines.push(`  ${name}: ${response.status}`);
      if (response.status !== expected) unexpected.push(`${name}: ${response.status}, not ${expected}`);
    }
    console.log(`S3 (a validly signed token that is odd):\n${lines.join('\n')}`);
    expect(unexpected).toEqual([]);
  });
});
