import { proposed, startTestApp, TestApp } from '../../testing/test-app';

describe('POST /v1/initiatives/{id}/withdrawal', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await startTestApp();
  });
  afterAll(() => testApp.close());

  const withdraw = (id: string, body: object, role: 'secretariat' | 'auditor' = 'secretariat') =>
    testApp
      .http()
      .post(`/v1/initiatives/${id}/withdrawal`)
      .set('authorization', testApp.auth(role))
      .send(body);

  describe('when awaiting sign-offs', () => {
    it('withdraws it once; a second withdrawal finds it terminal', async () => {
      const id = await proposed(testApp);
      await withdraw(id, { reason: 'Merged into the RDI Fund' }).expect(201, {
        initiativeId: id,
        revision: 1,
        proposalVersion: 1,
        status: 'withdrawn',
      });
      expect((await withdraw(id, { reason: 'Again' }).expect(409)).body.code).toBe('invalid-status');
    });

    it('forbids an auditor to withdraw', async () => {
      const id = await proposed(testApp);
      expect((await withdraw(id, { reason: 'x' }, 'auditor').expect(403)).body.code).toBe('forbidden');
    });

    it('refuses a reason over 2,000 characters', async () => {
      const id = await proposed(testApp);
      await withdraw(id, { reason: 'x'.repeat(2001) }).expect(400);
    });
  });
});
