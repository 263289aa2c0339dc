import { exportBundle, verifyBundle } from './audit-bundle';
import { ChainedEvent, eventHash, GENESIS_HASH } from './hash-chain';

const STREAM = 'initiative-7b0a3c52-1d7e-4c55-9d0c-0f4a2f6f9e11';

function chained(count: number): ChainedEvent[] {
  const events: ChainedEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let revision = 0; revision < count; revision++) {
    const fields = {
      streamId: STREAM,
      revision,
      eventId: `event-${revision}`,
      type: revision === 0 ? 'InitiativeProposed' : 'SignOffRecorded',
      schemaVersion: 1,
      occurredAt: `2026-11-27T10:0${revision}:00.000Z`,
      actor: { sub: 'secretariat-1', role: 'secretariat', country: null },
      data: { revision },
      prevHash,
    };
    const hash = eventHash(fields);
    events.push({ ...fields, metadata: { schemaVersion: 1 }, hash });
    prevHash = hash;
  }
  return events;
}

describe('an exported audit bundle', () => {
  const bundle = exportBundle(STREAM, chained(3), new Date('2026-11-27T12:00:00Z'));

  it('verifies as exported', () =>
    expect(verifyBundle(JSON.parse(JSON.stringify(bundle)))).toMatchObject({
      kind: 'chain',
      verified: true,
      headHashMatches: true,
      headHash: bundle.events[2].hash,
    }));

  it('names the revision of a changed event', () => {
    const events = bundle.events.map((event, revision) =>
      revision === 1 ? { ...event, data: { revision: 9 } } : event,
    );
    expect(verifyBundle({ ...bundle, events })).toMatchObject({ verified: false, brokenAtRevision: 1 });
  });

  it('does not match its head once its last event is cut', () =>
    expect(verifyBundle({ ...bundle, events: bundle.events.slice(0, 2) })).toMatchObject({
      verified: true,
      headHashMatches: false,
    }));

  it('does not match a head it no longer names: a cut bundle cannot hide by dropping its head hash', () => {
    const { headHash: _dropped, ...headless } = bundle;
    expect(verifyBundle({ ...headless, events: bundle.events.slice(0, 2) })).toMatchObject({
      headHashMatches: false,
    });
  });

  it('is unreadable in another format', () =>
    expect(verifyBundle({ ...bundle, format: 'other/1' })).toMatchObject({ kind: 'unreadable' }));
});
