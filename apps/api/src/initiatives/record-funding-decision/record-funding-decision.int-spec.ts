import { proposed, signedOff, startTestApp, TestApp } from '../../testing/test-app';

describe('POST /v1/initiatives/{id}/funding-decision', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await startTestApp();
  });
  afterAll(() => testApp.close());

  const decide = (id: string, body: object) =>
    testApp
      .http()
      .post(`/v1/initiatives/${id}/funding-decision`)
      .set('authorization', testApp.auth('fund-board'))
      .send(body);

  const approvedInitiative = async () => {
    const id = await proposed(testApp, { participatingStates: ['KAZ', 'TUR'] });
    await signedOff(testApp, id, 'KAZ').expect(201);
    await signedOff(testApp, id, 'TUR').expect(201);
    return id;
  };

  describe('when awaiting sign-offs', () => {
    it('refuses a funding decision', async () => {
      const id = await proposed(testApp);
      expect((await decide(id, { decision: 'granted', fundingBody: 'OTS Fund' }).expect(409)).body.code).toBe(
        'invalid-status',
      );
    });
  });

  describe('when approved', () => {
    it('records a partial grant and marks the initiative funded', async () => {
      const id = await approvedInitiative();
      const response = await decide(id, {
        decision: 'partially-granted',
        amount: '500000.00',
        currency: 'USD',
        fundingBody: 'OTS Research, Development and Innovation Fund',
        conditions: 'Phase 1 only',
      }).expect(201);
      expect(response.body).toMatchObject({ revision: 4, status: 'funded' });
    });

    it('records a declined decision as funding-declined', async () => {
      const id = await approvedInitiative();
      expect(
        (await decide(id, { decision: 'declined', fundingBody: 'OTS Fund' }).expect(201)).body.status,
      ).toBe('funding-declined');
    });

    it('refuses an amount with a declined decision', async () => {
      const id = await approvedInitiative();
      const response = await decide(id, {
        decision: 'declined',
        amount: '1.00',
        currency: 'USD',
        fundingBody: 'F',
      });
      expect(response.status).toBe(400);
    });
  });
});
