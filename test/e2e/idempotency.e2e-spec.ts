import { asIs, proposalBody, proposed, startTestApp, TestApp } from './support';

describe('Idempotency-Key', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await startTestApp({ store: 'sqlite' });
  });
  afterAll(() => testApp.close());

  describe('when the same command is retried ten times at once with its key', () => {
    it('stores one set of events and gives every retry the identical answer', async () => {
      const id = await proposed(testApp);
      const send = () =>
        testApp
          .http()
          .post(`/v1/initiatives/${id}/sign-offs`)
          .set('authorization', testApp.auth('focal-point', 'KGZ'))
          .set('idempotency-key', 'kgz-approves-v1')
          .send({ state: 'KGZ', decision: 'approve', proposalVersion: 1, comment: 'Kyrgyzstan agrees' });
      const responses = await Promise.all(Array.from({ length: 10 }, send));
      expect(
        new Set(responses.map((response) => `${response.status} ${JSON.stringify(response.body)}`)).size,
      ).toBe(1);
      expect(responses[0].status).toBe(201);
      const events = await testApp.infrastructure.eventStore.readStream(`initiative-${id}`);
      expect(events.map((event) => event.type)).toEqual(['InitiativeProposed', 'NationalSignOffRecorded']);
      expect(events[1].metadata.idempotencyKey).toBe('kgz-approves-v1');
    });
  });

  describe('when the body carries text beyond ASCII, the retry behind a UTF-8 byte order mark', () => {
    it('stores the text as sent and answers the retry with the first answer', async () => {
      const id = await proposed(testApp);
      const comment = 'Oʻzbekiston rozi — Ўзбекистон рози 🇺🇿';
      const json = JSON.stringify({ state: 'UZB', decision: 'approve', proposalVersion: 1, comment });
      const send = (raw: Buffer) =>
        testApp
          .http()
          .post(`/v1/initiatives/${id}/sign-offs`)
          .set('authorization', testApp.auth('focal-point', 'UZB'))
          .set('content-type', 'application/json; charset=utf-8')
          .set('idempotency-key', 'uzb-approves-v1')
          .serialize(asIs)
          .send(raw);
      const first = await send(Buffer.from(json)).expect(201);
      const again = await send(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)])).expect(
        201,
      );
      expect(again.body).toEqual(first.body);
      const events = await testApp.infrastructure.eventStore.readStream(`initiative-${id}`);
      expect(events).toHaveLength(2);
      expect(events[1].data).toMatchObject({ comment });
    });
  });

  describe('when a proposal without a client id is retried', () => {
    it('answers with the initiative created the first time, not a second one', async () => {
      const body = proposalBody();
      const send = () =>
        testApp
          .http()
          .post('/v1/initiatives')
          .set('authorization', testApp.auth('secretariat'))
          .set('idempotency-key', 'proposal-77')
          .send(body);
      const first = await send().expect(201);
      const again = await send().expect(201);
      expect(again.body).toEqual(first.body);
      expect(again.headers.location).toBe(first.headers.location);
    });
  });

  describe('when the server restarts', () => {
    it('still remembers the key', async () => {
      const id = await proposed(testApp);
      const send = (app: TestApp) =>
        app
          .http()
          .post(`/v1/initiatives/${id}/withdrawal`)
          .set('authorization', app.auth('secretariat'))
          .set('idempotency-key', 'withdraw-once')
          .send({ reason: 'Merged' });
      const first = await send(testApp).expect(201);
      await testApp.close({ keepData: true });
      testApp = await startTestApp({ store: 'sqlite', dataDir: testApp.dataDir });
      const again = await send(testApp).expect(201);
      expect(again.body).toEqual(first.body);
    });
  });

  describe('when two subjects use the same key', () => {
    it('keeps their keys apart', async () => {
      const id = await proposed(testApp);
      const sign = (state: string) =>
        testApp
          .http()
          .post(`/v1/initiatives/${id}/sign-offs`)
          .set('authorization', testApp.auth('focal-point', state))
          .set('idempotency-key', 'same-key')
          .send({ state, decision: 'approve', proposalVersion: 1 });
      expect((await sign('AZE')).body.revision).toBe(1);
      expect((await sign('TUR')).body.revision).toBe(2);
    });
  });
});
