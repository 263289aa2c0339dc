import { proposed, signedOff, startTestApp, TestApp } from '../../testing/test-app';

describe('POST /v1/initiatives/{id}/sign-offs', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await startTestApp();
  });
  afterAll(() => testApp.close());

  describe('when awaiting sign-offs', () => {
    it('records the sign-off with its comment and answers the new revision', async () => {
      const id = await proposed(testApp);
      const response = await testApp
        .http()
        .post(`/v1/initiatives/${id}/sign-offs`)
        .set('authorization', testApp.auth('focal-point', 'TUR'))
        .send({ state: 'TUR', decision: 'approve', proposalVersion: 1, comment: 'Türkiye agrees' })
        .expect(201);
      expect(response.body).toEqual({
        initiativeId: id,
        revision: 1,
        proposalVersion: 1,
        status: 'awaiting-sign-offs',
      });
      const events = await testApp.infrastructure.eventStore.readStream(`initiative-${id}`);
      expect(events[1].data).toEqual({
        initiativeId: id,
        state: 'TUR',
        decision: 'approve',
        proposalVersion: 1,
        comment: 'Türkiye agrees',
        proposalHash: null,
        signature: null,
      });
    });

    it('answers the identical sign-off again with 200 and the same revision', async () => {
      const id = await proposed(testApp);
      await signedOff(testApp, id, 'AZE').expect(201);
      const again = await signedOff(testApp, id, 'AZE').expect(200);
      expect(again.body.revision).toBe(1);
    });

    it('approves with the last sign-off, writing both events in one append', async () => {
      const id = await proposed(testApp, { participatingStates: ['KAZ', 'AZE'] });
      await signedOff(testApp, id, 'KAZ').expect(201);
      const last = await signedOff(testApp, id, 'AZE').expect(201);
      expect(last.body).toMatchObject({ revision: 3, status: 'approved' });
    });

    it('forbids a focal point to sign for another country', async () => {
      const id = await proposed(testApp);
      const response = await testApp
        .http()
        .post(`/v1/initiatives/${id}/sign-offs`)
        .set('authorization', testApp.auth('focal-point', 'AZE'))
        .send({ state: 'KAZ', decision: 'approve', proposalVersion: 1 })
        .expect(403);
      expect(response.body.code).toBe('forbidden');
    });

    it.each([
      ['a string version', { state: 'AZE', decision: 'approve', proposalVersion: '1' }],
      ['an unknown decision', { state: 'AZE', decision: 'maybe', proposalVersion: 1 }],
      ['a missing state', { decision: 'approve', proposalVersion: 1 }],
      ['a JSON array', [{ state: 'AZE', decision: 'approve', proposalVersion: 1 }]],
    ])('refuses %s', async (_, body) => {
      const id = await proposed(testApp);
      const response = await testApp
        .http()
        .post(`/v1/initiatives/${id}/sign-offs`)
        .set('authorization', testApp.auth('focal-point', 'AZE'))
        .send(body)
        .expect(400);
      expect(response.body.code).toBe('validation-failed');
    });
  });
});
