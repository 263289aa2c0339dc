import { startTestApp, TestApp } from './support';

const LIMIT = 5;

/**
 * ACCORD_RATE_LIMIT_PER_MINUTE counts per token subject, and per client address before authentication: a flood of
 * requests without a token, or with refused tokens, is answered 429 like any other.
 */
describe('Rate limit', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp({ env: { ACCORD_RATE_LIMIT_PER_MINUTE: String(LIMIT) } });
  });
  afterAll(async () => testApp.close());

  const parties = (authorization?: string) => {
    const request = testApp.http().get('/v1/parties');
    return authorization ? request.set('authorization', authorization) : request;
  };

  it('counts requests without a token or with a refused one per client address, then answers 429', async () => {
    const refused = `Bearer ${(await testApp.token('auditor')).slice(0, -2)}xx`;
    const statuses: number[] = [];
    for (let index = 0; index < LIMIT; index++)
      statuses.push((await parties(index % 2 === 0 ? undefined : refused)).status);
    expect(statuses).toEqual(Array.from({ length: LIMIT }, () => 401));

    for (const authorization of [undefined, refused]) {
      const response = await parties(authorization);
      expect({ status: response.status, code: response.body.code }).toEqual({
        status: 429,
        code: 'too-many-requests',
      });
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    }

    // An authenticated subject from the same address has its own count; health checks are never counted.
    await parties(testApp.auth('auditor')).expect(200);
    await testApp.http().get('/health/live').expect(200);
  });

  it('counts authenticated requests per subject: another subject goes on', async () => {
    const statuses: number[] = [];
    for (let index = 0; index <= LIMIT; index++)
      statuses.push((await parties(testApp.auth('secretariat'))).status);
    expect(statuses).toEqual([...Array.from({ length: LIMIT }, () => 200), 429]);
    await parties(testApp.auth('fund-board')).expect(200);
  });
});
