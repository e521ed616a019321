/**
 * A subgraph goes down while the graph serves, through HTTP on a running test graph: each answer still
 * arrives with the other subgraphs' parts and `SUBGRAPH_UNAVAILABLE` naming the one that is down; a query
 * whose connection is refused is retried, a mutation never; after repeated failures the breaker opens (the
 * next fetches refused at once) and, once the subgraph is back, closes again by itself.
 */
import { randomUUID } from 'node:crypto';
import { as, restartSubgraph, startTestGraph, type TestGraph } from '../testing/harness';

// Long enough that a loaded machine does not reach it between the requests that expect the breaker open.
const RESET_MS = 5_000;
const QUERY = 'query Resilience { models(first: 1) { edges { node { id } } } station(id: "stn-none") { id } }';
let g: TestGraph;
let restarted: { stop(): Promise<void> } | undefined;

beforeAll(async () => {
  g = await startTestGraph({ gatewayConfig: { subgraphResilience: { retries: 2, breakerResetMs: RESET_MS, breakerMinRequests: 3 } } });
}, 60_000);
afterAll(async () => {
  await restarted?.stop();
  await g?.stop();
});

const base = (url: string) => url.replace(/\/graphql$/, '');
const breakers = async () => (await (await fetch(`${base(g.url)}/health/breakers`)).json()) as { status: string; subgraphs: Record<string, string> };
async function retries(): Promise<number> {
  const text = await (await fetch(`${base(g.url)}/metrics`)).text();
  return Number(/^autograph_gateway_subgraph_retries_total\{subgraph="energy"\} (\d+)$/m.exec(text)?.[1] ?? 0);
}

test('while energy answers, the breakers are closed and the answer is whole', async () => {
  const res = await g.gqlRaw(QUERY, undefined, {});
  expect(res.errors).toBeUndefined();
  expect(res.data).toEqual({ models: { edges: expect.any(Array) }, station: null });
  expect((await breakers()).subgraphs).toMatchObject({ catalog: 'closed', energy: 'closed' });
});

test('energy down: every answer keeps the catalog part and names energy; queries are retried, a mutation is not; the breaker opens', async () => {
  await g.stack.subgraphs.energy.stop();
  const before = await retries();
  const first = await g.gqlRaw(QUERY, undefined, {});
  expect(first.data?.models).toEqual({ edges: expect.any(Array) });
  expect(first.data?.station).toBeNull();
  expect(first.errors).toEqual([expect.objectContaining({ message: 'the energy subgraph cannot be reached (ECONNREFUSED); retry shortly', extensions: expect.objectContaining({ code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'energy' }) })]);
  expect((await retries()) - before).toBe(2);

  const mutation = await g.gql('mutation { cancelBatterySubscription(id: "sub-none") { id } }', undefined, as.customer(`u-${randomUUID()}`));
  expect(mutation.errors?.[0].extensions?.code).toBe('SUBGRAPH_UNAVAILABLE');
  expect((await retries()) - before).toBe(2); // the mutation was sent once

  for (let i = 0; i < 3; i++) await g.gqlRaw(QUERY, undefined, {});
  expect((await breakers()).subgraphs.energy).toBe('open');
  const refused = await g.gqlRaw(QUERY, undefined, {});
  expect(refused.data?.models).toEqual({ edges: expect.any(Array) });
  expect(refused.errors?.[0]).toMatchObject({ message: expect.stringMatching(/^the energy subgraph is unavailable: it failed repeatedly/), extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'energy' } });
  const retriesWhileOpen = await retries();
  await g.gqlRaw(QUERY, undefined, {});
  expect(await retries()).toBe(retriesWhileOpen); // an open breaker sends nothing
  expect((await breakers()).subgraphs.catalog).toBe('closed');

  restarted = await restartSubgraph(g, 'energy');
});

test('energy back: after the reset time one fetch is let through, it succeeds, the breaker closes and answers are whole again', async () => {
  await new Promise((r) => setTimeout(r, RESET_MS + 200));
  expect((await breakers()).subgraphs.energy).toBe('half-open');
  const res = await g.gqlRaw(QUERY, undefined, {});
  expect(res.errors).toBeUndefined();
  expect(res.data?.station).toBeNull();
  expect(await breakers()).toEqual(expect.objectContaining({ status: 'ok' }));
  expect((await breakers()).subgraphs.energy).toBe('closed');
});
