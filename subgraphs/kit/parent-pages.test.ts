/**
 * Per-parent pages on real PostgreSQL: one statement answers every parent, each with its own newest
 * `limit` rows after the cursor, in the parents' order — one-column and two-column parent keys, time
 * and text sort keys, and a tie-breaker other than `id`.
 */
import { openTestDb } from '../../testing/harness';
import type { Db } from '../../platform/db';
import { pagesByParent, type ParentPageSpec } from './parent-pages';

interface Visit {
  id: string;
  owner: string;
  vin: string;
  at: Date;
}

const day = (n: number) => new Date(Date.UTC(2026, 0, n));
const VISITS: Visit[] = [
  { id: 'v-1', owner: 'u1', vin: 'A', at: day(1) },
  { id: 'v-2', owner: 'u1', vin: 'A', at: day(3) },
  { id: 'v-3', owner: 'u1', vin: 'B', at: day(2) },
  { id: 'v-4', owner: 'u2', vin: 'A', at: day(3) },
  { id: 'v-5', owner: 'u1', vin: 'A', at: day(3) },
];

let db: Db;
let drop: () => Promise<void>;
let statements = 0;
const counting = () => ({ query: (sql: string, params?: unknown[]) => (statements++, db.query(sql, params)) }) as unknown as Db;

const spec: ParentPageSpec<string> = {
  table: 'pages.visits',
  cols: 'x.id',
  parentCols: ['x.owner'],
  sortCol: 'x.at',
  sortType: 'timestamptz',
  map: (r) => String(r.id),
};

beforeAll(async () => {
  ({ db, drop } = await openTestDb());
  await db.query('CREATE SCHEMA pages');
  await db.query('CREATE TABLE pages.visits (id text PRIMARY KEY, owner text NOT NULL, vin text NOT NULL, at timestamptz NOT NULL, label text NOT NULL)');
  for (const v of VISITS) await db.query('INSERT INTO pages.visits VALUES ($1, $2, $3, $4, $5)', [v.id, v.owner, v.vin, v.at, `${v.vin}-${v.id}`]);
});
afterAll(() => drop());

test('every parent gets its own newest rows (ties by id, descending), in the order the parents were given, from one statement', async () => {
  statements = 0;
  expect(await pagesByParent(counting(), spec, ['u2', 'nobody', 'u1'], null, 3)).toEqual([['v-4'], [], ['v-5', 'v-2', 'v-3']]);
  expect(statements).toBe(1);
});

test('a cursor continues after its row, whether given as a (time, id) key or a decoded tuple', async () => {
  expect(await pagesByParent(db, spec, ['u1'], { at: day(3), id: 'v-2' }, 10)).toEqual([['v-3', 'v-1']]);
  expect(await pagesByParent(db, spec, ['u1'], [day(3), 'v-5'], 1)).toEqual([['v-2']]);
});

test('a two-column parent key, a text sort key and another tie-breaker read the same way', async () => {
  const byVehicle: ParentPageSpec<string> = { ...spec, cols: 'x.label', parentCols: ['x.owner', 'x.vin'], sortCol: 'x.label', sortType: 'text', idCol: 'x.vin', map: (r) => String(r.label) };
  expect(await pagesByParent(db, byVehicle, [['u1', 'A'], ['u1', 'B']], null, 2)).toEqual([['A-v-5', 'A-v-2'], ['B-v-3']]);
  expect(await pagesByParent(db, byVehicle, [['u1', 'A']], ['A-v-2', 'A'], 5)).toEqual([['A-v-1']]);
});
