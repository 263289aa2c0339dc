import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StoredEvent } from '@accord/event-store';
import { accordVerify, pythonVerify, signedOff, startTestApp, TestApp } from './support';

/**
 * A store written at schema version 1, by the Accord of commit 5a02d6d (test/fixtures/v1-history.json: its events
 * exactly as it stored them, and the views it showed), opened by this version: the events stay byte for byte as
 * they are, every history folds to what it showed then, every chain verifies, and new events append at version 2.
 */
describe('A store written at schema version 1', () => {
  const fixture = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'v1-history.json'), 'utf8')) as {
    events: StoredEvent[];
    views: Record<string, Record<string, unknown>>;
  };
  const ids = Object.keys(fixture.views);
  const open = ids[ids.length - 1];
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp({ store: 'sqlite' });
    const streams = new Map<string, StoredEvent[]>();
    for (const event of fixture.events)
      streams.set(event.streamId, [...(streams.get(event.streamId) ?? []), event]);
    for (const [streamId, events] of streams)
      await testApp.infrastructure.eventStore.append(
        streamId,
        events.map(({ streamId: _streamId, revision: _revision, position: _position, ...stored }) => stored),
        'no-stream',
      );
  });
  afterAll(() => testApp.close());

  const get = (path: string) =>
    testApp.http().get(`/v1/initiatives/${path}`).set('authorization', testApp.auth('auditor')).expect(200);

  it('keeps every event as it was stored, at version 1', async () => {
    for (const id of ids) {
      const history = await get(`${id}/history`);
      const stored = fixture.events.filter((event) => event.streamId === `initiative-${id}`);
      expect(history.body.events).toEqual(
        stored.map(({ streamId: _streamId, position: _position, ...event }) => event),
      );
    }
  });

  it('folds every history to what the older version showed', async () => {
    for (const id of ids) {
      const { body } = await get(
        `${id}/state?atRevision=${(fixture.views[id] as { revision: number }).revision}`,
      );
      expect(body).toMatchObject(fixture.views[id]);
    }
  });

  it('verifies every chain, on the server and offline', async () => {
    for (const id of ids) {
      expect((await get(`${id}/audit`)).body).toMatchObject({ verified: true, brokenAtRevision: null });
      const bundle = (await get(`${id}/audit-bundle`)).body;
      expect((await accordVerify(bundle, testApp.dataDir)).code).toBe(0);
      expect(pythonVerify(bundle, testApp.dataDir).code).toBe(0);
    }
  });

  it('appends new events at version 2 on top, the chain whole', async () => {
    await signedOff(testApp, open, 'TUR').expect(201);
    const events = (await get(`${open}/history`)).body.events;
    expect(events.map((event: StoredEvent) => event.metadata.schemaVersion)).toEqual([1, 1, 2]);
    expect(events[2].data).toMatchObject({ state: 'TUR', signature: null, proposalHash: null });
    expect((await get(`${open}/audit`)).body).toMatchObject({ verified: true, eventCount: 3 });
    const bundle = (await get(`${open}/audit-bundle`)).body;
    expect(pythonVerify(bundle, testApp.dataDir).code).toBe(0);
  });
});
