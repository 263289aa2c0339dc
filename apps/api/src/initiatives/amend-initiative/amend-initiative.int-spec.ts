import { proposed, signedOff, startTestApp, TestApp } from '../../testing/test-app';

describe('POST /v1/initiatives/{id}/amendments', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await startTestApp();
  });
  afterAll(() => testApp.close());

  const amend = (id: string, body: object, token?: string) =>
    testApp
      .http()
      .post(`/v1/initiatives/${id}/amendments`)
      .set('authorization', token ?? testApp.auth('focal-point', 'KAZ'))
      .send(body);

  describe('when changes were requested', () => {
    it('records the changed fields as the next version; earlier sign-offs no longer count', async () => {
      const id = await proposed(testApp);
      await signedOff(testApp, id, 'AZE').expect(201);
      const response = await amend(id, {
        proposalVersion: 1,
        summary: 'Leaner',
        requestedFunding: null,
      }).expect(201);
      expect(response.body).toMatchObject({ revision: 2, proposalVersion: 2, status: 'awaiting-sign-offs' });
      const events = await testApp.infrastructure.eventStore.readStream(`initiative-${id}`);
      expect(events[2].data).toEqual({
        initiativeId: id,
        proposalVersion: 2,
        changes: { summary: 'Leaner', requestedFunding: null },
        signature: null,
      });
      await signedOff(testApp, id, 'AZE', 'approve', 1).expect(409);
      await signedOff(testApp, id, 'AZE', 'approve', 2).expect(201);
    });

    it('refuses an amendment that changes nothing', async () => {
      const id = await proposed(testApp);
      const response = await amend(id, { proposalVersion: 1 }).expect(400);
      expect(response.body.code).toBe('validation-failed');
    });

    it('refuses a stale version', async () => {
      const id = await proposed(testApp);
      const response = await amend(id, { proposalVersion: 2, title: 'New title' }).expect(409);
      expect(response.body.code).toBe('stale-proposal-version');
    });
  });
});
