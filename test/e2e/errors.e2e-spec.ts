import { createHmac } from 'node:crypto';
import { mintHs256Token } from '@accord/auth';
import {
  asIs,
  capturedLog,
  proposalBody,
  proposed,
  signedOff,
  startTestApp,
  TEST_SECRET,
  TestApp,
} from './support';

/** Every error code of api.md that these routes can produce, and proof that no refused request changed anything. */
describe('Refused requests', () => {
  let testApp: TestApp;
  let id: string;
  let headBefore: number;
  const log = capturedLog('info');

  beforeAll(async () => {
    // The deadline scheduler stays off: the deadline test below is about a sign-off arriving late.
    testApp = await startTestApp({
      store: 'sqlite',
      env: { ACCORD_ROLES: 'api,projector' },
      logger: log.logger,
    });
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

    describe('for text that is not Unicode (I-JSON, RFC 7493)', () => {
      const signOffJson = '{"state":"KAZ","decision":"approve","proposalVersion":1,"comment":"';
      const withBytes = (...bytes: number[]) =>
        Buffer.concat([Buffer.from(`${signOffJson}Agreed `), Buffer.from(bytes), Buffer.from('"}')]);
      it.each([
        ['a lone high surrogate', Buffer.from(`${signOffJson}Agreed \\ud800"}`)],
        ['a lone low surrogate', Buffer.from(`${signOffJson}\\udc00 agreed"}`)],
        ['surrogates in the wrong order', Buffer.from(`${signOffJson}\\ude00\\ud83d"}`)],
        [
          'a lone surrogate in a key',
          Buffer.from('{"state":"KAZ","decision":"approve","proposalVersion":1,"\\ud800":1}'),
        ],
        ['bytes that are not UTF-8', withBytes(0xff, 0xfe, 0xc0)],
        ['a surrogate encoded in UTF-8', withBytes(0xed, 0xa0, 0x80)],
        ['an overlong encoding', withBytes(0xc0, 0xaf)],
        ['a truncated sequence', withBytes(0xe2, 0x82)],
        [
          'a UTF-16 byte order mark',
          Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${signOffJson}"}`)]),
        ],
      ])('%s', async (_, raw) => {
        const response = await testApp
          .http()
          .post(`/v1/initiatives/${id}/sign-offs`)
          .set('authorization', testApp.auth('focal-point', 'KAZ'))
          .set('content-type', 'application/json')
          .set('idempotency-key', `not-unicode-${raw.toString('hex').slice(-24)}`)
          .serialize(asIs)
          .send(raw);
        expectProblem(response, 400, 'validation-failed');
        expect(response.headers['x-content-type-options']).toBe('nosniff');
      });

      it('in a proposal title', async () => {
        const response = await testApp
          .http()
          .post('/v1/initiatives')
          .set('authorization', testApp.auth('secretariat'))
          .set('content-type', 'application/json')
          .send(JSON.stringify(proposalBody({ title: 'Pan-Turkic \ud800 Office' })));
        expectProblem(response, 400, 'validation-failed');
        expect(response.body.errors).toEqual([expect.objectContaining({ field: 'title' })]);
      });
    });

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

  describe('415 unsupported-media-type', () => {
    // Each a sign-off KAZ may make: any body but JSON must be refused before it could be stored.
    const form = 'state=KAZ&decision=approve&proposalVersion=1';
    const json = '{"state":"KAZ","decision":"approve","proposalVersion":1}';
    it.each([
      ['a form', 'application/x-www-form-urlencoded', form],
      ['a form with a charset', 'application/x-www-form-urlencoded; charset=utf-8', form],
      ['multipart form data', 'multipart/form-data; boundary=x', `--x\r\n\r\n${json}\r\n--x--`],
      ['XML', 'application/xml', '<signOff/>'],
      ['text', 'text/plain', json],
      ['text/json', 'text/json', json],
      ['JSON in UTF-16', 'application/json; charset=utf-16', json],
      ['JSON labelled ISO-8859-1', 'application/json; charset=iso-8859-1', json],
      ['a JSON merge patch', 'application/merge-patch+json', json],
      ['a JSON problem', 'application/problem+json', json],
      ['octets', 'application/octet-stream', json],
      ['no content type', undefined, json],
    ])('for %s', async (_, contentType, body) => {
      const request = testApp
        .http()
        .post(`/v1/initiatives/${id}/sign-offs`)
        .set('authorization', testApp.auth('focal-point', 'KAZ'));
      // Without a type set, supertest would label a string as a form; unset, it sends no Content-Type at all.
      const response = await (contentType
        ? request.set('content-type', contentType).send(body)
        : request
            .set('content-length', String(Buffer.byteLength(body)))
            .unset('content-type')
            .send(body));
      expectProblem(response, 415, 'unsupported-media-type');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    });

    it('for a withdrawal sent as a form, which would pass validation', async () => {
      const response = await testApp
        .http()
        .post(`/v1/initiatives/${id}/withdrawal`)
        .set('authorization', testApp.auth('secretariat'))
        .type('form')
        .send({ reason: 'Taken over by another body' });
      expectProblem(response, 415, 'unsupported-media-type');
    });

    it.each([
      ['application/json; charset=utf-8'],
      ['application/json; charset="UTF-8"'],
      ['Application/JSON'],
    ])('but takes %s (and validates the body)', async (contentType) => {
      const response = await testApp
        .http()
        .post(`/v1/initiatives/${id}/sign-offs`)
        .set('authorization', testApp.auth('focal-point', 'KAZ'))
        .set('content-type', contentType)
        .send('{"state":"KAZ","decision":"approve"}');
      expectProblem(response, 400, 'validation-failed');
      expect(new Set(response.body.errors.map((error: { field: string }) => error.field))).toEqual(
        new Set(['proposalVersion']),
      );
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
      ['a bearer token that is no JWT', 'Bearer abc'],
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
      // Which check failed is the server's to know: a client learns only that its token was refused.
      expect(response.body.detail).toBe(
        authorization?.startsWith('Bearer ') ? 'The bearer token was refused' : 'A bearer token is required',
      );
    });

    it('logs why a token was refused, at info level', async () => {
      const response = await testApp
        .http()
        .get(`/v1/initiatives/${id}`)
        .set('x-correlation-id', 'refused-token')
        .set(
          'authorization',
          `Bearer ${sign({ alg: 'HS256' }, valid, 'another-secret-of-sufficient-length!!')}`,
        );
      expect(response.body.detail).toBe('The bearer token was refused');
      expect(log.lines()).toContainEqual(
        expect.objectContaining({
          reqId: 'refused-token',
          level: 30,
          reason: expect.stringContaining('ERR_JWS_SIGNATURE_VERIFICATION_FAILED'),
        }),
      );
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

  describe('405 method-not-allowed', () => {
    it.each([
      ['DELETE', '/v1/initiatives/{id}', 'GET, HEAD'],
      ['PUT', '/v1/initiatives', 'GET, HEAD, POST'],
      ['PATCH', '/v1/initiatives/{id}/sign-offs', 'POST'],
      ['GET', '/v1/initiatives/{id}/withdrawal?reason=x', 'POST'],
      ['POST', '/v1/initiatives/{id}/history', 'GET, HEAD'],
      ['OPTIONS', '/v1/parties', 'GET, HEAD'],
    ] as const)('for %s %s, with Allow', async (method, path, allow) => {
      const response = await testApp
        .http()
        [method.toLowerCase() as 'delete'](path.replace('{id}', id))
        .set('authorization', testApp.auth('secretariat'));
      expectProblem(response, 405, 'method-not-allowed');
      expect(response.headers.allow).toBe(allow);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    });

    it('before the body is read or the token checked', async () => {
      const response = await testApp
        .http()
        .put(`/v1/initiatives/${id}`)
        .set('content-type', 'application/json')
        .send('{"title": ');
      expectProblem(response, 405, 'method-not-allowed');
      expect(response.headers.allow).toBe('GET, HEAD');
    });

    it('but not for a path that does not exist', async () =>
      expectProblem(
        await testApp
          .http()
          .delete('/v1/initiatives/x/nothing')
          .set('authorization', testApp.auth('auditor')),
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
