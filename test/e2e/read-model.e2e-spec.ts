import { MEMBERS, proposalBody, proposed, signedOff, startTestApp, TestApp } from './support';

describe('The read model behind the initiatives list, the inbox and each initiative', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await startTestApp({ store: 'sqlite' });
  });
  afterAll(() => testApp.close());

  const list = (query: Record<string, string | number>, auth = testApp.auth('secretariat')) =>
    testApp.http().get('/v1/initiatives').query(query).set('authorization', auth);

  /** Waits until the projection has applied the initiative's revision. */
  const projected = (id: string, revision: number) =>
    testApp
      .http()
      .get(`/v1/initiatives/${id}?minRevision=${revision}`)
      .set('authorization', testApp.auth('auditor'))
      .expect(200);

  describe('when initiatives are proposed', () => {
    let space: string;
    let trade: string;
    beforeAll(async () => {
      space = await proposed(testApp, {
        category: 'space',
        participatingStates: ['AZE', 'KAZ'],
        proposingState: 'AZE',
      });
      trade = await proposed(testApp, { category: 'industry-and-trade' });
      await projected(trade, 0);
      await projected(space, 0);
    });

    it('lists them newest first, filtered by category, status and participant', async () => {
      const all = (await list({ limit: 200 }).expect(200)).body.items.map(
        (item: { initiativeId: string }) => item.initiativeId,
      );
      expect(all.indexOf(trade)).toBeLessThan(all.indexOf(space));
      const spaceOnly = (await list({ category: 'space' }).expect(200)).body.items;
      expect(spaceOnly.map((item: { initiativeId: string }) => item.initiativeId)).toContain(space);
      expect(spaceOnly.every((item: { category: string }) => item.category === 'space')).toBe(true);
      expect(
        (await list({ participant: 'TUR', status: 'awaiting-sign-offs' }).expect(200)).body.items.map(
          (item: { initiativeId: string }) => item.initiativeId,
        ),
      ).toContain(trade);
      expect(spaceOnly[0]).toEqual({
        initiativeId: space,
        title: 'Pan-Turkic Patent Organization',
        category: 'space',
        proposingState: 'AZE',
        participatingStates: ['AZE', 'KAZ'],
        status: 'awaiting-sign-offs',
        proposalVersion: 1,
        pendingStates: ['AZE', 'KAZ'],
        signOffDeadline: expect.any(String),
        requestedFunding: { amount: '1500000.00', currency: 'USD' },
        revision: 0,
        updatedAt: expect.any(String),
      });
    });

    it('counts them per status and category in the portfolio, for the roles that see every initiative', async () => {
      const portfolio = await testApp
        .http()
        .get('/v1/portfolio')
        .set('authorization', testApp.auth('secretariat'))
        .expect(200);
      const count = (category: string) =>
        portfolio.body.counts.find(
          (row: { status: string; category: string }) =>
            row.status === 'awaiting-sign-offs' && row.category === category,
        )?.initiatives;
      expect(count('space')).toBeGreaterThanOrEqual(1);
      expect(count('industry-and-trade')).toBeGreaterThanOrEqual(1);
      await testApp
        .http()
        .get('/v1/portfolio')
        .set('authorization', testApp.auth('focal-point', 'AZE'))
        .expect(403);
    });

    it('shows a focal point only the initiatives its country takes part in', async () => {
      const tur = (await list({ limit: 200 }, testApp.auth('focal-point', 'TUR')).expect(200)).body.items;
      expect(tur.map((item: { initiativeId: string }) => item.initiativeId)).toContain(trade);
      expect(tur.map((item: { initiativeId: string }) => item.initiativeId)).not.toContain(space);
      expect(
        tur.every((item: { participatingStates: string[] }) => item.participatingStates.includes('TUR')),
      ).toBe(true);
    });

    it('pages with a cursor, without gaps or repeats', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: Record<string, string | number> = cursor ? { limit: 1, cursor } : { limit: 1 };
        const page = (await list(query).expect(200)).body;
        expect(page.items.length).toBeLessThanOrEqual(1);
        seen.push(...page.items.map((item: { initiativeId: string }) => item.initiativeId));
        cursor = page.nextCursor;
      } while (cursor);
      const all = (await list({ limit: 200 }).expect(200)).body.items.map(
        (item: { initiativeId: string }) => item.initiativeId,
      );
      expect(seen).toEqual(all);
    });

    it.each([
      ['a limit over 200', { limit: 201 }],
      ['a limit of 0', { limit: 0 }],
      ['a cursor this server did not issue', { cursor: 'not-a-cursor' }],
      ['an unknown status', { status: 'pending' }],
      ['an unknown filter', { colour: 'blue' }],
    ])('refuses %s with 400', async (_, query) => {
      expect((await list(query).expect(400)).body.code).toBe('validation-failed');
    });
  });

  describe('when a state has signed and the proposal is then amended', () => {
    it('puts every participant back in the inbox', async () => {
      const id = await proposed(testApp);
      await signedOff(testApp, id, 'KGZ').expect(201);
      await projected(id, 1);
      const kgzInbox = async () =>
        (
          await list({ pendingFor: 'KGZ', limit: 200 }, testApp.auth('focal-point', 'KGZ')).expect(200)
        ).body.items.map((item: { initiativeId: string }) => item.initiativeId);
      expect(await kgzInbox()).not.toContain(id);

      await testApp
        .http()
        .post(`/v1/initiatives/${id}/amendments`)
        .set('authorization', testApp.auth('secretariat'))
        .send({ proposalVersion: 1, summary: 'A leaner patent office' })
        .expect(201);
      const view = (await projected(id, 2)).body;
      expect(view.pendingStates).toEqual(MEMBERS);
      expect(view.signOffs).toEqual([]);
      expect(await kgzInbox()).toContain(id);
    });
  });

  describe('when the projection has not reached a revision', () => {
    it('answers 503 projection-lagging with Retry-After after waiting 5 s', async () => {
      const id = await proposed(testApp);
      const started = Date.now();
      const response = await testApp
        .http()
        .get(`/v1/initiatives/${id}?minRevision=99`)
        .set('authorization', testApp.auth('auditor'))
        .expect(503);
      expect(Date.now() - started).toBeGreaterThanOrEqual(4900);
      expect(response.body.code).toBe('projection-lagging');
      expect(response.headers['retry-after']).toBe('1');
    }, 15_000);
  });

  describe('when the sign-off deadline passes', () => {
    it('turns the initiative expired without any request', async () => {
      const id = await proposed(testApp, { signOffDeadline: new Date(Date.now() + 1500).toISOString() });
      await signedOff(testApp, id, 'AZE').expect(201);
      const view = (await projected(id, 2)).body;
      expect(view.status).toBe('expired');
      const history = await testApp
        .http()
        .get(`/v1/initiatives/${id}/history`)
        .set('authorization', testApp.auth('auditor'));
      const expiry = history.body.events[2];
      expect(expiry).toMatchObject({
        type: 'SignOffDeadlineExpired',
        actor: { role: 'system' },
        data: { pendingStates: ['KAZ', 'KGZ', 'TUR', 'UZB'] },
      });
    }, 15_000);
  });

  describe('operations', () => {
    it('reports readiness with the projection lag', async () => {
      const ready = await testApp.http().get('/health/ready').expect(200);
      expect(ready.body).toMatchObject({
        status: 'ready',
        checks: {
          eventStore: { status: 'up' },
          readStore: { status: 'up' },
          projection: { status: 'up', lag: expect.any(Number) },
        },
      });
    });

    it('serves Prometheus metrics', async () => {
      const metrics = await testApp.http().get('/metrics').expect(200);
      expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
      expect(metrics.text).toMatch(
        /accord_http_request_duration_seconds_bucket\{.*route="\/v1\/initiatives".*\}/,
      );
      expect(metrics.text).toMatch(
        /accord_commands_total\{type="ProposeInitiative",outcome="appended"\} \d+/,
      );
      expect(metrics.text).toMatch(/accord_events_appended_total \d+/);
      expect(metrics.text).toMatch(/accord_projection_lag_events \d+/);
    });
  });

  it('documents every route in the OpenAPI document', async () => {
    const document = (await testApp.http().get('/docs-json').expect(200)).body;
    expect(Object.keys(document.paths).sort()).toEqual(
      [
        '/health/live',
        '/health/ready',
        '/metrics',
        '/v1/initiatives',
        '/v1/initiatives/{id}',
        '/v1/initiatives/{id}/amendments',
        '/v1/initiatives/{id}/audit',
        '/v1/initiatives/{id}/audit-bundle',
        '/v1/initiatives/{id}/change-requests',
        '/v1/initiatives/{id}/funding-decision',
        '/v1/initiatives/{id}/history',
        '/v1/initiatives/{id}/sign-offs',
        '/v1/initiatives/{id}/state',
        '/v1/initiatives/{id}/withdrawal',
        '/v1/log/checkpoint',
        '/v1/log/cosignatures',
        '/v1/log/key',
        '/v1/log/leaves',
        '/v1/log/proof/consistency',
        '/v1/log/proof/inclusion',
        '/v1/parties',
        '/v1/portfolio',
      ].sort(),
    );
    const signOff = document.paths['/v1/initiatives/{id}/sign-offs'].post;
    expect(Object.keys(signOff.responses).sort()).toEqual([
      '200',
      '201',
      '400',
      '401',
      '403',
      '404',
      '405',
      '409',
      '412',
      '413',
      '415',
      '429',
      '431',
      '500',
      '503',
    ]);
    expect(document.components.schemas.RecordSignOffDto).toMatchObject({
      additionalProperties: false,
      required: ['state', 'decision', 'proposalVersion'],
    });
    await testApp.http().get('/docs').expect(200);
  });

  it('proposes with a deadline in any offset and reads it back in UTC', async () => {
    const id = await proposed(testApp, { signOffDeadline: '2031-01-01T05:00:00+05:00' });
    expect((await projected(id, 0)).body.signOffDeadline).toBe('2031-01-01T00:00:00.000Z');
    expect(proposalBody().signOffDeadline).toMatch(/Z$/);
  });
});
