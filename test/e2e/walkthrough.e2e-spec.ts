import { accordVerify, MEMBERS, proposed, pythonVerify, signedOff, startTestApp, TestApp } from './support';

describe('An initiative from proposal to funding, on the embedded SQLite store', () => {
  let testApp: TestApp;
  let id: string;
  beforeAll(async () => {
    testApp = await startTestApp({ store: 'sqlite' });
    id = await proposed(testApp);
  });
  afterAll(() => testApp.close());

  describe('when the five member states sign off at the same moment', () => {
    let responses: { status: number; body: { status: string; revision: number } }[];
    beforeAll(async () => {
      responses = await Promise.all(MEMBERS.map((state) => signedOff(testApp, id, state)));
    });

    it('answers every sign-off with 201', () => {
      expect(responses.map((response) => response.status)).toEqual([201, 201, 201, 201, 201]);
    });

    it('approves the initiative with exactly one InitiativeApproved event', async () => {
      const history = await testApp
        .http()
        .get(`/v1/initiatives/${id}/history`)
        .set('authorization', testApp.auth('auditor'))
        .expect(200);
      const types = history.body.events.map((event: { type: string }) => event.type);
      expect(types.filter((type: string) => type === 'NationalSignOffRecorded')).toHaveLength(5);
      expect(types.filter((type: string) => type === 'InitiativeApproved')).toHaveLength(1);
      expect(types[types.length - 1]).toBe('InitiativeApproved');
      expect(history.body.events.map((event: { revision: number }) => event.revision)).toEqual([
        0, 1, 2, 3, 4, 5, 6,
      ]);
    });

    it('shows the initiative approved, with the five sign-offs and nobody pending', async () => {
      const response = await testApp
        .http()
        .get(`/v1/initiatives/${id}?minRevision=6`)
        .set('authorization', testApp.auth('focal-point', 'KGZ'))
        .expect(200);
      expect(response.headers.etag).toBe('"6"');
      expect(response.body).toMatchObject({
        status: 'approved',
        proposalVersion: 1,
        pendingStates: [],
        revision: 6,
      });
      expect(response.body.signOffs.map((signOff: { state: string }) => signOff.state).sort()).toEqual(
        MEMBERS,
      );
    });
  });

  describe('when approved', () => {
    it('records the funding decision and the initiative is funded', async () => {
      const response = await testApp
        .http()
        .post(`/v1/initiatives/${id}/funding-decision`)
        .set('authorization', testApp.auth('fund-board'))
        .send({ decision: 'granted', fundingBody: 'OTS Research, Development and Innovation Fund' })
        .expect(201);
      expect(response.body).toEqual({ initiativeId: id, revision: 7, proposalVersion: 1, status: 'funded' });
      const view = await testApp
        .http()
        .get(`/v1/initiatives/${id}?minRevision=7`)
        .set('authorization', testApp.auth('secretariat'))
        .expect(200);
      expect(view.body.funding).toMatchObject({
        decision: 'granted',
        amount: '1500000.00',
        currency: 'USD',
        decidedBy: 'fund-board',
      });
    });
  });

  describe('when funded', () => {
    it('verifies the whole chain', async () => {
      const audit = await testApp
        .http()
        .get(`/v1/initiatives/${id}/audit`)
        .set('authorization', testApp.auth('auditor'))
        .expect(200);
      expect(audit.body).toEqual({
        initiativeId: id,
        eventCount: 8,
        headHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        verified: true,
        brokenAtRevision: null,
        // The default parties file has no keys: every decision is unsigned, and every link holds.
        revisions: Array.from({ length: 8 }, (_, revision) => ({
          revision,
          chain: 'ok',
          signature: 'unsigned',
        })),
      });
    });

    it("exports a bundle that `accord verify` and the auditor's independent verifier both accept", async () => {
      const audit = await testApp
        .http()
        .get(`/v1/initiatives/${id}/audit`)
        .set('authorization', testApp.auth('auditor'));
      const bundle = await testApp
        .http()
        .get(`/v1/initiatives/${id}/audit-bundle`)
        .set('authorization', testApp.auth('auditor'))
        .expect(200);
      expect(bundle.body).toMatchObject({
        format: 'accord-audit-bundle/1',
        streamId: `initiative-${id}`,
        eventCount: 8,
      });
      expect(bundle.headers['content-disposition']).toContain('attachment');

      expect(await accordVerify(bundle.body, testApp.dataDir)).toEqual({
        code: 0,
        output: `${audit.body.headHash}\n`,
      });
      expect(pythonVerify(bundle.body, testApp.dataDir)).toEqual({
        code: 0,
        output: `${audit.body.headHash}\n`,
      });
    });

    it('shows the initiative as it stood at any revision or instant', async () => {
      const auditor = testApp.auth('auditor');
      const atProposal = await testApp
        .http()
        .get(`/v1/initiatives/${id}/state?atRevision=0`)
        .set('authorization', auditor)
        .expect(200);
      expect(atProposal.body).toMatchObject({
        status: 'awaiting-sign-offs',
        revision: 0,
        signOffs: [],
        pendingStates: MEMBERS,
      });
      const history = await testApp.http().get(`/v1/initiatives/${id}/history`).set('authorization', auditor);
      const approvedAt = history.body.events[6].occurredAt;
      const atApproval = await testApp
        .http()
        .get(`/v1/initiatives/${id}/state`)
        .query({ at: approvedAt })
        .set('authorization', auditor)
        .expect(200);
      expect(atApproval.body).toMatchObject({ status: 'approved', funding: null });
      await testApp
        .http()
        .get(`/v1/initiatives/${id}/state?at=2000-01-01T00:00:00Z`)
        .set('authorization', auditor)
        .expect(404);
    });
  });
});
