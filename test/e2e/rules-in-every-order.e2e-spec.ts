import { randomUUID } from 'node:crypto';
import { proposalBody, proposed, signedOff, startTestApp, TestApp } from './support';

type Answer = { status: number; body: Record<string, unknown>; headers: Record<string, string> };

const expectProblem = (response: Answer, status: number, code: string) => {
  expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
};

/** The rules hold whatever the headers, the case of an id, the scheduler's timing or a retry's key. */
describe('Rules in every order', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    // No deadline scheduler: what a command decides after a deadline must not depend on it having run.
    testApp = await startTestApp({ store: 'sqlite', env: { ACCORD_ROLES: 'api,projector' } });
  });
  afterAll(() => testApp.close());

  const post = (path: string, body: object, auth: string, headers: Record<string, string> = {}) =>
    testApp.http().post(path).set('authorization', auth).set(headers).send(body);
  const storedEvents = async (id: string) =>
    (await testApp.infrastructure.eventStore.readStream(`initiative-${id}`)).length;

  describe('when a command carries If-Match', () => {
    let id: string;
    beforeAll(async () => {
      id = await proposed(testApp, { participatingStates: ['KAZ', 'AZE'] });
      await signedOff(testApp, id, 'AZE').expect(201);
    });

    it('answers a state that does not take part 404, as without the header', async () => {
      const withHeader = await post(
        `/v1/initiatives/${id}/sign-offs`,
        { state: 'UZB', decision: 'approve', proposalVersion: 1 },
        testApp.auth('focal-point', 'UZB'),
        { 'if-match': '"99"' },
      );
      expectProblem(withHeader, 404, 'not-found');
      expect(JSON.stringify(withHeader.body)).not.toMatch(/revision/);
    });

    it('answers an auditor 403, whatever revision it names', async () =>
      expectProblem(
        await post(`/v1/initiatives/${id}/withdrawal`, { reason: 'r' }, testApp.auth('auditor'), {
          'if-match': '"99"',
        }),
        403,
        'forbidden',
      ));

    it('answers an unknown initiative 404', async () =>
      expectProblem(
        await post(
          `/v1/initiatives/${randomUUID()}/withdrawal`,
          { reason: 'r' },
          testApp.auth('secretariat'),
          {
            'if-match': '"0"',
          },
        ),
        404,
        'not-found',
      ));

    it('answers 412 revision-mismatch when the revision differs, for someone allowed the command', async () => {
      expectProblem(
        await post(
          `/v1/initiatives/${id}/sign-offs`,
          { state: 'KAZ', decision: 'approve', proposalVersion: 1 },
          testApp.auth('focal-point', 'KAZ'),
          { 'if-match': '"0"' },
        ),
        412,
        'revision-mismatch',
      );
      expect(await storedEvents(id)).toBe(2);
    });

    it.each([
      ['a weak tag', 'W/"1"'],
      ['an unquoted revision', '1'],
      ['a malformed list', '"1",'],
    ])('refuses %s with 400', async (_, ifMatch) =>
      expectProblem(
        await post(`/v1/initiatives/${id}/withdrawal`, { reason: 'r' }, testApp.auth('secretariat'), {
          'if-match': ifMatch,
        }),
        400,
        'validation-failed',
      ),
    );

    it('takes * as "the initiative exists" and a list of tags as any of them', async () => {
      expectProblem(
        await post(
          '/v1/initiatives',
          proposalBody({ initiativeId: randomUUID() }),
          testApp.auth('secretariat'),
          {
            'if-match': '*',
          },
        ),
        412,
        'revision-mismatch',
      );
      const other = await proposed(testApp);
      await post(
        `/v1/initiatives/${other}/sign-offs`,
        { state: 'AZE', decision: 'approve', proposalVersion: 1 },
        testApp.auth('focal-point', 'AZE'),
        {
          'if-match': '*',
        },
      ).expect(201);
      await post(
        `/v1/initiatives/${other}/sign-offs`,
        { state: 'KGZ', decision: 'approve', proposalVersion: 1 },
        testApp.auth('focal-point', 'KGZ'),
        {
          'if-match': '"7", "1"',
        },
      ).expect(201);
    });
  });

  describe('when the deadline has come and no scheduler has run', () => {
    let id: string;
    beforeAll(async () => {
      id = await proposed(testApp, { signOffDeadline: new Date(Date.now() + 1500).toISOString() });
      await testApp
        .http()
        .get(`/v1/initiatives/${id}?minRevision=0`)
        .set('authorization', testApp.auth('auditor'))
        .expect(200);
      const inbox = await testApp
        .http()
        .get('/v1/initiatives?pendingFor=UZB&limit=200')
        .set('authorization', testApp.auth('focal-point', 'UZB'))
        .expect(200);
      expect(inbox.body.items.map((item: { initiativeId: string }) => item.initiativeId)).toContain(id);
      await new Promise((resolve) => setTimeout(resolve, 1600));
    });

    it('refuses to move the deadline: the initiative is expired', async () =>
      expectProblem(
        await post(
          `/v1/initiatives/${id}/amendments`,
          { proposalVersion: 1, signOffDeadline: '2031-01-01T00:00:00Z' },
          testApp.auth('secretariat'),
        ),
        409,
        'invalid-status',
      ));

    it('refuses a sign-off as past the deadline', async () =>
      expectProblem(await signedOff(testApp, id, 'UZB'), 409, 'deadline-passed'));

    it('no longer lists it in any inbox', async () => {
      const inbox = await testApp
        .http()
        .get('/v1/initiatives?pendingFor=UZB&limit=200')
        .set('authorization', testApp.auth('focal-point', 'UZB'))
        .expect(200);
      expect(inbox.body.items.map((item: { initiativeId: string }) => item.initiativeId)).not.toContain(id);
    });
  });

  describe('when an id is written in capitals', () => {
    it('names the same initiative as in lower case', async () => {
      const id = randomUUID();
      const body = proposalBody({ initiativeId: id });
      await post('/v1/initiatives', body, testApp.auth('secretariat')).expect(201);
      const again = await post(
        '/v1/initiatives',
        { ...body, initiativeId: id.toUpperCase() },
        testApp.auth('secretariat'),
      ).expect(200);
      expect(again.body.initiativeId).toBe(id);
      const history = await testApp
        .http()
        .get(`/v1/initiatives/${id.toUpperCase()}/history`)
        .set('authorization', testApp.auth('auditor'))
        .expect(200);
      expect(history.body.events).toHaveLength(1);
      await signedOff(testApp, id.toUpperCase(), 'AZE').expect(201);
      expect(await storedEvents(id)).toBe(2);
      expect(await storedEvents(id.toUpperCase())).toBe(0);
      // A retry under its Idempotency-Key is the same request whichever case it writes the id in.
      const keyed = (path: string) =>
        post(
          path,
          { state: 'KAZ', decision: 'approve', proposalVersion: 1 },
          testApp.auth('focal-point', 'KAZ'),
          {
            'idempotency-key': `kaz-${id}`,
          },
        );
      const first = await keyed(`/v1/initiatives/${id}/sign-offs`).expect(201);
      const retry = await keyed(`/v1/initiatives/${id.toUpperCase()}/sign-offs`).expect(201);
      expect(retry.body).toEqual(first.body);
    });
  });

  describe('when minRevision names an initiative that does not exist', () => {
    it('answers 404 at once, also to 40 callers together', async () => {
      const started = Date.now();
      const answers = await Promise.all(
        Array.from({ length: 40 }, () =>
          testApp
            .http()
            .get(`/v1/initiatives/${randomUUID()}?minRevision=3`)
            .set('authorization', testApp.auth('auditor')),
        ),
      );
      expect(answers.map((answer) => answer.status)).toEqual(Array(40).fill(404));
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('answers 404 to a focal point whose country does not take part, however long it would wait', async () => {
      const id = await proposed(testApp, { participatingStates: ['KAZ', 'AZE'] });
      const started = Date.now();
      await testApp
        .http()
        .get(`/v1/initiatives/${id}?minRevision=5`)
        .set('authorization', testApp.auth('focal-point', 'UZB'))
        .expect(404);
      expect(Date.now() - started).toBeLessThan(2000);
    });
  });

  describe('when a command refused by a rule is retried with its Idempotency-Key', () => {
    it('answers the first refusal again, even after the rule would let it through', async () => {
      const id = await proposed(testApp, { participatingStates: ['KAZ', 'AZE'] });
      const funding = () =>
        post(
          `/v1/initiatives/${id}/funding-decision`,
          { decision: 'granted', fundingBody: 'Fund' },
          testApp.auth('fund-board'),
          {
            'idempotency-key': 'fund-once',
          },
        );
      const first = await funding();
      expectProblem(first, 409, 'invalid-status');
      await signedOff(testApp, id, 'KAZ').expect(201);
      await signedOff(testApp, id, 'AZE').expect(201);
      const replay = await funding();
      expect({ status: replay.status, body: replay.body }).toEqual({
        status: first.status,
        body: first.body,
      });
      expect(await storedEvents(id)).toBe(4);
    });

    it('does not remember a refusal of the request itself', async () => {
      const id = await proposed(testApp, { participatingStates: ['KAZ', 'AZE'] });
      const signOff = (body: object) =>
        post(`/v1/initiatives/${id}/sign-offs`, body, testApp.auth('focal-point', 'KAZ'), {
          'idempotency-key': 'kaz-1',
        });
      await signOff({ state: 'KAZ', decision: 'maybe', proposalVersion: 1 }).expect(400);
      await signOff({ state: 'KAZ', decision: 'approve', proposalVersion: 1 }).expect(201);
    });
  });

  describe('when changes are requested', () => {
    let id: string;
    beforeAll(async () => {
      id = await proposed(testApp);
      await signedOff(testApp, id, 'AZE').expect(201);
      await post(
        `/v1/initiatives/${id}/change-requests`,
        { state: 'TUR', proposalVersion: 1, comment: 'Budget?' },
        testApp.auth('focal-point', 'TUR'),
      ).expect(201);
    });

    it('records the request of another state too, and answers a retry 200', async () => {
      const request = () =>
        post(
          `/v1/initiatives/${id}/change-requests`,
          { state: 'UZB', proposalVersion: 1, comment: 'Timeline?' },
          testApp.auth('focal-point', 'UZB'),
        );
      await request().expect(201);
      const retry = await request().expect(200);
      expect(retry.body.revision).toBe(3);
    });

    it('refuses the request of a state that signed this version', async () =>
      expectProblem(
        await post(
          `/v1/initiatives/${id}/change-requests`,
          { state: 'AZE', proposalVersion: 1, comment: 'Wait' },
          testApp.auth('focal-point', 'AZE'),
        ),
        409,
        'already-signed',
      ));

    it('answers a retried withdrawal 200', async () => {
      await post(
        `/v1/initiatives/${id}/withdrawal`,
        { reason: 'Merged' },
        testApp.auth('secretariat'),
      ).expect(201);
      const retry = await post(
        `/v1/initiatives/${id}/withdrawal`,
        { reason: 'Merged' },
        testApp.auth('secretariat'),
      ).expect(200);
      expect(retry.body.status).toBe('withdrawn');
    });
  });

  describe('when approved and the fund board decides', () => {
    let id: string;
    beforeAll(async () => {
      id = await proposed(testApp, { participatingStates: ['KAZ', 'AZE'] });
      await signedOff(testApp, id, 'KAZ').expect(201);
      await signedOff(testApp, id, 'AZE').expect(201);
    });

    it.each([
      ['granted above the request', { decision: 'granted', amount: '2000000.00', currency: 'USD' }],
      ['granted below the request', { decision: 'granted', amount: '1000.00', currency: 'USD' }],
      [
        'partially-granted above the request',
        { decision: 'partially-granted', amount: '2000000.00', currency: 'USD' },
      ],
    ])('refuses %s', async (_, decision) =>
      expectProblem(
        await post(
          `/v1/initiatives/${id}/funding-decision`,
          { ...decision, fundingBody: 'Fund' },
          testApp.auth('fund-board'),
        ),
        400,
        'validation-failed',
      ),
    );
  });

  describe('when an amendment removed a participant', () => {
    let id: string;
    beforeAll(async () => {
      id = await proposed(testApp);
      await signedOff(testApp, id, 'UZB').expect(201);
      await post(
        `/v1/initiatives/${id}/amendments`,
        { proposalVersion: 1, participatingStates: ['AZE', 'KAZ', 'KGZ', 'TUR'] },
        testApp.auth('secretariat'),
      ).expect(201);
    });

    it.each(['/history', '/state?atRevision=1', '/audit', '/audit-bundle', '?minRevision=1'])(
      'still lets the former participant read %s',
      async (path) => {
        await testApp
          .http()
          .get(`/v1/initiatives/${id}${path}`)
          .set('authorization', testApp.auth('focal-point', 'UZB'))
          .expect(200);
      },
    );

    it('forbids it to act', async () =>
      expectProblem(
        await post(
          `/v1/initiatives/${id}/sign-offs`,
          { state: 'UZB', decision: 'approve', proposalVersion: 2 },
          testApp.auth('focal-point', 'UZB'),
        ),
        403,
        'forbidden',
      ));
  });

  describe('when travelling in time', () => {
    it('answers a revision beyond the head 404, not the head', async () => {
      const id = await proposed(testApp);
      expectProblem(
        await testApp
          .http()
          .get(`/v1/initiatives/${id}/state?atRevision=1`)
          .set('authorization', testApp.auth('auditor')),
        404,
        'not-found',
      );
    });
  });
});
