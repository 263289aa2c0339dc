import { accordVerify, alterStoredEvent, proposed, pythonVerify, startTestApp, TestApp } from './support';

describe('A stored event altered on disk', () => {
  const comment = 'Kyrgyzstan approves the patent office';
  let testApp: TestApp;
  let id: string;

  beforeAll(async () => {
    const first = await startTestApp({ store: 'sqlite' });
    id = await proposed(first);
    for (const [state, note] of [
      ['AZE', 'Agreed'],
      ['KGZ', comment],
      ['TUR', 'Agreed too'],
    ])
      await first
        .http()
        .post(`/v1/initiatives/${id}/sign-offs`)
        .set('authorization', first.auth('focal-point', state))
        .send({ state, decision: 'approve', proposalVersion: 1, comment: note })
        .expect(201);
    await first.close({ keepData: true });
    alterStoredEvent(first.dataDir, comment);

    testApp = await startTestApp({ store: 'sqlite', dataDir: first.dataDir });
  });
  afterAll(() => testApp.close());

  it('is named by the audit: the revision it sits at', async () => {
    const audit = await testApp
      .http()
      .get(`/v1/initiatives/${id}/audit`)
      .set('authorization', testApp.auth('auditor'))
      .expect(200);
    expect(audit.body).toMatchObject({ verified: false, brokenAtRevision: 2 });
    // The SQLite store's row checksum stops the read at the damaged event (3 events counted); a store that keeps no
    // checksum of its own (the EventStoreDB double) returns all 4 and the chain breaks at the same revision.
    expect([3, 4]).toContain(audit.body.eventCount);
  });

  it('makes `accord verify` and the independent verifier fail at that revision', async () => {
    const bundle = await testApp
      .http()
      .get(`/v1/initiatives/${id}/audit-bundle`)
      .set('authorization', testApp.auth('auditor'))
      .expect(200);
    expect(await accordVerify(bundle.body, testApp.dataDir)).toEqual({
      code: 1,
      output: 'broken at revision 2\n',
    });
    expect(pythonVerify(bundle.body, testApp.dataDir)).toEqual({ code: 1, output: 'broken at revision 2\n' });
  });
});
