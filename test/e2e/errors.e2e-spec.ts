import { createHmac } from 'node:crypto';
import { mintHs256Token } from '@accord/auth';
import { proposalBody, proposed, signedOff, startTestApp, TEST_SECRET, TestApp } from './support';

/** Every error code of api.md that these routes can produce, and proof that no refused request changed anything. */
describe('Refused requests', () => {
  let testApp: TestApp;
  let id: string;
  let headBefore: number;

  beforeAll(async () => {
    // The deadline scheduler stays off: the deadline test below is about a sign-off arriving late.
    testApp = await startTestApp({ store: 'sqlite', env: { ACCORD_ROLES: 'api,projector' } });
    id = await proposed(testApp, { participatingStates: ['KAZ', 'AZE', 'TUR'] });
    await signedOff(testApp, id, 'AZE').expect(201);
    headBefore = await testApp.infrastructure.eventStore.headPosition();
  });
  afterAll(async () => {
    // Nothing any test below sent was stored.
    expect(await testApp.infrastructure.eventStore.headPosition()).toBe(headBefore);
    await testApp.close();
  });

  const expectProblem = (
    response: { status: number; body: Record<string, unknown>; headers: Record<string, string> },
    status: number,
    code: string,
  ) => {
    expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({
      type: `urn:accord:problem:${code}`,
      status,
      title: expect.any(String),
      detail: expect.any(String),
    });
  };
  const signOff = (body: unknown, auth = testApp.auth('focal-point', 'KAZ')) =>
    testApp
      .http()
      .post(`/v1/initiatives/${id}/sign-offs`)
      .set('authorization', auth)
      .set('content-type', 'application/json')
      .send(body as object);

  describe('400 validation-failed', () => {
    it.each([
      ['malformed JSON', '{"state": "KAZ",'],
      ['a JSON string', '"approve"'],
      ['null', 'null'],
      ['an empty body', ''],
      [
        'a prototype-polluting key',
        '{"state":"KAZ","decision":"approve","proposalVersion":1,"__proto__":{"admin":true}}',
      ],
      ['a body nested ten thousand levels deep', `${'['.repeat(10_000)}${']'.repeat(10_000)}`],
      ['an object nested 40 levels deep', `${'{"a":'.repeat(40)}1${'}'.repeat(40)}`],
    ])('for %s', async (_, raw) => expectProblem(await signOff(raw), 400, 'validation-failed'));

    it('for a number out of range in a request with an Idempotency-Key', async () => {
      const response = await testApp
        .http()
        .post(`/v1/initiatives/${id}/sign-offs`)
        .set('authorization', testApp.auth('focal-point', 'KAZ'))
        .set('content-type', 'application/json')
        .set('idempotency-key', 'out-of-range')
        .send('{"state":"KAZ","decision":"approve","proposalVersion":1e999}');
      expectProblem(response, 400, 'validation-failed');
    });

    it('for a path the router cannot decode, with the security headers', async () => {
      const response = await testApp
        .http()
        .get('/v1/initiatives/%E0%A4%A')
        .set('authorization', testApp.auth('auditor'));
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    });

    // Fastify 5.12 (NestJS 12) refuses a bad percent-encoding before routing, also where no route has the method
    // (Fastify 5.11 answered that one 404).
    it('for a path that cannot be decoded, on a method no route has, with the security headers', async () => {
      const response = await testApp
        .http()
        .patch('/v1/initiatives/%/change-requests')
        .set('authorization', testApp.auth('auditor'));
      expectProblem(response, 400, 'validation-failed');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    });

    it('lists each offending field', async () => {
      const response = await signOff({ state: 7, decision: 'maybe', proposalVersion: -1, extra: true });
      expectProblem(response, 400, 'validation-failed');
      expect(new Set(response.body.errors.map((error: { field: string }) => error.field))).toEqual(
        new Set(['state', 'decision', 'proposalVersion', 'extra']),
      );
    });

    it('for a body that is not JSON', async () => {
      const response = await testApp
        .http()
        .post(`/v1/initiatives/${id}/sign-offs`)
        .set('authorization', testApp.auth('focal-point', 'KAZ'))
        .set('content-type', 'application/xml')
        .send('<signOff/>');
      expectProblem(response, 400, 'validation-failed');
    });

    it('for an initiative id that is not a UUID', async () => {
      expectProblem(
        await testApp
          .http()
          .get('/v1/initiatives/patent-office')
          .set('authorization', testApp.auth('auditor')),
        400,
        'validation-failed',
      );
    });

    it.each([
      ['an empty key', ''],
      ['a key too long', 'k'.repeat(129)],
      ['a key with spaces', 'my key'],
    ])('for an Idempotency-Key with %s', async (_, key) => {
      const response = await testApp
        .http()
        .post(`/v1/initiatives/${id}/sign-offs`)
        .set('authorization', testApp.auth('focal-point', 'KAZ'))
        .set('idempotency-key', key)
        .send({ state: 'KAZ', decision: 'approve', proposalVersion: 1 });
      expectProblem(response, 400, 'validation-failed');
    });

    it('for an If-Match that is not a revision', async () => {
      const response = await signOff({ state: 'KAZ', decision: 'approve', proposalVersion: 1 }).set(
        'if-match',
        'yesterday',
      );
      expectProblem(response, 400, 'validation-failed');
    });

    it('for a time travel naming both a revision and an instant', async () => {
      const response = await testApp
        .http()
        .get(`/v1/initiatives/${id}/state?atRevision=0&at=2030-01-01T00:00:00Z`)
        .set('authorization', testApp.auth('auditor'));
      expectProblem(response, 400, 'validation-failed');
    });
  });

  describe('401 unauthenticated', () => {
    const claims = { role: 'secretariat', sub: 'intruder' };
    const sign = (header: object, payload: object, secret = TEST_SECRET) => {
      const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
      const unsigned = `${encode(header)}.${encode(payload)}`;
      return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
    };
    const valid = { ...claims, iss: 'accord', aud: 'accord-api', exp: Math.floor(Date.now() / 1000) + 600 };

    it.each([
      ['no token', undefined],
      ['a malformed header', 'Token abc'],
      [
        'alg none',
        `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(valid)).toString('base64url')}.`,
      ],
      ['a wrong secret', `Bearer ${sign({ alg: 'HS256' }, valid, 'another-secret-of-sufficient-length!!')}`],
      [
        'an expired token',
        `Bearer ${sign({ alg: 'HS256' }, { ...valid, exp: Math.floor(Date.now() / 1000) - 60 })}`,
      ],
      ['no expiry', `Bearer ${sign({ alg: 'HS256' }, { ...claims, iss: 'accord', aud: 'accord-api' })}`],
      ['a wrong issuer', `Bearer ${sign({ alg: 'HS256' }, { ...valid, iss: 'someone' })}`],
      ['a wrong audience', `Bearer ${sign({ alg: 'HS256' }, { ...valid, aud: 'another-api' })}`],
      ['HS384', `Bearer ${sign({ alg: 'HS384' }, valid)}`],
      ['an unknown role', `Bearer ${sign({ alg: 'HS256' }, { ...valid, role: 'king' })}`],
      ['the system role', `Bearer ${sign({ alg: 'HS256' }, { ...valid, role: 'system' })}`],
      [
        'a focal point without a country',
        `Bearer ${sign({ alg: 'HS256' }, { ...valid, role: 'focal-point' })}`,
      ],
      ['a secretariat bound to a country', `Bearer ${sign({ alg: 'HS256' }, { ...valid, country: 'KAZ' })}`],
    ])('for %s', async (_, authorization) => {
      const request = testApp.http().post(`/v1/initiatives/${id}/withdrawal`).send({ reason: 'Take over' });
      const response = await (authorization ? request.set('authorization', authorization) : request);
      expectProblem(response, 401, 'unauthenticated');
      expect(response.headers['www-authenticate']).toBe('Bearer');
    });

    it('for a tampered payload', async () => {
      const [header, , signature] = testApp.auth('auditor').slice(7).split('.');
      const forged = Buffer.from(JSON.stringify({ ...valid, role: 'secretariat' })).toString('base64url');
      expectProblem(
        await testApp
          .http()
          .get(`/v1/initiatives/${id}`)
          .set('authorization', `Bearer ${header}.${forged}.${signature}`),
        401,
        'unauthenticated',
      );
    });
  });

  describe('403 forbidden', () => {
    it('for a focal point acting for another country', async () =>
      expectProblem(
        await signOff({ state: 'TUR', decision: 'approve', proposalVersion: 1 }),
        403,
        'forbidden',
      ));

    it('for an auditor sending a command', async () =>
      expectProblem(
        await signOff({ state: 'KAZ', decision: 'approve', proposalVersion: 1 }, testApp.auth('auditor')),
        403,
        'forbidden',
      ));

    it('for a focal point of an observer state proposing', async () => {
      const response = await testApp
        .http()
        .post('/v1/initiatives')
        .set('authorization', testApp.auth('focal-point', 'HUN'))
        .send(proposalBody({ proposingState: 'KAZ' }));
      expectProblem(response, 403, 'forbidden');
    });
  });

  describe('404 not-found', () => {
    it('for an initiative that does not exist', async () =>
      expectProblem(
        await testApp
          .http()
          .get('/v1/initiatives/00000000-0000-4000-8000-000000000000')
          .set('authorization', testApp.auth('auditor')),
        404,
        'not-found',
      ));

    it('for a focal point whose country does not take part, reading or commanding', async () => {
      const uzb = testApp.auth('focal-point', 'UZB');
      expectProblem(
        await testApp.http().get(`/v1/initiatives/${id}`).set('authorization', uzb),
        404,
        'not-found',
      );
      expectProblem(
        await testApp.http().get(`/v1/initiatives/${id}/history`).set('authorization', uzb),
        404,
        'not-found',
      );
      expectProblem(
        await signOff({ state: 'UZB', decision: 'approve', proposalVersion: 1 }, uzb),
        404,
        'not-found',
      );
    });

    it('for an unknown route', async () =>
      expectProblem(
        await testApp.http().get('/v1/nothing-here').set('authorization', testApp.auth('auditor')),
        404,
        'not-found',
      ));
  });

  describe('409 conflicts', () => {
    it('invalid-status: a funding decision before approval', async () => {
      const response = await testApp
        .http()
        .post(`/v1/initiatives/${id}/funding-decision`)
        .set('authorization', testApp.auth('fund-board'))
        .send({ decision: 'granted', fundingBody: 'OTS Fund' });
      expectProblem(response, 409, 'invalid-status');
    });

    it('stale-proposal-version: a sign-off of another version', async () =>
      expectProblem(
        await signOff({ state: 'KAZ', decision: 'approve', proposalVersion: 2 }),
        409,
        'stale-proposal-version',
      ));

    it('already-signed: the same state signing the same version differently', async () =>
      expectProblem(
        await signOff(
          { state: 'AZE', decision: 'reject', proposalVersion: 1 },
          testApp.auth('focal-point', 'AZE'),
        ),
        409,
        'already-signed',
      ));

    it('already-exists: the same id proposed with another payload', async () => {
      const response = await testApp
        .http()
        .post('/v1/initiatives')
        .set('authorization', testApp.auth('secretariat'))
        .send(proposalBody({ initiativeId: id, title: 'Another initiative' }));
      expectProblem(response, 409, 'already-exists');
    });

    it('revision-mismatch: If-Match naming a revision the stream has left', async () =>
      expectProblem(
        await signOff({ state: 'KAZ', decision: 'approve', proposalVersion: 1 }).set('if-match', '"0"'),
        412,
        'revision-mismatch',
      ));

    it('idempotency-key-reused: one key, another body', async () => {
      const first = await testApp
        .http()
        .post(`/v1/initiatives/${id}/sign-offs`)
        .set('authorization', testApp.auth('focal-point', 'AZE'))
        .set('idempotency-key', 'aze-signs')
        .send({ state: 'AZE', decision: 'approve', proposalVersion: 1 });
      expect(first.status).toBe(200);
      const reused = await testApp
        .http()
        .post(`/v1/initiatives/${id}/sign-offs`)
        .set('authorization', testApp.auth('focal-point', 'AZE'))
        .set('idempotency-key', 'aze-signs')
        .send({ state: 'AZE', decision: 'approve', proposalVersion: 1, comment: 'changed' });
      expectProblem(reused, 409, 'idempotency-key-reused');
    });
  });

  describe('409 deadline-passed', () => {
    it('for a sign-off after the deadline', async () => {
      const soon = await testApp
        .http()
        .post('/v1/initiatives')
        .set('authorization', testApp.auth('secretariat'))
        .send(proposalBody({ signOffDeadline: new Date(Date.now() + 1500).toISOString() }))
        .expect(201);
      headBefore = await testApp.infrastructure.eventStore.headPosition();
      await new Promise((resolve) => setTimeout(resolve, 1600));
      const response = await signedOff(testApp, soon.body.initiativeId, 'KAZ');
      expectProblem(response, 409, 'deadline-passed');
    });
  });

  describe('431 headers-too-large', () => {
    it('for headers over 16 KiB, refused by the HTTP parser itself', async () => {
      const response = await testApp
        .http()
        .get(`/v1/initiatives/${id}`)
        .set('authorization', testApp.auth('auditor'))
        .set('x-padding', 'x'.repeat(20 * 1024));
      expectProblem(response, 431, 'headers-too-large');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    });
  });

  describe('413 payload-too-large', () => {
    it('for a body over 64 KiB', async () => {
      const response = await testApp
        .http()
        .post('/v1/initiatives')
        .set('authorization', testApp.auth('secretariat'))
        .set('content-type', 'application/json')
        .send(JSON.stringify(proposalBody({ summary: 'x'.repeat(70 * 1024) })));
      expectProblem(response, 413, 'payload-too-large');
    });
  });

  it('never answers with a stack trace or an internal message', async () => {
    const response = await signOff('{"state": [');
    expect(JSON.stringify(response.body)).not.toMatch(/at .*\.(js|ts):\d+|Error:|SELECT|INSERT|node_modules/);
  });

  it('mints tokens the API accepts, for comparison', async () => {
    const token = await mintHs256Token(TEST_SECRET, {
      role: 'auditor',
      sub: 'a',
      issuer: 'accord',
      audience: 'accord-api',
      expiresIn: 60,
    });
    await testApp.http().get('/v1/parties').set('authorization', `Bearer ${token}`).expect(200);
  });
});
