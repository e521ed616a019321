/**
 * A subgraph that stops answering costs a request at most SUBGRAPH_TIMEOUT_MS: the gateway answers
 * with what the other subgraphs returned and an error for the silent one.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startGateway, type RunningGateway } from './server';
import { gatewayFeatures } from './features';
import { staticSupergraph } from './supergraph-source';
import { composeForTests, startTestGraph, testGatewayConfig, TEST_JWT, as, type TestGraph } from '../testing/harness';
import { mintToken } from './auth';
import { emptyWorld, runSeedStages } from '../testing/seed';

describe('subgraph timeouts', () => {
  let g: TestGraph;
  let silent: Server;
  let gateway: RunningGateway;
  beforeAll(async () => {
    g = await startTestGraph();
    await runSeedStages(g.db, emptyWorld(1), ['catalog']);
    // Accepts connections and requests, never answers.
    silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const urls = Object.fromEntries(Object.entries(g.stack.subgraphs).map(([n, s]) => [n, s.url]));
    gateway = await startGateway({
      supergraph: staticSupergraph(composeForTests()),
      // 2 s: short next to the test's bound, long enough that the answering subgraphs make it on a loaded CI machine
      // (at 300 ms they too ran out of time there, and the test read their nulls as the silent one's).
      features: await gatewayFeatures(testGatewayConfig({ subgraphTimeoutMs: 2_000 })),
      subgraphUrls: { ...urls, energy: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/graphql` },
      port: 0,
      maxBodyBytes: 100_000,
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    silent?.closeAllConnections();
    silent?.close();
    await g?.stop();
  });

  test('a silent subgraph fails its part within the timeout; the rest of the answer arrives', async () => {
    const started = Date.now();
    const res = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await mintToken(TEST_JWT, as.customer('u-timeout'))}` },
      // me from orders, trim from catalog, loans from finance; station from the silent energy subgraph.
      body: JSON.stringify({ query: '{ me { id loans { edges { node { id } } } } trim(id: "trim-ut-420") { id name guidePrice { amount } } station(id: "stn-s000001") { id name } }' }),
    });
    const body = (await res.json()) as { data?: Record<string, unknown>; errors?: Array<{ message: string; path?: Array<string | number> }> };
    expect(Date.now() - started).toBeLessThan(5000);
    expect(res.status).toBe(200);
    expect(body.data).toEqual({
      me: { id: 'u-timeout', loans: { edges: [] } },
      trim: { id: 'trim-ut-420', name: '420 Comfort', guidePrice: { amount: '79800.00' } },
      station: null,
    });
    // One error, for the silent subgraph's fetch (the gateway gives fetch errors no path; station is the null).
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0].message).toMatch(/timeout|aborted/i);
    expect(JSON.stringify(body)).not.toContain('127.0.0.1');
  });
});
