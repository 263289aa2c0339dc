import { charsetOf, illFormedText } from './json-body';

describe('charsetOf', () => {
  it.each([
    ['application/json', undefined],
    ['application/json; charset=utf-8', 'utf-8'],
    ['application/json;CHARSET="UTF-8"', 'utf-8'],
    ['application/json; foo=bar; charset=utf-16', 'utf-16'],
    [undefined, undefined],
  ])('reads %s as %s', (header, charset) => expect(charsetOf(header)).toBe(charset));
});

describe('illFormedText', () => {
  it('passes well-formed text, astral characters and surrogate pairs included', () => {
    expect(
      illFormedText({ title: 'Қазақстан 🇰🇿', list: ['\ud83d\ude00', 1, null, { ключ: true }] }),
    ).toBeNull();
    expect(illFormedText('plain')).toBeNull();
    expect(illFormedText(null)).toBeNull();
  });

  it.each([
    ['a lone high surrogate in a field', { title: 'a\ud800b' }, 'title'],
    ['a lone low surrogate in a nested array', { rule: { states: ['KAZ', '\udc00'] } }, 'rule.states.1'],
    ['a pair in the wrong order', { comment: '\ude00\ud83d' }, 'comment'],
    ['a lone surrogate in a key', { nested: { '\ud800': 1 } }, 'nested'],
    ['a lone surrogate as the whole body', '\ud800', 'body'],
  ])('names %s', (_, value, field) => expect(illFormedText(value)?.field).toBe(field));

  it('walks a body nested far deeper than the stack would allow', () => {
    let deep: unknown = ['\ud800'];
    for (let depth = 0; depth < 100_000; depth++) deep = [deep];
    expect(illFormedText(deep)).not.toBeNull();
  });
});
