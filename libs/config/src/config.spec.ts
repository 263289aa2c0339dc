import { ConfigError, loadConfig } from './config';

const JWKS = {
  ACCORD_JWT_JWKS_URL: 'https://id.example.org/jwks',
  ACCORD_JWT_ISSUER: 'https://id.example.org',
};

const POSTGRES = { ACCORD_READ_STORE: 'postgres', DATABASE_URL: 'postgres://accord@db:5432/accord' };

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env, '/tmp');
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
};

describe("The console's OpenID Connect settings", () => {
  it('are absent without ACCORD_OIDC_ISSUER and ACCORD_OIDC_CLIENT_ID: the console takes pasted tokens', () => {
    expect(loadConfig({}, '/tmp').oidc).toBeNull();
  });

  it('name the provider, the client and the scope, openid by default', () => {
    const env = {
      ...JWKS,
      ACCORD_OIDC_ISSUER: 'https://id.example.org',
      ACCORD_OIDC_CLIENT_ID: 'accord-console',
    };
    expect(loadConfig(env, '/tmp').oidc).toEqual({
      issuer: 'https://id.example.org',
      clientId: 'accord-console',
      scope: 'openid',
    });
    expect(loadConfig({ ...env, ACCORD_OIDC_SCOPE: 'openid accord' }, '/tmp').oidc?.scope).toBe(
      'openid accord',
    );
  });

  it('are refused when only one of the two is set', () => {
    expect(problemsOf({ ...JWKS, ACCORD_OIDC_ISSUER: 'https://id.example.org' })).toEqual([
      'ACCORD_OIDC_CLIENT_ID is required with ACCORD_OIDC_ISSUER',
    ]);
    expect(problemsOf({ ...JWKS, ACCORD_OIDC_CLIENT_ID: 'accord-console' })).toEqual([
      'ACCORD_OIDC_ISSUER is required with ACCORD_OIDC_CLIENT_ID',
    ]);
  });

  it('are refused with an issuer that is not https (but for the loopback interface), or has a query or fragment', () => {
    const withIssuer = (issuer: string) =>
      problemsOf({ ...JWKS, ACCORD_OIDC_ISSUER: issuer, ACCORD_OIDC_CLIENT_ID: 'accord-console' });
    for (const issuer of [
      'http://id.example.org',
      'https://id.example.org/?tenant=1',
      'https://id.example.org/#x',
      'id',
    ])
      expect({ issuer, problems: withIssuer(issuer) }).toEqual({
        issuer,
        problems: [
          'ACCORD_OIDC_ISSUER must be an https URL without query or fragment (http only for localhost)',
        ],
      });
    for (const issuer of [
      'http://127.0.0.1:9000',
      'http://localhost:9000/realms/ots',
      'https://id.example.org/realms/ots',
    ])
      expect({ issuer, problems: withIssuer(issuer) }).toEqual({ issuer, problems: [] });
  });

  it("are refused while the API verifies no provider's tokens (HS256, without ACCORD_JWT_JWKS_URL)", () => {
    expect(
      problemsOf({ ACCORD_OIDC_ISSUER: 'https://id.example.org', ACCORD_OIDC_CLIENT_ID: 'accord-console' }),
    ).toEqual(["ACCORD_OIDC_ISSUER needs ACCORD_JWT_JWKS_URL: the API verifies the provider's tokens"]);
  });

  it('are refused with a client id or scope that is no OAuth token', () => {
    expect(
      problemsOf({
        ...JWKS,
        ACCORD_OIDC_ISSUER: 'https://id.example.org',
        ACCORD_OIDC_CLIENT_ID: 'accord console',
        ACCORD_OIDC_SCOPE: 'openid  "accord"',
      }),
    ).toEqual([
      'ACCORD_OIDC_CLIENT_ID must be 1 to 200 visible ASCII characters',
      'ACCORD_OIDC_SCOPE must be scope tokens separated by single spaces',
    ]);
  });
});

describe('loadConfig: the lease (ACCORD_LEASE)', () => {
  it('runs without a lease by default, as the embedded default does', () => {
    expect(loadConfig({}, '/tmp').lease).toEqual({ kind: 'none' });
    expect(loadConfig({ ...POSTGRES }, '/tmp').lease).toEqual({ kind: 'none' });
  });

  it('with ACCORD_LEASE=postgres, keeps the lease in the read store’s database, renewed every 2 s, for 6 s', () => {
    expect(loadConfig({ ...POSTGRES, ACCORD_LEASE: 'postgres' }).lease).toEqual({
      kind: 'postgres',
      databaseUrl: POSTGRES.DATABASE_URL,
      ttlMs: 6000,
      renewMs: 2000,
    });
    expect(
      loadConfig({
        ...POSTGRES,
        ACCORD_LEASE: 'postgres',
        ACCORD_LEASE_TTL_MS: '3000',
        ACCORD_LEASE_RENEW_MS: '500',
      }).lease,
    ).toMatchObject({ ttlMs: 3000, renewMs: 500 });
  });

  it('refuses a lease without the PostgreSQL read store, whose writes it fences', () => {
    expect(problemsOf({ ACCORD_LEASE: 'postgres' })).toEqual([
      'ACCORD_LEASE=postgres needs ACCORD_READ_STORE=postgres: the lease lives beside the writes it fences',
    ]);
  });

  it('refuses renewals less frequent than three per TTL, out-of-range timings and unknown kinds', () => {
    expect(
      problemsOf({
        ...POSTGRES,
        ACCORD_LEASE: 'postgres',
        ACCORD_LEASE_TTL_MS: '5000',
        ACCORD_LEASE_RENEW_MS: '2000',
      }),
    ).toEqual(['ACCORD_LEASE_RENEW_MS must be at most a third of ACCORD_LEASE_TTL_MS (5000), got 2000']);
    expect(problemsOf({ ...POSTGRES, ACCORD_LEASE: 'postgres', ACCORD_LEASE_TTL_MS: '500' })).toEqual([
      'ACCORD_LEASE_TTL_MS must be an integer from 1000 to 60000 (got "500")',
    ]);
    expect(problemsOf({ ...POSTGRES, ACCORD_LEASE: 'zookeeper' })).toEqual([
      'ACCORD_LEASE must be one of none, postgres (got "zookeeper")',
    ]);
  });
});
