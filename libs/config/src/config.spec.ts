import { ConfigError, loadConfig } from './config';

const POSTGRES = { ACCORD_READ_STORE: 'postgres', DATABASE_URL: 'postgres://accord@db:5432/accord' };

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
};

describe('loadConfig: the lease (ACCORD_LEASE)', () => {
  it('runs without a lease by default, as the embedded default does', () => {
    expect(loadConfig({}).lease).toEqual({ kind: 'none' });
    expect(loadConfig({ ...POSTGRES }).lease).toEqual({ kind: 'none' });
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
