import { StoredEvent } from '@accord/event-store';
import { CHUNK, inChunks, RebuildRows, streamsBegunBefore } from './projection';

async function chunkSizes(rows: number): Promise<{ sizes: number[]; rows: number[] }> {
  const sizes: number[] = [];
  const seen: number[] = [];
  await inChunks(
    Array.from({ length: rows }, (_, index) => index),
    async (chunk) => {
      sizes.push(chunk.length);
      seen.push(...chunk);
    },
  );
  return { sizes, rows: seen };
}

describe('inChunks', () => {
  it('writes every row once, in order, in chunks of at most CHUNK rows', async () => {
    for (const rows of [0, 1, 7, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 100]) {
      const written = await chunkSizes(rows);
      expect(written.rows).toEqual(Array.from({ length: rows }, (_, index) => index));
      expect(Math.max(0, ...written.sizes)).toBeLessThanOrEqual(CHUNK);
    }
  });

  it('uses only power-of-two chunk sizes, so that a statement is prepared for a few row counts only', async () => {
    expect((await chunkSizes(300)).sizes).toEqual([256, 32, 8, 4]);
    expect((await chunkSizes(2 * CHUNK + 3)).sizes).toEqual([CHUNK, CHUNK, 2, 1]);
    const sizes = new Set<number>();
    for (let rows = 1; rows <= 2 * CHUNK; rows++)
      for (const size of (await chunkSizes(rows)).sizes) sizes.add(size);
    expect([...sizes].sort((a, b) => a - b)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256]);
  });
});

describe('RebuildRows', () => {
  it('keeps the rows changed last, and gives back those that fall out', () => {
    const rows = new RebuildRows<string>(2);
    expect(rows.change([['a', 'a1']])).toEqual([]);
    expect(rows.change([['b', 'b1']])).toEqual([]);
    // a is changed again: b is now the oldest, and falls out when c comes.
    expect(rows.change([['a', 'a2']])).toEqual([]);
    expect(rows.change([['c', 'c1']])).toEqual(['b1']);
    expect(rows.get('a')).toBe('a2');
    expect(rows.get('b')).toBeUndefined();
    expect(rows.missing(['a', 'b', 'c'])).toEqual(['b']);
  });

  it('drains every row it holds, once', () => {
    const rows = new RebuildRows<string>(10);
    rows.change([
      ['a', 'a1'],
      ['b', 'b1'],
    ]);
    expect(rows.drain().sort()).toEqual(['a1', 'b1']);
    expect(rows.drain()).toEqual([]);
    expect(rows.get('a')).toBeUndefined();
  });
});

describe('streamsBegunBefore', () => {
  const event = (streamId: string, revision: number) => ({ streamId, revision }) as StoredEvent;

  it('names the streams whose first event in the batch is past revision 0', () => {
    const events = [event('s-a', 3), event('s-b', 0), event('s-b', 1), event('other', 5), event('s-a', 4)];
    const keyOf = (streamId: string) => (streamId.startsWith('s-') ? streamId.slice(2) : null);
    expect(streamsBegunBefore(events, keyOf)).toEqual(['a']);
  });
});
