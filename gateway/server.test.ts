/**
 * The core without features is bare on purpose — every capability is a feature — and refuses to start
 * on a first supergraph it cannot serve. No subgraph runs here: nothing asked needs one.
 */
import { startGateway, type RunningGateway } from './server';
import { staticSupergraph } from './supergraph-source';
import { composeForTests } from '../testing/harness';

describe('the core with no features', () => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    gateway = await startGateway({ supergraph: staticSupergraph(composeForTests()), features: [], port: 0, maxBodyBytes: 100_000 });
  });
  afterAll(async () => gateway?.stop());

  const post = async (body: object) => {
    const res = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> } };
  };

  test('serves operations, and nothing else: no introspection, no persisted queries, no routes, no landing page', async () => {
    expect(await post({ query: '{ __typename }' })).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
    const introspection = await post({ query: '{ __schema { queryType { name } } }' });
    expect(introspection.body.errors?.[0].message).toMatch(/introspection is not allowed/i);
    const byHash = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } });
    expect(byHash.body.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_SUPPORTED');
    expect((await fetch(new URL('/health', gateway.url))).status).toBe(404);
    const browser = await fetch(gateway.url, { headers: { accept: 'text/html' } });
    expect(browser.headers.get('content-type')).not.toMatch(/html/);
  });
});

test('a first supergraph that is not valid stops start-up, naming the source and the reason', async () => {
  await expect(startGateway({ supergraph: staticSupergraph('type Query {', 'static test'), features: [], port: 0, maxBodyBytes: 100_000 })).rejects.toThrow(
    /the gateway cannot serve the supergraph from static test: Syntax Error/,
  );
});
