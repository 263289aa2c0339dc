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
    // Two start-ups of the whole API, on a shared machine.
  }, 20_000);
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

  it('leaves the history before it readable, and names it where a read needs it', async () => {
    const read = (path: string) =>
      testApp.http().get(`/v1/initiatives/${id}/${path}`).set('authorization', testApp.auth('auditor'));
    await read('state?atRevision=1').expect(200);
    const audit = await read('audit').expect(200);
    // Only a store that checks its rows (SQLite) knows the event is damaged before hashing it; the EventStoreDB
    // double returns it as stored, and the broken chain names it.
    if (audit.body.eventCount !== 3) return;
    for (const path of [
      'history',
      'state?atRevision=2',
      `state?at=${encodeURIComponent('2100-01-01T00:00:00Z')}`,
    ]) {
      const damaged = await read(path).expect(500);
      expect(damaged.body).toMatchObject({ code: 'stored-event-damaged' });
      expect(damaged.body.detail).toMatch(/revision 2\b/);
    }
    const signOff = await testApp
      .http()
      .post(`/v1/initiatives/${id}/sign-offs`)
      .set('authorization', testApp.auth('focal-point', 'UZB'))
      .send({ state: 'UZB', decision: 'approve', proposalVersion: 1 });
    expect({ status: signOff.status, code: signOff.body.code }).toEqual({
      status: 500,
      code: 'stored-event-damaged',
    });
  });
});
