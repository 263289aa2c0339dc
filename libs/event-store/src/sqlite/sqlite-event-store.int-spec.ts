import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CorruptEventError, DuplicateEventError } from '../errors';
import { eventStoreContract, newEvent } from '../testing/event-store-contract';
import { SqliteEventStore } from './sqlite-event-store';

const directory = mkdtempSync(join(tmpdir(), 'accord-sqlite-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let files = 0;
const freshFile = () => join(directory, `events-${++files}.db`);

eventStoreContract('SQLite', async () => new SqliteEventStore(freshFile()));

describe('SQLite event store', () => {
  it('keeps acknowledged appends after the file is closed and opened again', async () => {
    const file = freshFile();
    const first = new SqliteEventStore(file);
    await first.append('initiative-1', [newEvent('A'), newEvent('B')], 'no-stream');
    await first.close();
    const reopened = new SqliteEventStore(file);
    expect((await reopened.readStream('initiative-1')).map((event) => event.type)).toEqual(['A', 'B']);
    await reopened.close();
  });

  it('runs in WAL mode with full synchronous commits', async () => {
    const file = freshFile();
    const store = new SqliteEventStore(file);
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    await store.close();
  });

  it('gives each of 64 concurrent appends to different streams its own position', async () => {
    const store = new SqliteEventStore(freshFile());
    const results = await Promise.all(
      Array.from({ length: 64 }, (_, n) => store.append(`initiative-${n}`, [newEvent()], 'no-stream')),
    );
    expect(new Set(results.map((result) => result.position)).size).toBe(64);
    await store.close();
  });

  it('refuses an event id stored in another stream', async () => {
    const store = new SqliteEventStore(freshFile());
    const event = newEvent();
    await store.append('initiative-a', [event], 'no-stream');
    await expect(store.append('initiative-b', [event], 'no-stream')).rejects.toBeInstanceOf(
      DuplicateEventError,
    );
    expect(await store.readStream('initiative-b')).toEqual([]);
    await store.close();
  });

  it('reports an event whose stored body no longer decodes, with the events before it', async () => {
    const file = freshFile();
    const store = new SqliteEventStore(file);
    await store.append('initiative-c', [newEvent('A'), newEvent('B')], 'no-stream');
    const db = new Database(file);
    db.prepare(
      "UPDATE events SET body = substr(body, 2) WHERE revision = 1 AND stream_id = 'initiative-c'",
    ).run();
    db.close();
    const error = await store.readStream('initiative-c').catch((caught) => caught);
    expect(error).toBeInstanceOf(CorruptEventError);
    expect(error.revision).toBe(1);
    expect(error.readBefore.map((event: { type: string }) => event.type)).toEqual(['A']);
    await store.close();
  });

  it.each([
    ['a metadata field outside the hash chain', 'body', "json_set(body, '$.metadata.correlationId', 'x')"],
    ['the type column', 'type', "'Z'"],
  ])('reports an event whose row was changed on disk in %s', async (_, column, changed) => {
    const file = freshFile();
    const store = new SqliteEventStore(file);
    await store.append('initiative-d', [newEvent('A'), newEvent('B')], 'no-stream');
    const db = new Database(file);
    const update = db
      .prepare(`UPDATE events SET ${column} = ${changed} WHERE revision = 1 AND stream_id = 'initiative-d'`)
      .run();
    db.close();
    expect(update.changes).toBe(1);
    const error = await store.readStream('initiative-d').catch((caught) => caught);
    expect(error).toBeInstanceOf(CorruptEventError);
    expect(error.revision).toBe(1);
    await store.close();
  });

  it('reads rows written before the checksum column existed', async () => {
    const file = freshFile();
    const store = new SqliteEventStore(file);
    await store.append('initiative-e', [newEvent('A')], 'no-stream');
    await store.close();
    const db = new Database(file);
    db.exec('UPDATE events SET checksum = NULL');
    db.close();
    const reopened = new SqliteEventStore(file);
    expect((await reopened.readStream('initiative-e')).map((event) => event.type)).toEqual(['A']);
    await reopened.close();
  });
});
