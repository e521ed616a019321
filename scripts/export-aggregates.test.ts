/**
 * `npm run export` of the two aggregate views — retention and co-creation demand — as real export
 * processes through the gateway of a seeded graph on PostgreSQL: the rows are exactly the graph's answer
 * in the long layout (retention: cohort × month; demand: stated beside ordered, per model, dimension and
 * value), in every format; N partitions hold the same rows as one; the period narrows retention as the
 * graph does; and what these views cannot take (a page size, a period for demand, a customer's token) is
 * refused before anything is written.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { as, startTestGraph, type TestGraph } from '../testing/harness';
import { ok } from '../testing/assertions';
import { seedAll } from '../testing/seed';
import { duckdbReadParquet, runExportProcess, sortedLines, type ReadBackColumn } from '../testing/export-process';
import { VIEWS } from './export/views';

let g: TestGraph;
let work: string;
let env: Record<string, string>;

beforeAll(async () => {
  g = await startTestGraph();
  await seedAll(g.db, 12);
  ok(await g.gql('mutation { refreshAnalytics { asOf } }', {}, as.admin()));
  work = mkdtempSync(join(tmpdir(), 'autograph-export-aggregates-'));
  env = { AUTOGRAPH_TOKEN: await g.token(as.analyst()), AUTOGRAPH_GATEWAY_URL: g.url };
}, 180_000);
afterAll(async () => {
  await g?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const out = (name: string) => join(work, name);
async function exportOk(args: string[]) {
  const r = await runExportProcess(args, env);
  if (r.code !== 0) throw new Error(`export ${args.join(' ')} exited ${r.code}:\n${r.stderr}`);
  return r;
}
const readBack = (view: string): ReadBackColumn[] => VIEWS[view].columns.map((c) => ({ name: c.name, kind: c.type.kind }));
const parsed = (lines: string[]) => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

describe('retention', () => {
  const RETENTION = `query($from: DateTime, $to: DateTime) { analystRetention(fromCohort: $from, toCohort: $to, months: 120) { cohorts { cohort vehicles months { monthIndex activeVehicles } } } }`;
  /** The graph's answer as the export's rows should hold it, sorted like the exported lines. */
  async function expected(vars: Record<string, string> = {}) {
    const data = ok(await g.gql(RETENTION, vars, as.analyst())) as { analystRetention: { cohorts: Array<{ cohort: string; vehicles: number; months: Array<{ monthIndex: number; activeVehicles: number }> }> } };
    return data.analystRetention.cohorts
      .flatMap((c) => c.months.map((m) => JSON.stringify({ cohort: c.cohort, vehicles: c.vehicles, month_index: m.monthIndex, active_vehicles: m.activeVehicles })))
      .sort();
  }

  it('one row per cohort and month after delivery, exactly the graph’s answer; parquet in 3 partitions and csv hold the same rows', async () => {
    const want = await expected();
    expect(want.length).toBeGreaterThan(3);
    const dir = out('retention.ndjson');
    await exportOk(['--view', 'retention', '--out', dir]);
    expect(existsSync(join(dir, '_SUCCESS'))).toBe(true);
    expect(sortedLines(dir, 'ndjson')).toEqual(want);

    const parquet = out('retention.parquet');
    await exportOk(['--view', 'retention', '--format', 'parquet', '--partitions', '3', '--out', parquet]);
    const read = await duckdbReadParquet(parquet, readBack('retention'));
    expect(read.types.active_vehicles).toBe('INTEGER');
    expect(read.lines).toEqual(want);

    const csv = out('retention.csv');
    await exportOk(['--view', 'retention', '--format', 'csv', '--partitions', '2', '--out', csv]);
    const csvRows = sortedLines(csv, 'csv').map((l) => l.split(','));
    expect(csvRows.map(([cohort, vehicles, month, active]) => JSON.stringify({ cohort, vehicles: Number(vehicles), month_index: Number(month), active_vehicles: Number(active) })).sort()).toEqual(want);
  });

  it('--from/--to keep the cohorts delivered in that period, as the graph does', async () => {
    const all = parsed(await expected());
    const cohorts = [...new Set(all.map((r) => r.cohort as string))].sort();
    expect(cohorts.length).toBeGreaterThan(1);
    const from = `${cohorts[1]}-01T00:00:00Z`;
    const want = await expected({ from });
    expect(want.length).toBeLessThan(all.length);
    const dir = out('retention-from.ndjson');
    await exportOk(['--view', 'retention', '--from', from, '--out', dir]);
    expect(sortedLines(dir, 'ndjson')).toEqual(want);
  });
});

