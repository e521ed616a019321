/**
 * A spending page reads about first + 1 rows of a contributor's history, whatever its length: the
 * statement `loadLines` sends must run as an index-ordered scan — for each branch of the view, an
 * index scan in the shared order (occurred_at desc, line_id desc in byte order) that starts at the
 * cursor and stops when the page is full, the branches merged — with no sort over the history.
 * Shown with EXPLAIN (ANALYZE, BUFFERS) of that very statement for a user of 10,000 lines among
 * others, on PostgreSQL (a fresh database from DATABASE_URL) and on the embedded PGlite; and the
 * pages and buckets must still say exactly what the rows say.
 */
import type { Db, Queryable } from '../../platform/db';
import { compareLines, loadBuckets, loadLines, type Period, type SpendingBucket, type SpendingLine } from './spending';
import type { TimeKey as Cursor } from './pagination';
import { Rng } from './seed';
import { analyzeSubgraphTables, migrateAll } from '../../testing/seed';
import { openTestDb } from '../../testing/harness';
import { CONTRIBUTORS, writeHistory, type Contributor, type History } from '../../testing/spending-history';

const HEAVY = 'user-heavy';
/** Others of 2,000 lines each: the heavy user's pages must not cost more than theirs. */
const LIGHT = ['user-light-1', 'user-light-2'];
/** A page of 20: each contributor is asked for 21 lines. */
const LIMIT = 21;

/** The table each branch of a contributor's view reads its lines from, one entry per branch. */
const BRANCH_TABLES: Record<Contributor, string[]> = {
  orders: ['orders', 'orders', 'orders'],
  finance: ['instalments', 'insurance_policies'],
  aftermarket: ['invoices'],
  energy: ['swap_sessions', 'charging_sessions', 'subscription_charges'],
};

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Cond'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  'Shared Hit Blocks': number;
  'Shared Read Blocks': number;
  Plans?: PlanNode[];
}
interface Explained {
  Plan: PlanNode;
}

const walk = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(walk)];
/** Rows a table scan looked at: those it returned and those its filters threw away, over every loop. */
const rowsRead = (n: PlanNode) => (n['Actual Rows'] + (n['Rows Removed by Filter'] ?? 0) + (n['Rows Removed by Index Recheck'] ?? 0)) * n['Actual Loops'];
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** EXPLAIN (ANALYZE, BUFFERS) of the one statement `loadLines` sends, with its parameters. */
async function explainLines(db: Db, schema: string, userId: string, period: Period, after: Cursor | null): Promise<Explained> {
  const plans: Explained[] = [];
  const explaining: Queryable = {
    async query<R>(sql: string, params?: unknown[]): Promise<R[]> {
      const [row] = await db.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, params);
      const plan = row['QUERY PLAN'];
      plans.push((typeof plan === 'string' ? JSON.parse(plan) : plan)[0]);
      return [];
    },
  };
  await loadLines(explaining, schema, userId, period, after, LIMIT);
  expect(plans).toHaveLength(1);
  return plans[0];
}

/** What a plan read: the branches' ordered scans, the other tables' lookups, and the buffers it touched. */
function cost(c: Contributor, explained: Explained) {
  const nodes = walk(explained.Plan);
  const tableScans = nodes.filter((n) => n['Relation Name'] !== undefined);
  const branchScans = tableScans.filter((n) => BRANCH_TABLES[c].includes(n['Relation Name']!));
  return {
    nodes,
    branchScans,
    lookups: tableScans.filter((n) => !branchScans.includes(n)),
    branchRows: sum(branchScans.map(rowsRead)),
    buffers: explained.Plan['Shared Hit Blocks'] + explained.Plan['Shared Read Blocks'],
  };
}

const inPeriod = (p: Period) => (l: SpendingLine) => (!p.from || l.occurredAt >= p.from) && (!p.to || l.occurredAt < p.to);

/** Per-(category, month) sums of lines, in a fixed order, as loadBuckets must give them. */
function bucketsOf(lines: SpendingLine[]): SpendingBucket[] {
  const byKey = new Map<string, SpendingBucket>();
  for (const l of lines) {
    const month = l.occurredAt.toISOString().slice(0, 7);
    const b = byKey.get(`${l.category} ${month}`) ?? { category: l.category, month, amount: 0n, lineCount: 0 };
    byKey.set(`${l.category} ${month}`, { ...b, amount: b.amount + l.amount, lineCount: b.lineCount + 1 });
  }
  return sortBuckets([...byKey.values()]);
}
const sortBuckets = (bs: SpendingBucket[]) => [...bs].sort((a, b) => (a.month + a.category < b.month + b.category ? -1 : 1));

const DATABASES = [...(process.env.DATABASE_URL ? [['PostgreSQL', 'auto'] as const] : []), ['PGlite', 'pglite'] as const];

