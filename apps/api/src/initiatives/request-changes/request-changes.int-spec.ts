import { proposed, signedOff, startTestApp, TestApp } from '../../testing/test-app';

describe('POST /v1/initiatives/{id}/change-requests', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await startTestApp();
  });
  afterAll(() => testApp.close());

  const requestChanges = (id: string, body: object, state = 'UZB') =>
    testApp
      .http()
      .post(`/v1/initiatives/${id}/change-requests`)
      .set('authorization', testApp.auth('focal-point', state))
      .send(body);

  describe('when awaiting sign-offs', () => {
    it('records the request and stops further sign-offs until an amendment', async () => {
      const id = await proposed(testApp);
      const response = await requestChanges(id, {
        state: 'UZB',
        proposalVersion: 1,
        comment: 'Split the budget',
      }).expect(201);
      expect(response.body).toMatchObject({ revision: 1, status: 'changes-requested' });
      const refused = await signedOff(testApp, id, 'AZE').expect(409);
      expect(refused.body.code).toBe('invalid-status');
    });

    it('needs a comment', async () => {
      const id = await proposed(testApp);
      const response = await requestChanges(id, { state: 'UZB', proposalVersion: 1 }).expect(400);
      expect(response.body.errors[0].field).toBe('comment');
    });
  });
});