describe('demand', () => {
  const BOTH = `query($m: ID!) {
    demand(modelId: $m) { respondents byColour { colour { id } respondents } topFeatures(first: 50) { feature respondents } priceExpectation { median { amount } } }
    orderedDemand(modelId: $m) { orders byTrim { trimId orders } byColour { colourId orders } price { average { amount } } }
  }`;

  it('per model: totals, colours, trims, features and prices beside each other exactly as the graph states them; 4 partitions hold the same rows', async () => {
    const dir = out('demand.ndjson');
    await exportOk(['--view', 'demand', '--out', dir]);
    const lines = sortedLines(dir, 'ndjson');
    const rows = parsed(lines) as Array<{ model_id: string; dimension: string; value: string | null; stated_respondents: number | null; ordered: number | null; stated_amount: string | null; ordered_amount: string | null }>;
    const models = ok(await g.gql('{ models(first: 100) { edges { node { id } } } }', {}, as.analyst())) as { models: { edges: Array<{ node: { id: string } }> } };
    const ids = models.models.edges.map((e) => e.node.id);
    expect([...new Set(rows.map((r) => r.model_id))].sort()).toEqual([...ids].sort());
    let orderedSomewhere = 0;
    for (const m of ids) {
      const both = ok(await g.gql(BOTH, { m }, as.analyst())) as any;
      const own = rows.filter((r) => r.model_id === m);
      const of = (dimension: string) => own.filter((r) => r.dimension === dimension);
      expect(of('total')).toEqual([{ model_id: m, dimension: 'total', value: null, stated_respondents: both.demand.respondents, ordered: both.orderedDemand.orders, stated_amount: null, ordered_amount: null }]);
      expect(Object.fromEntries(of('trim').map((r) => [r.value, r.ordered]))).toEqual(Object.fromEntries(both.orderedDemand.byTrim.map((t: any) => [t.trimId, t.orders])));
      expect(of('trim').every((r) => r.stated_respondents === null)).toBe(true);
      for (const c of both.orderedDemand.byColour) expect(of('colour').find((r) => r.value === c.colourId)?.ordered).toBe(c.orders);
      for (const c of both.demand.byColour) expect(of('colour').find((r) => r.value === c.colour.id)?.stated_respondents).toBe(c.respondents);
      expect(of('feature').map((r) => [r.value, r.stated_respondents, r.ordered]).sort()).toEqual(both.demand.topFeatures.map((f: any) => [f.feature, f.respondents, null]).sort());
      // Every order is in one range bucket (or the null one): the buckets add up to the orders.
      expect(of('range').reduce((n, r) => n + (r.ordered ?? 0), 0)).toBe(both.orderedDemand.orders);
      expect(of('price').find((r) => r.value === 'median')?.stated_amount).toBe(both.demand.priceExpectation?.median.amount ?? null);
      expect(of('price').find((r) => r.value === 'average')?.ordered_amount).toBe(both.orderedDemand.price?.average.amount ?? null);
      orderedSomewhere += both.orderedDemand.orders;
    }
    expect(orderedSomewhere).toBeGreaterThan(0);

    const parts = out('demand-4.parquet');
    await exportOk(['--view', 'demand', '--format', 'parquet', '--partitions', '4', '--out', parts]);
    const read = await duckdbReadParquet(parts, readBack('demand'));
    expect(read.types.stated_amount).toBe('DECIMAL(18,2)');
    expect(read.lines).toEqual(lines);
  });
});

describe('refused before anything is written', () => {
  const refused = async (args: string[], message: RegExp, extraEnv: Record<string, string> = {}) => {
    const dir = out(`refused-${Math.random().toString(36).slice(2)}`);
    const r = await runExportProcess([...args, '--out', dir], { ...env, ...extraEnv });
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
    expect(existsSync(dir)).toBe(false);
  };
  it('a page size for an aggregate, a period for demand, a customer’s or a partner’s token', async () => {
    await refused(['--view', 'retention', '--page-size', '10'], /--page-size is for the paginated views \(lifecycle, ownership-cost\): retention is one answer/);
    await refused(['--view', 'demand', '--from', '2025-01-01'], /the demand view takes no period/);
    await refused(['--view', 'demand'], /the token may not read the demand view .*exports need an analyst's token/, { AUTOGRAPH_TOKEN: await g.token(as.customer('demo-driver')) });
    await refused(['--view', 'retention'], /the retention view is not in the graph this token sees: .*exports need an analyst's token — a partner's sees only the partner contract/, { AUTOGRAPH_TOKEN: await g.token(as.partner('p-1', 'gac-aion')) });
  });
});
