/**
 * Subgraph batching through HTTP: a counting proxy in front of the orders subgraph shows the headline's
 * same-round fetches of orders arriving as one HTTP request with several operations, with the same
 * answer as without batching.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import { HEADLINE_QUERY } from './headline-query';
import type { GatewayFeature } from './feature';
import { as, startGatewayOver } from '../testing/harness';
import { freshUser } from '../testing/fresh-ids';
import { buyCar, startOrdersGraph, type OrdersTestGraph } from '../testing/orders';

/** Forwards to `target`, recording how many operations each HTTP request carried. */
async function countingProxy(target: string): Promise<{ url: string; sizes: number[]; close(): Promise<void> }> {
  const sizes: number[] = [];
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const parsed = JSON.parse(body.toString()) as unknown;
      sizes.push(Array.isArray(parsed) ? parsed.length : 1);
      const out = httpRequest({ host: upstream.hostname, port: upstream.port, path: upstream.pathname, method: 'POST', headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      out.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}${upstream.pathname}`, sizes, close: () => new Promise((r) => server.close(() => r())) };
}

describe('subgraph batching', () => {
  let t: OrdersTestGraph;
  let proxy: Awaited<ReturnType<typeof countingProxy>>;
  const user = freshUser('batch');
  let fetches = 0;
  const counter: GatewayFeature = { name: 'test-orders-fetches', wrapFetch: (next, subgraph) => (call) => (subgraph === 'orders' && fetches++, next(call)) };

  beforeAll(async () => {
    t = await startOrdersGraph();
    await buyCar(t, user);
    proxy = await countingProxy(t.g.subgraphUrl('orders'));
  });
  afterAll(async () => {
    await proxy?.close();
    await t?.g.stop();
  });

  async function headlineThrough(batching: boolean) {
    const gw = await startGatewayOver(t.g, { config: { subgraphBatching: batching }, subgraphUrls: { orders: proxy.url }, extraFeatures: [counter] });
    try {
      proxy.sizes.length = 0;
      fetches = 0;
      const res = await gw.gql(HEADLINE_QUERY, { first: 20 }, as.customer(user));
      expect(res.errors).toBeUndefined();
      return { data: res.data, sizes: [...proxy.sizes], fetches };
    } finally {
      await gw.stop();
    }
  }

  test("the headline's same-round fetches of orders arrive as one HTTP request, with the same answer as unbatched", async () => {
    const batched = await headlineThrough(true);
    const unbatched = await headlineThrough(false);
    expect(batched.data).toEqual(unbatched.data);
    // Unbatched: one HTTP request per fetch. Batched: the report's buckets and the page's lines together.
    expect(unbatched.sizes.every((n) => n === 1)).toBe(true);
    expect(unbatched.sizes).toHaveLength(unbatched.fetches);
    expect(batched.sizes.reduce((a, b) => a + b, 0)).toBe(batched.fetches);
    expect(batched.sizes.length).toBeLessThan(batched.fetches);
    expect(Math.max(...batched.sizes)).toBeGreaterThanOrEqual(2);
  });
});
