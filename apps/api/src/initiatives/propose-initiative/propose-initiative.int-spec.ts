import { proposalBody, startTestApp, TestApp } from '../../testing/test-app';

describe('POST /v1/initiatives', () => {
  let testApp: TestApp;
  let secretariat: string;
  beforeAll(async () => {
    testApp = await startTestApp();
    secretariat = testApp.auth('secretariat');
  });
  afterAll(() => testApp.close());

  const propose = (body: object, auth = secretariat) =>
    testApp.http().post('/v1/initiatives').set('authorization', auth).send(body);

  describe('when the initiative does not exist', () => {
    it('proposes it as version 1, names it in Location, and stores the proposal with a canonical deadline', async () => {
      const response = await propose(proposalBody({ signOffDeadline: '2031-06-30T23:59:59+05:00' })).expect(
        201,
      );
      const { initiativeId } = response.body;
      expect(response.body).toEqual({
        initiativeId,
        revision: 0,
        proposalVersion: 1,
        status: 'awaiting-sign-offs',
      });
      expect(response.headers.location).toBe(`/v1/initiatives/${initiativeId}`);
      const [event] = await testApp.infrastructure.eventStore.readStream(`initiative-${initiativeId}`);
      expect(event.type).toBe('InitiativeProposed');
      expect(event.data).toMatchObject({ signOffDeadline: '2031-06-30T18:59:59.000Z', proposalVersion: 1 });
      expect(event.actor).toEqual({ sub: 'secretariat', role: 'secretariat', country: null });
    });

    it('uses the id the client chose', async () => {
      const initiativeId = '0a3c2f0e-4d84-4a4f-9f38-2f0d7a2b6c11';
      await propose(proposalBody({ initiativeId })).expect(201, {
        initiativeId,
        revision: 0,
        proposalVersion: 1,
        status: 'awaiting-sign-offs',
      });
    });

    it.each([
      ['an unknown field', { colour: 'blue' }, 'colour'],
      [
        'a numeric amount',
        { requestedFunding: { amount: 1500000, currency: 'USD' } },
        'requestedFunding.amount',
      ],
      [
        'an unknown currency',
        { requestedFunding: { amount: '10', currency: 'XXY' } },
        'requestedFunding.currency',
      ],
      ['a quorum without a minimum', { approvalRule: { kind: 'quorum' } }, 'approvalRule.minApprovals'],
      [
        'a minimum for unanimity',
        { approvalRule: { kind: 'unanimity', minApprovals: 3 } },
        'approvalRule.minApprovals',
      ],
      [
        'an unknown field in the approval rule',
        { approvalRule: { kind: 'unanimity', x: 1 } },
        'approvalRule.x',
      ],
      ['a deadline without a time zone', { signOffDeadline: '2031-06-30T23:59:59' }, 'signOffDeadline'],
      ['a past deadline', { signOffDeadline: '2020-01-01T00:00:00Z' }, 'signOffDeadline'],
      ['a participant that is an observer', { participatingStates: ['KAZ', 'HUN'] }, 'participatingStates'],
      ['a non-UUID id', { initiativeId: 'patent-office' }, 'initiativeId'],
      ['a null title', { title: null }, 'title'],
    ])('refuses %s with the field named', async (_, overrides, field) => {
      const response = await propose(proposalBody(overrides)).expect(400);
      expect(response.body.code).toBe('validation-failed');
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    });

    it('forbids a focal point to propose for another country', async () => {
      const aze = testApp.auth('focal-point', 'AZE');
      const response = await propose(proposalBody({ proposingState: 'KAZ' }), aze).expect(403);
      expect(response.body.code).toBe('forbidden');
    });
  });

  describe('when the initiative exists', () => {
    it('answers the identical proposal by the same actor with 200, appending nothing', async () => {
      const body = proposalBody({ initiativeId: '5e2b0f8c-3d6a-4c2e-8f7b-1a9d4c6e2f33' });
      await propose(body).expect(201);
      const again = await propose(body).expect(200);
      expect(again.body).toMatchObject({ revision: 0, status: 'awaiting-sign-offs' });
    });

    it('refuses another payload under the same id', async () => {
      const body = proposalBody({ initiativeId: '7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e44' });
      await propose(body).expect(201);
      const response = await propose({ ...body, title: 'Something else' }).expect(409);
      expect(response.body.code).toBe('already-exists');
    });
  });
});
