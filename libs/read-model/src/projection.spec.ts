import { StoredEvent } from '@accord/event-store';
import { RebuildRows, streamsBegunBefore } from './projection';

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
