/**
 * `/metrics` of the gateway and of a subgraph, through HTTP on a running test graph: the text parses as
 * Prometheus exposition, only a scraper with METRICS_TOKEN reads it, and its series move with the requests
 * served — requests by operation and client, errors by code, subgraph fetches, the subgraph's own
 * operations, SQL statements, rate-limit refusals, the supergraph served — with client-given labels bounded.
 */
import { randomUUID } from 'node:crypto';
import { as, startTestGraph, TEST_RATE_LIMITS, type TestGraph } from '../testing/harness';
import { MAX_LABEL_VALUES } from '../platform/metrics';

const TOKEN = `metrics-${randomUUID()}`;
const PROBE = 'query MetricsProbe { models(first: 2) { edges { node { id } } } }';
const CUSTOMER = `u-${randomUUID()}`;
let g: TestGraph;

beforeAll(async () => {
  g = await startTestGraph({ gatewayConfig: { metricsToken: TOKEN, rateLimits: { ...TEST_RATE_LIMITS, customer: { points: 2, windowSeconds: 60 } } } });
}, 60_000);
afterAll(() => g?.stop());

const base = (url: string) => url.replace(/\/graphql$/, '');

async function scrape(url: string, token: string | null = TOKEN): Promise<{ status: number; text: string; type: string | null }> {
  const res = await fetch(`${base(url)}/metrics`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (-?[0-9.e+-]+|[+-]?Inf|NaN)$/i; // values as Go's ParseFloat reads them (prom-client prints "Nan")

/** Every line of a Prometheus text exposition, checked; the samples by their series (name and labels as printed). */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('# HELP ')) continue;
    if (line.startsWith('# TYPE ')) {
      expect(line).toMatch(/^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped)$/);
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    samples.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]));
  }
  return samples;
}

async function series(url = g.url): Promise<Map<string, number>> {
  const { status, text } = await scrape(url);
  expect(status).toBe(200);
  return parseExposition(text);
}

/** The sum of every sample of `name` whose labels include all of `labels`. */
function total(samples: Map<string, number>, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const [key, value] of samples) {
    if (!key.startsWith(`${name}{`) && key !== name) continue;
    if (Object.entries(labels).every(([k, v]) => key.includes(`${k}="${v}"`))) sum += value;
  }
  return sum;
}

const probe = (client: string) => g.gqlRaw(PROBE, undefined, { 'apollographql-client-name': client });

test('the gateway and each subgraph refuse /metrics without the token or with a wrong one, and serve it with it', async () => {
  for (const url of [g.url, g.subgraphUrl('catalog')]) {
    expect((await scrape(url, null)).status).toBe(401);
    const wrong = await scrape(url, `${TOKEN}x`);
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('METRICS_TOKEN');
    const ok = await scrape(url);
    expect(ok.status).toBe(200);
    expect(ok.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(parseExposition(ok.text).size).toBeGreaterThan(20);
  }
});

test('three requests of one operation from one client add three to its request count, and their fetches and SQL are counted', async () => {
  const client = `web-${randomUUID().slice(0, 8)}`;
  const before = await series();
  const catalogBefore = await series(g.subgraphUrl('catalog'));
  for (let i = 0; i < 3; i++) expect((await probe(client)).errors).toBeUndefined();
  const after = await series();
  const catalogAfter = await series(g.subgraphUrl('catalog'));
  const count = (s: Map<string, number>) => total(s, 'autograph_gateway_request_duration_seconds_count', { operation: 'MetricsProbe', client, outcome: 'success' });
  expect(count(before)).toBe(0);
  expect(count(after)).toBe(3);
  const fetches = (s: Map<string, number>) => total(s, 'autograph_gateway_subgraph_fetch_duration_seconds_count', { subgraph: 'catalog', outcome: 'ok' });
  expect(fetches(after) - fetches(before)).toBe(3);
  const answered = (s: Map<string, number>) => total(s, 'autograph_subgraph_operation_duration_seconds_count', { subgraph: 'catalog', operation: 'MetricsProbe', outcome: 'success' });
  expect(answered(catalogAfter) - answered(catalogBefore)).toBe(3);
  expect(total(catalogAfter, 'autograph_db_statement_duration_seconds_count', { outcome: 'ok' })).toBeGreaterThan(total(catalogBefore, 'autograph_db_statement_duration_seconds_count', { outcome: 'ok' }));
  expect(total(after, 'autograph_db_pool_connections', { state: 'idle' })).toBeGreaterThan(0);
  const costed = (s: Map<string, number>) => total(s, 'autograph_gateway_operation_cost_count', { role: 'anonymous' });
  expect(costed(after) - costed(before)).toBe(3);
});

test('errors are counted by their code, and a rate-limit refusal by the role it refused', async () => {
  const before = await series();
  const bad = await g.gqlRaw('query MetricsBad { models(first: "two") { edges { node { id } } } }', undefined, {});
  expect(bad.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  const statuses: number[] = [];
  for (let i = 0; i < 3; i++) statuses.push((await g.gql('{ me { id } }', undefined, as.customer(CUSTOMER))).status);
  expect(statuses).toEqual([200, 200, 429]);
  const after = await series();
  const errors = (s: Map<string, number>, code: string) => total(s, 'autograph_gateway_errors_total', { code });
  expect(errors(after, 'GRAPHQL_VALIDATION_FAILED') - errors(before, 'GRAPHQL_VALIDATION_FAILED')).toBe(1);
  expect(errors(after, 'RATE_LIMITED') - errors(before, 'RATE_LIMITED')).toBe(1);
  const refused = (s: Map<string, number>) => total(s, 'autograph_gateway_rate_limit_refusals_total', { role: 'customer' });
  expect(refused(after) - refused(before)).toBe(1);
});

test('the supergraph served is named by its id, and its load counted', async () => {
  const s = await series();
  const info = [...s].filter(([k]) => k.startsWith('autograph_gateway_supergraph_info{'));
  expect(info).toHaveLength(1);
  expect(info[0][0]).toMatch(/^autograph_gateway_supergraph_info\{id="[0-9a-f]{16}"\}$/);
  expect(info[0][1]).toBe(1);
  expect(total(s, 'autograph_gateway_supergraph_loads_total')).toBeGreaterThanOrEqual(1);
});

test('a client sending a new operation name with every request cannot grow the series past the bound', async () => {
  const client = `rotating-${randomUUID().slice(0, 8)}`;
  for (let i = 0; i < MAX_LABEL_VALUES + 30; i++) await g.gqlRaw(`query Rotating${i} { __typename }`, undefined, { 'apollographql-client-name': client });
  const s = await series();
  const ours = [...s.keys()].filter((k) => k.startsWith('autograph_gateway_request_duration_seconds_count{') && k.includes(`client="${client}"`));
  expect(ours.length).toBeLessThanOrEqual(MAX_LABEL_VALUES + 1);
  expect(total(s, 'autograph_gateway_request_duration_seconds_count', { client, operation: 'other' })).toBeGreaterThanOrEqual(30);
  expect(total(s, 'autograph_gateway_request_duration_seconds_count', { client })).toBe(MAX_LABEL_VALUES + 30);
});
