/**
 * A subgraph that stops answering costs a request at most SUBGRAPH_TIMEOUT_MS: the gateway answers
 * with what the other subgraphs returned and an error for the silent one.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startGateway, type RunningGateway } from './server';
import { composeForTests, startTestGraph, TEST_JWT, as, type TestGraph } from './testing';
import { mintToken } from './auth';

describe('subgraph timeouts', () => {
  let g: TestGraph;
  let silent: Server;
  let gateway: RunningGateway;
  beforeAll(async () => {
    g = await startTestGraph();
    // Accepts connections and requests, never answers.
    silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const urls = Object.fromEntries(Object.entries(g.stack.subgraphs).map(([n, s]) => [n, s.url]));
    gateway = await startGateway({
      supergraphSdl: composeForTests(),
      jwt: TEST_JWT,
      internalSecret: g.internalSecret,
      subgraphUrls: { ...urls, energy: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/graphql` },
      port: 0,
      maxBodyBytes: 100_000,
      development: false,
      subgraphTimeoutMs: 300,
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
      body: JSON.stringify({ query: '{ me { id spending { total { amount } } } }' }),
    });
    const body = (await res.json()) as { data?: { me: { id: string } | null }; errors?: Array<{ message: string }> };
    expect(Date.now() - started).toBeLessThan(5000);
    expect(body.errors?.[0].message).toMatch(/timeout|aborted/i);
    expect(JSON.stringify(body)).not.toContain('127.0.0.1');
  });
});
