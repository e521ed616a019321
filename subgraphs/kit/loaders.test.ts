/** The loader factories: one fetch per batch, answers in the order asked, and the right answer for a key with no row. */
import { byKeyLoader, groupBy, listByKeyLoader, pageLoader, rowsByKey } from './loaders';

interface Row {
  id: string;
  parent: string;
}
const rows: Row[] = [
  { id: 'a', parent: 'p1' },
  { id: 'b', parent: 'p2' },
  { id: 'c', parent: 'p1' },
];

test('rowsByKey answers keys in order, null where there is no row; groupBy keeps the rows’ order, [] where none', () => {
  expect(rowsByKey(['c', 'x', 'a'], rows, (r) => r.id)).toEqual([rows[2], null, rows[0]]);
  expect(groupBy(['p2', 'p1', 'p3'], rows, (r) => r.parent)).toEqual([[rows[1]], [rows[0], rows[2]], []]);
});

test('a by-key loader reads every key of a batch in one fetch and answers null for a key with no row', async () => {
  const fetched: string[][] = [];
  const loader = byKeyLoader(async (ids) => (fetched.push([...ids]), rows.filter((r) => ids.includes(r.id))), (r) => r.id);
  expect(await Promise.all(['b', 'x', 'a'].map((id) => loader.load(id)))).toEqual([rows[1], null, rows[0]]);
  expect(fetched).toEqual([['b', 'x', 'a']]);
});

test('a list-by-key loader reads every key of a batch in one fetch and answers [] for a key with no rows', async () => {
  const fetched: string[][] = [];
  const loader = listByKeyLoader(async (parents) => (fetched.push([...parents]), rows.filter((r) => parents.includes(r.parent))), (r) => r.parent);
  expect(await Promise.all(['p1', 'p3', 'p2'].map((p) => loader.load(p)))).toEqual([[rows[0], rows[2]], [], [rows[1]]]);
  expect(fetched).toHaveLength(1);
});

test('a page loader reads every parent asking for the same page in one fetch, and distinct pages apart', async () => {
  const fetched: Array<{ parents: readonly (readonly [string, string])[]; after: unknown; limit: number }> = [];
  const loader = pageLoader<string, { at: Date; id: string }, readonly [string, string]>(async (parents, after, limit) => {
    fetched.push({ parents, after, limit });
    return parents.map(([vin, owner]) => [`${vin}/${owner}/${limit}/${after?.id ?? '-'}`]);
  });
  const after = { at: new Date('2026-01-01T00:00:00.000Z'), id: 'x-9' };
  const answers = await Promise.all([
    loader.load({ parent: ['V1', 'u1'], limit: 3, after: null }),
    loader.load({ parent: ['V2', 'u1'], limit: 3, after: null }),
    loader.load({ parent: ['V1', 'u1'], limit: 3, after }),
    loader.load({ parent: ['V1', 'u1'], limit: 3, after: null }),
  ]);
  expect(answers).toEqual([['V1/u1/3/-'], ['V2/u1/3/-'], ['V1/u1/3/x-9'], ['V1/u1/3/-']]);
  expect(fetched).toEqual([
    { parents: [['V1', 'u1'], ['V2', 'u1']], after: null, limit: 3 },
    { parents: [['V1', 'u1']], after, limit: 3 },
  ]);
});
