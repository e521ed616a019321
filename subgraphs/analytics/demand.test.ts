/**
 * Co-creation demand, stated beside revealed, in one request through the gateway on real PostgreSQL:
 * the catalog's `demand` (preferences) and analytics' `orderedDemand` (what was actually ordered, from
 * its store) — equal to a recomputation from orders' and the catalog's tables; a manufacturer's partner
 * reads only its own models; customers are refused.
 */
import { startTestGraph, as, type TestGraph } from '../../testing/harness';
import { codeOf, fen, ok } from '../../testing/assertions';
import { seedAll } from '../../testing/seed';

const DEMAND = `query($m: ID!) {
  demand(modelId: $m) { respondents byColour { respondents } byBatteryOption { respondents } }
  orderedDemand(modelId: $m) { asOf orders byTrim { trimId orders } byColour { colourId orders } byBatteryOption { batteryOption orders } byRange { rangeKm orders } price { min { amount } max { amount } average { amount } } }
}`;
const ORDERED = `query($m: ID!) { orderedDemand(modelId: $m) { orders } }`;

let g: TestGraph;
beforeAll(async () => {
  g = await startTestGraph();
  await seedAll(g.db, 10);
  ok(await g.gql(`mutation { refreshAnalytics { asOf } }`, {}, as.admin()));
}, 240_000);
afterAll(async () => g?.stop());

/** What was ordered of each model, from orders' and the catalog's own tables. */
async function orderedFromBase(modelId: string) {
  const rows = await g.db.query<{ trim_id: string; colour_id: string | null; battery_rental: boolean; range_km: number; total_fen: string }>(
    `SELECT o.trim_id, o.colour_id, o.battery_rental, t.range_km, o.total_fen::text AS total_fen
       FROM orders.orders o JOIN catalog.trims t ON t.id = o.trim_id WHERE t.model_id = $1 AND o.status <> 'CANCELLED'`,
    [modelId],
  );
  const count = (key: (r: (typeof rows)[number]) => unknown) => {
    const m = new Map<unknown, number>();
    for (const r of rows) m.set(key(r), (m.get(key(r)) ?? 0) + 1);
    return m;
  };
  return { rows, byTrim: count((r) => r.trim_id), byColour: count((r) => r.colour_id), byBattery: count((r) => (r.battery_rental ? 'RENTAL' : 'OWNED')), byRange: count((r) => r.range_km) };
}

describe('stated beside revealed preference', () => {
  it('for every model, `orderedDemand` equals what orders holds: counts per trim, colour, battery option and range, and the price spread', async () => {
    const models = await g.db.query<{ id: string }>('SELECT id FROM catalog.vehicle_models ORDER BY id');
    let ordered = 0;
    for (const { id } of models) {
      const { demand, orderedDemand: got } = ok(await g.gql(DEMAND, { m: id }, as.analyst()));
      const base = await orderedFromBase(id);
      expect([id, got.orders]).toEqual([id, base.rows.length]);
      expect(new Map(got.byTrim.map((x: any) => [x.trimId, x.orders]))).toEqual(base.byTrim);
      expect(new Map(got.byColour.map((x: any) => [x.colourId, x.orders]))).toEqual(base.byColour);
      expect(new Map(got.byBatteryOption.map((x: any) => [x.batteryOption, x.orders]))).toEqual(base.byBattery);
      expect(new Map(got.byRange.map((x: any) => [x.rangeKm, x.orders]))).toEqual(base.byRange);
      if (base.rows.length) {
        const totals = base.rows.map((r) => BigInt(r.total_fen));
        expect(fen(got.price.min)).toBe(totals.reduce((a, b) => (b < a ? b : a)));
        expect(fen(got.price.max)).toBe(totals.reduce((a, b) => (b > a ? b : a)));
      } else expect(got.price).toBeNull();
      ordered += base.rows.length;
      // The stated side came in the same answer.
      expect(typeof demand.respondents).toBe('number');
    }
    expect(ordered).toBeGreaterThan(0);
  });

  it("a manufacturer's partner reads its own models' orders, not another manufacturer's; customers are FORBIDDEN", async () => {
    const [mine] = await g.db.query<{ id: string; manufacturer_org: string }>('SELECT id, manufacturer_org FROM catalog.vehicle_models ORDER BY id LIMIT 1');
    const [other] = await g.db.query<{ id: string }>('SELECT id FROM catalog.vehicle_models WHERE manufacturer_org <> $1 ORDER BY id LIMIT 1', [mine.manufacturer_org]);
    const partner = as.partner('pm-1', mine.manufacturer_org);
    ok(await g.gql(DEMAND, { m: mine.id }, partner));
    if (other) {
      expect(codeOf(await g.gql(ORDERED, { m: other.id }, partner))).toBe('FORBIDDEN');
    }
    expect(codeOf(await g.gql(ORDERED, { m: mine.id }, as.customer('demo-user')))).toBe('FORBIDDEN');
    expect(codeOf(await g.gql(ORDERED, { m: mine.id }, null))).toBe('UNAUTHENTICATED');
    expect(codeOf(await g.gql(ORDERED, { m: 'model-none' }, as.analyst()))).toBe('NOT_FOUND');
    expect(codeOf(await g.gql(ORDERED, { m: '' }, as.analyst()))).toBe('BAD_USER_INPUT');
  });
});
