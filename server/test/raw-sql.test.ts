import { literal, runSql } from '../src/sending/raw-sql';
import { startTestApp, type TestApp } from './harness';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

describe('runSql', () => {
  it('reads back every value as it was written, quotes, backslashes and question marks included', async () => {
    const text = `2x0 what? it's a C:\\path 'quoted' \\' ? ?? $1`;
    const ids = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'];
    const [row] = await runSql<{ text: string; n: number; none: null; ids: string[]; empty: string[]; counts: Array<number | null>; texts: Array<string | null> }>(
      t.app.orm.em,
      `select ?::text as text, ?::int as n, ? as none, ?::uuid[] as ids, ?::uuid[] as empty, ?::int[] as counts, ?::text[] as texts`,
      [text, 42, null, ids, [], [1, null, 3], [text, null]],
    );
    expect(row).toEqual({ text, n: 42, none: null, ids, empty: [], counts: [1, null, 3], texts: [text, null] });
  });

  it('refuses a statement whose placeholders do not match its values', async () => {
    await expect(runSql(t.app.orm.em, `select ?, ?`, [1])).rejects.toThrow('expected 2 values, got 1');
  });
});

describe('literal', () => {
  it('writes strings as the pg driver escapes them, and arrays as ARRAY[...]', () => {
    expect(literal(`it's`)).toBe(`'it''s'`);
    expect(literal(`a\\b`)).toBe(` E'a\\\\b'`);
    expect(literal(['a', `b'c`])).toBe(`ARRAY['a','b''c']`);
    expect(literal([1, null, 'x'])).toBe(`ARRAY[1,null,'x']`);
    expect(literal([])).toBe(`'{}'`);
    expect(literal(null)).toBe('null');
    expect(() => literal(Number.NaN)).toThrow('not a finite number');
  });
});