describe.each(DATABASES)('spending pages on %s', (_name, kind) => {
  let db: Db;
  let drop: () => Promise<void>;
  const histories = new Map<string, History>();
  /** The heavy user's lines of every contributor, merged in the shared order. */
  let merged: SpendingLine[];

  beforeAll(async () => {
    ({ db, drop } = await openTestDb(kind));
    await migrateAll(db);
    const rng = new Rng(20260606);
    histories.set(HEAVY, await writeHistory(db, rng, HEAVY));
    for (const user of LIGHT) histories.set(user, await writeHistory(db, rng, user, 0.2));
    await analyzeSubgraphTables(db);
    merged = CONTRIBUTORS.flatMap((c) => histories.get(HEAVY)![c]).sort(compareLines);
  }, 180_000);
  afterAll(() => drop?.());

  test('the heavy user has 10,000 lines, in every branch of every view', () => {
    expect(merged).toHaveLength(10_000);
    const kinds = new Set(merged.map((l) => l.id.split(':').slice(0, 2).join(':')));
    expect([...kinds].sort()).toEqual(
      ['aftermarket:invoice', 'energy:charging', 'energy:subscription-charge', 'energy:swap', 'finance:instalment', 'finance:insurance', 'orders:balance', 'orders:deposit', 'orders:trade-in-credit'],
    );
  });

  test.each(CONTRIBUTORS)('paging through %s with cursors returns every line once, in order, as the rows say', async (c) => {
    const seen: SpendingLine[] = [];
    let after: Cursor | null = null;
    for (let pages = 0; pages < 1000; pages++) {
      const page = await loadLines(db, c, HEAVY, { from: null, to: null }, after, 101);
      seen.push(...page);
      if (page.length < 101) break;
      after = { at: page[page.length - 1].occurredAt, id: page[page.length - 1].id };
    }
    expect(seen).toEqual(histories.get(HEAVY)![c]);
  });

  const scenarios = {
    'the first page': () => ({ period: { from: null, to: null }, after: null }),
    'a deep page (after the 5,000th line)': () => ({ period: { from: null, to: null }, after: { at: merged[4999].occurredAt, id: merged[4999].id } }),
    "a period's first page": () => ({ period: { from: merged[7000].occurredAt, to: merged[3000].occurredAt }, after: null }),
  } satisfies Record<string, () => { period: Period; after: Cursor | null }>;

  describe.each(Object.keys(scenarios) as Array<keyof typeof scenarios>)('%s', (scenario) => {
    test.each(CONTRIBUTORS)('of %s is an index-ordered scan that reads about first + 1 rows', async (c) => {
      const { period, after } = scenarios[scenario]();
      const expected = histories.get(HEAVY)![c].filter((l) => inPeriod(period)(l) && (!after || compareLines(l, { occurredAt: after.at, id: after.id }) > 0)).slice(0, LIMIT);
      expect(expected).toHaveLength(LIMIT);
      expect(await loadLines(db, c, HEAVY, period, after, LIMIT)).toEqual(expected);

      const heavy = cost(c, await explainLines(db, c, HEAVY, period, after));
      // Nothing sorts the history: each branch is read in order from its index ...
      expect(heavy.nodes.filter((n) => /Sort/.test(n['Node Type'])).map((n) => n['Node Type'])).toEqual([]);
      expect(heavy.branchScans.map((n) => n['Relation Name'])).toEqual(BRANCH_TABLES[c]);
      for (const scan of heavy.branchScans) {
        expect(scan['Node Type']).toBe('Index Scan');
        expect(scan['Index Cond']).toMatch(/user_id = /);
        // ... starting at the cursor (the keyset condition is an index condition, not a filter) ...
        if (after) expect(scan['Index Cond']).toMatch(/ROW\(/);
      }
      if (BRANCH_TABLES[c].length > 1) expect(heavy.nodes.map((n) => n['Node Type'])).toContain('Merge Append');
      // ... and stopping when the page is full: one row per line of the page, plus one waiting per branch.
      const linesRead = LIMIT + BRANCH_TABLES[c].length;
      expect(heavy.branchRows).toBeLessThanOrEqual(linesRead);
      // What a line takes from other tables (descriptions) is looked up once per line read, at most.
      for (const lookup of heavy.lookups) expect(lookup['Actual Loops']).toBeLessThanOrEqual(linesRead);
      expect(heavy.buffers).toBeLessThanOrEqual(10 * LIMIT);

      // Whatever the length of the history: 10,000 lines cost what 2,000 do.
      const light = cost(c, await explainLines(db, c, LIGHT[0], period, after));
      expect(heavy.branchRows).toBeLessThanOrEqual(light.branchRows + BRANCH_TABLES[c].length);
    });
  });

  test.each(CONTRIBUTORS)('loadBuckets of %s is one statement for several users, and sums exactly', async (c) => {
    const users = [HEAVY, ...LIGHT, 'user-with-nothing'];
    for (const period of [{ from: null, to: null }, { from: merged[7000].occurredAt, to: merged[3000].occurredAt }]) {
      const before = db.statementCount;
      const buckets = await loadBuckets(db, c, users, period);
      expect(db.statementCount - before).toBe(1);
      for (const user of users) {
        const lines = (histories.get(user)?.[c] ?? []).filter(inPeriod(period));
        expect(sortBuckets(buckets.get(user) ?? [])).toEqual(bucketsOf(lines));
      }
    }
  });
});
