/** Cursor connections: a page's cursor leads to exactly the next rows, and a cursor this list did not hand out is refused. */
import { refusalOf } from '../../testing/assertions';
import { encodeKey, readPage, readPageSize, readTimePage, toConnection } from './pagination';

const cursorOf = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');

test('`first` is 1 to 100, 20 when not given', () => {
  expect([readPageSize(undefined), readPageSize(null), readPageSize(1), readPageSize(100), readPageSize(null, 5)]).toEqual([20, 20, 1, 100, 5]);
  for (const bad of [0, 101, -1, 1.5]) expect(refusalOf(() => readPageSize(bad))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first', message: '`first` must be between 1 and 100' });
});

test('a connection of limit + 1 rows says there is a next page, and its end cursor decodes to the last row shown', () => {
  const rows = [1, 2, 3].map((n) => ({ id: `x-${n}`, at: new Date(Date.UTC(2026, 0, 4 - n)) }));
  const page = toConnection(rows, 2, (r) => [r.at, r.id]);
  expect(page.edges.map((e) => e.node.id)).toEqual(['x-1', 'x-2']);
  expect(page.pageInfo.hasNextPage).toBe(true);
  expect(readTimePage({ first: 2, after: page.pageInfo.endCursor })).toEqual({ limit: 2, after: { at: rows[1].at, id: 'x-2' } });
  expect(toConnection(rows, 3, (r) => [r.at, r.id]).pageInfo.hasNextPage).toBe(false);
  expect(toConnection([], 3, (r: { id: string }) => [r.id]).pageInfo).toEqual({ hasNextPage: false, endCursor: null });
});

test('a cursor decodes to its list’s key parts: times as Dates, texts as they are', () => {
  const at = new Date('2026-03-01T10:00:00.123Z');
  expect(readPage({ after: encodeKey([at, 'energy:swap:1']) }, ['time', 'text']).after).toEqual([at, 'energy:swap:1']);
  expect(readPage({ after: encodeKey(['Aion UT', 'model-aion-ut']) }, ['text', 'text']).after).toEqual(['Aion UT', 'model-aion-ut']);
  expect(readPage({ after: encodeKey(['insp-x']) }, ['text'])).toEqual({ limit: 20, after: ['insp-x'] });
  expect(readPage({ after: '' }, ['text']).after).toBeNull();
});

test.each([
  ['not base64 JSON', 'not-a-cursor'],
  ['not a list', cursorOf({ at: '2026-01-01T00:00:00.000Z' })],
  ['too few parts', cursorOf(['2026-01-01T00:00:00.000Z'])],
  ['too many parts', cursorOf(['2026-01-01T00:00:00.000Z', 'x-1', 'x-2'])],
  ['a number for a part', cursorOf([1, 'x-1'])],
  ['a time that is not one', cursorOf(['yesterday', 'x-1'])],
  ['a time outside the DateTime range', cursorOf(['0001-01-01T00:00:00.000Z', 'x-1'])],
  ['a text of 201 characters', cursorOf(['2026-01-01T00:00:00.000Z', 'x'.repeat(201)])],
  ['a NUL in a text', cursorOf(['2026-01-01T00:00:00.000Z', 'x\u0000'])],
])('a cursor with %s is refused, naming `after`', (_what, after) => {
  expect(refusalOf(() => readTimePage({ after }))).toEqual({ code: 'BAD_USER_INPUT', field: 'after', message: '`after` is not a cursor returned by this field' });
});
