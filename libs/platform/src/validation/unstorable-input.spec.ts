import { MAX_BODY_DEPTH, unstorableInput } from './unstorable-input';

describe('unstorableInput', () => {
  it('names a path or query text holding a control character', () => {
    expect(unstorableInput('ab\u0000c', { type: 'param', data: 'bizTag' })).toEqual([
      { field: 'bizTag', problem: 'must not contain control characters' },
    ]);
    expect(unstorableInput({ text: 'x\ny', page: '1' }, { type: 'query' })).toEqual([
      { field: 'text', problem: 'must not contain control characters' },
    ]);
    expect(unstorableInput({ tag: ['ok', 'b\u007f'] }, { type: 'query' })).toHaveLength(1);
    expect(unstorableInput('fine text é 中', { type: 'param', data: 'id' })).toEqual([]);
  });

  it('names a body field holding NUL, and lets other control characters through (scripts have newlines)', () => {
    expect(
      unstorableInput({ name: 'a\u0000', items: [{ note: '\u0000' }], command: 'ls\n\tpwd' }, { type: 'body' }),
    ).toEqual(
      expect.arrayContaining([
        { field: 'name', problem: 'must not contain NUL characters' },
        { field: 'items.0.note', problem: 'must not contain NUL characters' },
      ]),
    );
    expect(unstorableInput({ command: 'ls\n\tpwd' }, { type: 'body' })).toEqual([]);
  });

  it('names a body key holding NUL, and a value or key holding an unpaired surrogate; a pair is a character', () => {
    expect(unstorableInput({ items: [{ ['k\u0000']: 1 }] }, { type: 'body' })).toEqual([
      { field: 'items.0.k\u0000', problem: 'has a key that must not contain NUL characters' },
    ]);
    expect(unstorableInput({ note: 'x\ud800', tail: '\udc00', ['\ud83d']: 1 }, { type: 'body' })).toHaveLength(3);
    expect(unstorableInput({ note: '😀 \ud83d\ude00', ['😀']: 'ok' }, { type: 'body' })).toEqual([]);
  });

  it('names the top field of a body nested deeper than the limit, without recursing', () => {
    let deep: unknown = 1;
    for (let level = 0; level < 100_000; level++) deep = { a: deep };
    expect(unstorableInput({ params: deep }, { type: 'body' })).toEqual([
      { field: 'params', problem: `is nested deeper than ${MAX_BODY_DEPTH} levels` },
    ]);
    let array: unknown = 1;
    for (let level = 0; level < MAX_BODY_DEPTH + 1; level++) array = [array];
    expect(unstorableInput(array, { type: 'body' })).toEqual([
      { field: '0', problem: `is nested deeper than ${MAX_BODY_DEPTH} levels` },
    ]);
  });
});
