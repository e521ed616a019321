/**
 * Cost of ownership and retention, through the gateway on real PostgreSQL over a seeded world: every
 * vehicle's monthly costs add up exactly to its share of its owner's spending report; the averages
 * are the per-vehicle rows summed and divided; retention equals a recomputation from the contributors'
 * base views; and all of it stays equal after new payments (the aggregates are adjusted, not rebuilt).
 */
import { startTestGraph, as, type TestGraph } from '../../testing/harness';
import { codeOf, fen, ok } from '../../testing/assertions';
import { seedAll } from '../../testing/seed';
import { pseudonym } from '../kit/auth';
import { averageFen } from './views/vehicles';

const ANALYST = as.analyst();
const ADMIN = as.admin();
const REFRESH = `mutation { refreshAnalytics { asOf users } }`;
const COSTS = `query($f: AnalystVehicleFilter, $first: Int, $after: String, $p: AnalyticsPartition) {
  analystOwnershipCosts(filter: $f, first: $first, after: $after, partition: $p) {
    asOf
    edges { cursor node { vin userId modelId trimId batteryOption deliveredAt total { amount } months { monthIndex month total { amount } byCategory { category amount { amount } } } } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const AVERAGES = `query($f: AnalystVehicleFilter, $m: Int) { analystOwnershipCostAverages(filter: $f, months: $m) {
  asOf groups { modelId trimId batteryOption vehicles total { amount } months { monthIndex vehicles total { amount } average { amount } byCategory { category total { amount } average { amount } } } }
} }`;
const RETENTION = `query($m: Int) { analystRetention(months: $m) { asOf cohorts { cohort vehicles months { monthIndex activeVehicles share } } } }`;

interface Cost {
  vin: string;
  userId: string;
  modelId: string;
  trimId: string;
  batteryOption: string;
  deliveredAt: string;
  total: { amount: string };
  months: Array<{ monthIndex: number; month: string; total: { amount: string }; byCategory: Array<{ category: string; amount: { amount: string } }> }>;
}

let g: TestGraph;

async function allCosts(filter: Record<string, unknown> | null = null, partition: { index: number; count: number } | null = null, first = 100): Promise<Cost[]> {
  const out: Cost[] = [];
  let after: string | null = null;
  for (let i = 0; i < 1000; i++) {
    const c: any = ok(await g.gql(COSTS, { f: filter, first, after, p: partition }, ANALYST)).analystOwnershipCosts;
    out.push(...c.edges.map((e: any) => e.node));
    if (!c.pageInfo.hasNextPage) return out;
    after = c.pageInfo.endCursor;
  }
  throw new Error('too many pages');
}

/** Every page of a connection read through the gateway as an admin. */
async function pages(query: string, vars: Record<string, unknown>, pick: (d: any) => any): Promise<any[]> {
  const nodes: any[] = [];
  let after: string | null = null;
  for (let i = 0; i < 1000; i++) {
    const c = pick(ok(await g.gql(query, { ...vars, after }, ADMIN)));
    nodes.push(...c.edges.map((e: any) => e.node));
    if (!c.pageInfo.hasNextPage) return nodes;
    after = c.pageInfo.endCursor;
  }
  throw new Error('too many pages');
}

/**
 * A vehicle's share of its owner's spending report, through the gateway: the owner's spending lines
 * (the headline report) that are money events on the vehicle's own timeline, by category.
 */
async function shareOfHeadline(vin: string): Promise<{ owner: string; byCategory: Map<string, bigint>; total: bigint }> {
  const { vehicle } = ok(await g.gql(`query($v: String!) { vehicle(vin: $v) { ownerId } }`, { v: vin }, ADMIN));
  const timeline = await pages(`query($v: String!, $after: String) { vehicle(vin: $v) { timeline(first: 100, after: $after) { edges { node { id amount { amount } } } pageInfo { hasNextPage endCursor } } } }`, { v: vin }, (d) => d.vehicle.timeline);
  const lines = await pages(`query($u: ID!, $after: String) { user(id: $u) { spending { lines(first: 100, after: $after) { edges { node { id category amount { amount } } } pageInfo { hasNextPage endCursor } } } } }`, { u: vehicle.ownerId }, (d) => d.user.spending.lines);
  const lineById = new Map(lines.map((l) => [l.id, l]));
  const byCategory = new Map<string, bigint>();
  for (const e of timeline.filter((e) => e.amount)) {
    const line = lineById.get(e.id);
    expect([e.id, line?.amount.amount]).toEqual([e.id, e.amount.amount]); // the event is a line of the headline report, same amount
    byCategory.set(line.category, (byCategory.get(line.category) ?? 0n) + fen(line.amount));
  }
  return { owner: vehicle.ownerId, byCategory, total: [...byCategory.values()].reduce((a, b) => a + b, 0n) };
}

function costByCategory(c: Cost): Map<string, bigint> {
  const m = new Map<string, bigint>();
  for (const month of c.months) {
    expect(fen(month.total)).toBe(month.byCategory.reduce((a, x) => a + fen(x.amount), 0n));
    for (const x of month.byCategory) m.set(x.category, (m.get(x.category) ?? 0n) + fen(x.amount));
  }
  return m;
}

/** Retention recomputed here from the contributors' base views and orders' tables (not from the store). */
async function retentionFromBase(): Promise<Map<string, { vehicles: number; active: Map<number, number> }>> {
  const schemas = (await g.db.query<{ s: string }>(`SELECT table_schema AS s FROM information_schema.views WHERE table_name = 'lifecycle_events'`)).map((r) => r.s);
  const events = schemas.map((s) => `SELECT user_id, vin, order_id, occurred_at, stage, amount_fen FROM ${s}.lifecycle_events`).join(' UNION ALL ');
  const sizes = await g.db.query<{ cohort: string; n: number }>(`SELECT to_char(delivered_at AT TIME ZONE 'UTC', 'YYYY-MM') AS cohort, count(*)::int AS n FROM orders.vehicles GROUP BY 1`);
  const active = await g.db.query<{ cohort: string; k: number; n: number }>(
    `WITH ev AS (${events}),
          veh AS (SELECT v.vin, v.order_id, o.user_id, v.delivered_at FROM orders.vehicles v JOIN orders.orders o ON o.id = v.order_id)
     SELECT to_char(veh.delivered_at AT TIME ZONE 'UTC', 'YYYY-MM') AS cohort,
            ((EXTRACT(YEAR FROM ev.occurred_at AT TIME ZONE 'UTC') - EXTRACT(YEAR FROM veh.delivered_at AT TIME ZONE 'UTC')) * 12
             + EXTRACT(MONTH FROM ev.occurred_at AT TIME ZONE 'UTC') - EXTRACT(MONTH FROM veh.delivered_at AT TIME ZONE 'UTC'))::int AS k,
            count(DISTINCT veh.vin)::int AS n
       FROM veh JOIN ev ON ev.user_id = veh.user_id AND (ev.order_id = veh.order_id OR (ev.order_id IS NULL AND ev.vin = veh.vin))
      WHERE ev.occurred_at >= veh.delivered_at AND (ev.stage IN ('MAINTENANCE', 'USAGE') OR ev.amount_fen IS NOT NULL)
      GROUP BY 1, 2`,
  );
  const out = new Map<string, { vehicles: number; active: Map<number, number> }>();
  for (const s of sizes) out.set(s.cohort, { vehicles: s.n, active: new Map() });
  for (const a of active) out.get(a.cohort)!.active.set(a.k, a.n);
  return out;
}

async function expectRetentionMatchesBase() {
  const view = ok(await g.gql(RETENTION, { m: 120 }, ANALYST)).analystRetention;
  const base = await retentionFromBase();
  expect(view.cohorts.map((c: any) => c.cohort)).toEqual([...base.keys()].sort());
  let activeSeen = 0;
  for (const c of view.cohorts) {
    const b = base.get(c.cohort)!;
    expect([c.cohort, c.vehicles]).toEqual([c.cohort, b.vehicles]);
    for (const m of c.months) {
      const n = b.active.get(m.monthIndex) ?? 0;
      expect([c.cohort, m.monthIndex, m.activeVehicles]).toEqual([c.cohort, m.monthIndex, n]);
      expect(m.share).toBeCloseTo(n / b.vehicles, 12);
      activeSeen += n;
    }
    // Every active month of the base falls inside the listed months.
    expect([...b.active.keys()].every((k) => k < c.months.length)).toBe(true);
  }
  expect(activeSeen).toBeGreaterThan(0);
}

beforeAll(async () => {
  g = await startTestGraph();
  await seedAll(g.db, 10);
  ok(await g.gql(REFRESH, {}, ADMIN));
}, 240_000);
afterAll(async () => g?.stop());

describe('cost of ownership', () => {
  it("every vehicle's monthly costs add up exactly to its share of its owner's spending report, category by category", async () => {
    const costs = await allCosts();
    const [{ n }] = await g.db.query<{ n: number }>('SELECT count(*)::int AS n FROM orders.vehicles');
    expect(costs.length).toBe(n);
    expect(n).toBeGreaterThan(3);
    let withMoney = 0;
    for (const c of costs) {
      const share = await shareOfHeadline(c.vin);
      expect(c.userId).toBe(pseudonym(share.owner));
      expect([c.vin, Object.fromEntries(costByCategory(c))]).toEqual([c.vin, Object.fromEntries(share.byCategory)]);
      expect([c.vin, fen(c.total)]).toEqual([c.vin, share.total]);
      if (share.total !== 0n) withMoney++;
    }
    expect(withMoney).toBeGreaterThan(3);
  }, 180_000);

  it('the averages are the vehicles’ rows summed and divided by the vehicles that reached each month', async () => {
    const costs = await allCosts();
    const { asOf, groups } = ok(await g.gql(AVERAGES, { m: 120 }, ANALYST)).analystOwnershipCostAverages;
    const now = new Date(asOf);
    expect(groups.reduce((a: number, x: any) => a + x.vehicles, 0)).toBe(costs.length);
    expect(new Set(groups.map((x: any) => x.batteryOption)).size).toBeGreaterThan(0);
    for (const grp of groups) {
      const mine = costs.filter((c) => c.modelId === grp.modelId && c.trimId === grp.trimId && c.batteryOption === grp.batteryOption);
      expect(grp.vehicles).toBe(mine.length);
      expect(fen(grp.total)).toBe(mine.reduce((a, c) => a + fen(c.total), 0n));
      for (const m of grp.months) {
        const reached = mine.filter((c) => {
          const d = new Date(c.deliveredAt);
          return (now.getUTCFullYear() - d.getUTCFullYear()) * 12 + now.getUTCMonth() - d.getUTCMonth() >= m.monthIndex;
        });
        const total = mine.reduce((a, c) => a + c.months.filter((x) => x.monthIndex === m.monthIndex).reduce((s, x) => s + fen(x.total), 0n), 0n);
        expect([m.monthIndex, m.vehicles, fen(m.total), fen(m.average)]).toEqual([m.monthIndex, reached.length, total, averageFen(total, reached.length)]);
      }
    }
  });

  it('filters by model, trim and battery option; pages and partitions neither drop nor repeat a vehicle', async () => {
    const all = await allCosts();
    const one = all[0];
    expect((await allCosts({ trimIds: [one.trimId] })).map((c) => c.vin)).toEqual(all.filter((c) => c.trimId === one.trimId).map((c) => c.vin));
    expect((await allCosts({ modelIds: [one.modelId], batteryOptions: [one.batteryOption] })).map((c) => c.vin)).toEqual(all.filter((c) => c.modelId === one.modelId && c.batteryOption === one.batteryOption).map((c) => c.vin));
    expect((await allCosts(null, null, 3)).map((c) => c.vin)).toEqual(all.map((c) => c.vin));
    const parts = await Promise.all([0, 1].map((index) => allCosts(null, { index, count: 2 })));
    const union = parts.flatMap((p) => p.map((c) => c.vin));
    expect(new Set(union).size).toBe(union.length);
    expect(union.sort()).toEqual(all.map((c) => c.vin).sort());
  });
});

describe('retention', () => {
  it('equals a recomputation from the base tables: cohort sizes, active vehicles in each month k, shares', async () => {
    await expectRetentionMatchesBase();
  });
});

describe('after new payments, the next refresh keeps every figure equal to its recomputation', () => {
  it('an instalment paid through the gateway is in its vehicle’s costs this month, and retention still equals the base', async () => {
    const [due] = await g.db.query<{ id: string; user_id: string; amount_fen: string; order_id: string }>(
      `SELECT i.id, l.user_id, i.amount_fen::text AS amount_fen, l.order_id FROM finance.instalments i JOIN finance.loans l ON l.id = i.loan_id
        WHERE i.status <> 'PAID' AND i.amount_fen > 0 AND EXISTS (SELECT 1 FROM orders.vehicles v WHERE v.order_id = l.order_id)
        ORDER BY i.due_at, i.id LIMIT 1`,
    );
    expect(due).toBeDefined();
    const [{ vin }] = await g.db.query<{ vin: string }>('SELECT vin FROM orders.vehicles WHERE order_id = $1', [due.order_id]);
    const before = (await allCosts()).find((c) => c.vin === vin)!;
    const amount = (Number(due.amount_fen) / 100).toFixed(2);
    ok(await g.gql(`mutation($i: ID!, $a: Decimal!) { payInstalment(instalmentId: $i, amount: $a) { status } }`, { i: due.id, a: amount }, as.customer(due.user_id)));
    ok(await g.gql(REFRESH, {}, ADMIN));
    const after = (await allCosts()).find((c) => c.vin === vin)!;
    expect(fen(after.total) - fen(before.total)).toBe(BigInt(due.amount_fen));
    const thisMonth = new Date().toISOString().slice(0, 7);
    expect(after.months.some((m) => m.month === thisMonth)).toBe(true);
    const share = await shareOfHeadline(vin);
    expect(Object.fromEntries(costByCategory(after))).toEqual(Object.fromEntries(share.byCategory));
    await expectRetentionMatchesBase();
  }, 120_000);
});

describe('who may read them', () => {
  it('customers are FORBIDDEN, anonymous callers UNAUTHENTICATED; bad arguments BAD_USER_INPUT', async () => {
    // (Customers and anonymous callers have small cost budgets: ask for little, so the answer is about who they are.)
    for (const q of ['{ analystOwnershipCosts(first: 1) { asOf } }', '{ analystOwnershipCostAverages(months: 1) { asOf } }', '{ analystRetention(months: 1) { asOf } }']) {
      expect(codeOf(await g.gql(q, {}, as.customer('demo-user')))).toBe('FORBIDDEN');
      expect(codeOf(await g.gql(q, {}, null))).toBe('UNAUTHENTICATED');
    }
    expect(codeOf(await g.gql(RETENTION, { m: 0 }, ANALYST))).toBe('BAD_USER_INPUT');
    expect(codeOf(await g.gql(AVERAGES, { m: 121 }, ANALYST))).toBe('BAD_USER_INPUT');
    expect(codeOf(await g.gql(COSTS, { first: 0 }, ANALYST))).toBe('BAD_USER_INPUT');
    // A page of vehicles is costed at 24 months × 8 categories each: a thousand is over an analyst's budget before the field's own bound.
    expect(codeOf(await g.gql(COSTS, { first: 1000 }, ANALYST))).toBe('COST_ESTIMATED_TOO_EXPENSIVE');
    expect(codeOf(await g.gql(COSTS, { after: 'x' }, ANALYST))).toBe('BAD_USER_INPUT');
    expect(codeOf(await g.gql(COSTS, { f: { deliveredFrom: '2026-02-01T00:00:00Z', deliveredTo: '2025-01-01T00:00:00Z' } }, ANALYST))).toBe('BAD_USER_INPUT');
  });
});
