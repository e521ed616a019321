/**
 * In-flight deduplication through HTTP: identical queries that arrive together reach a subgraph once,
 * each asker gets a whole, independent answer, and nothing is shared across callers or for writes.
 */
import type { GatewayFeature } from './feature';
import { as, startGatewayOver, type TestGraph } from '../testing/harness';
import { startOrdersGraph } from '../testing/orders';

/** Holds every catalog fetch until released, counting those that reach the network. */
function gate() {
  let release!: () => void;
  let opened = new Promise<void>((r) => (release = r));
  const counts = new Map<string, number>();
  const feature: GatewayFeature = {
    name: 'test-gate',
    wrapFetch: (next, subgraph) => async (call) => {
      counts.set(subgraph, (counts.get(subgraph) ?? 0) + 1);
      await opened;
      return next(call);
    },
  };
  return {
    feature,
    counts,
    reset() {
      counts.clear();
      opened = new Promise<void>((r) => (release = r));
    },
    open: () => release(),
  };
}

describe('in-flight deduplication', () => {
  let g: TestGraph;
  const held = gate();
  let on: Awaited<ReturnType<typeof startGatewayOver>>;
  let off: Awaited<ReturnType<typeof startGatewayOver>>;
  const MODELS = `{ models(first: 5) { edges { node { id name trims { id name } } } } }`;

  beforeAll(async () => {
    // The catalog seeded, so that the shared answer has something in it.
    g = (await startOrdersGraph()).g;
    on = await startGatewayOver(g, { extraFeatures: [held.feature] });
    off = await startGatewayOver(g, { config: { inflightDedup: false }, extraFeatures: [held.feature] });
  });
  afterAll(async () => {
    await Promise.all([on?.stop(), off?.stop()]);
    await g?.stop();
  });

  async function together(gw: typeof on, n: number, who: (i: number) => ReturnType<typeof as.customer> | null, query = MODELS) {
    held.reset();
    const answers = Array.from({ length: n }, (_, i) => gw.gql(query, {}, who(i)));
    // Let every request reach the gate (or join the fetch held there) before it is let through: on a
    // busy machine the last of twenty may take a while to be parsed and planned.
    await new Promise((r) => setTimeout(r, 1500));
    held.open();
    return Promise.all(answers);
  }

  test('twenty identical anonymous queries in flight together reach the catalog once, and each gets the same whole answer', async () => {
    const answers = await together(on, 20, () => null);
    expect(held.counts.get('catalog')).toBe(1);
    for (const a of answers) expect(a).toEqual(answers[0]);
    expect(answers[0].data.models.edges.length).toBeGreaterThan(0);
  });

  test('without deduplication each of them is a fetch', async () => {
    await together(off, 5, () => null);
    expect(held.counts.get('catalog')).toBe(5);
  });

  test('different callers never share a fetch; the same caller does', async () => {
    const q = `{ me { id } }`;
    const mixed = await together(on, 4, (i) => as.customer(`dedup-${i}`), q);
    expect(held.counts.get('orders')).toBe(4);
    expect(mixed.map((a) => a.data.me.id)).toEqual(['dedup-0', 'dedup-1', 'dedup-2', 'dedup-3']);
    const same = await together(on, 4, () => as.customer('dedup-same'), q);
    expect(held.counts.get('orders')).toBe(1);
    expect(same.map((a) => a.data.me.id)).toEqual(Array(4).fill('dedup-same'));
  });

  test('mutations are never shared', async () => {
    const q = `mutation { statePreference(input: { modelId: "model-aion-ut", priceExpectation: "150000.00" }) { id } }`;
    await together(on, 3, () => as.customer('dedup-writer'), q);
    expect(held.counts.get('catalog')).toBe(3);
  });
});
