/**
 * Who a subgraph answers: only requests the gateway (or another subgraph's service call) signed,
 * anonymous callers included, and only within the operation limits; `/health` answers anyone.
 */
import { startTestGraph, as, type TestGraph, type GqlResult } from '../../testing/harness';
import { IDENTITY_HEADER, type Identity } from '../../platform/identity';

let g: TestGraph;
beforeAll(async () => {
  g = await startTestGraph();
});
afterAll(async () => g?.stop());

async function direct(query: string, identity: Identity | null | 'unsigned', subgraph = 'catalog'): Promise<GqlResult & { text: string }> {
  const body = JSON.stringify({ query });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (identity !== 'unsigned') headers[IDENTITY_HEADER] = await g.identityToken(subgraph, identity, body);
  const res = await fetch(g.subgraphUrl(subgraph), { method: 'POST', headers, body });
  const text = await res.text();
  return { ...(JSON.parse(text) as GqlResult), status: res.status, text };
}

describe('a request nobody signed', () => {
  test('`_service { sdl }` is refused with 401 by every subgraph of the graph, and the schema (with its @inaccessible fields) stays inside', async () => {
    const running = Object.keys(g.stack.subgraphs);
    expect(running.length).toBeGreaterThan(1);
    for (const subgraph of running) {
      const res = await direct('{ _service { sdl } }', 'unsigned', subgraph);
      expect([subgraph, res.status, res.errors?.[0].extensions?.code]).toEqual([subgraph, 401, 'UNAUTHENTICATED']);
      expect(res.errors?.[0].message).toBe('this subgraph answers only requests signed by the gateway: send the request to the gateway');
      expect(res.text).not.toMatch(/inaccessible|type Query/);
    }
  });

  test('a public read is refused too: nothing is answered round the gateway', async () => {
    const res = await direct('{ models(first: 1) { edges { node { id } } } }', 'unsigned');
    expect([res.status, res.errors?.[0].extensions?.code, res.data ?? null]).toEqual([401, 'UNAUTHENTICATED', null]);
  });

  test('/health still answers without any signature', async () => {
    const res = await fetch(new URL('/health', g.subgraphUrl('catalog')));
    expect(res.status).toBe(200);
  });
});

describe('an anonymous caller through the gateway', () => {
  test('is signed by the gateway and gets public data', async () => {
    const res = await g.gql('{ models(first: 1) { edges { node { id } } pageInfo { hasNextPage } } }', {}, null);
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
    expect(res.data.models.pageInfo).toEqual({ hasNextPage: false });
  });

  test('is still nobody in particular: `me` is UNAUTHENTICATED', async () => {
    const res = await g.gql('{ me { id } }', {}, null);
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('operation limits in a subgraph, for signed requests too', () => {
  test('a 300-alias flood is refused before anything runs', async () => {
    const flood = `{ ${Array.from({ length: 300 }, (_, i) => `a${i}: models(first: 100) { edges { node { id name trims { id name } } } }`).join(' ')} }`;
    const before = g.db.statementCount;
    const res = await direct(flood, as.customer('u-flood'));
    expect(res.status).toBe(400);
    expect(res.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors?.[0].message).toBe('operation uses 300 aliases; the limit is 60');
    expect(res.text.length).toBeLessThan(1000);
    expect(g.db.statementCount).toBe(before);
  });

  test('an operation deeper than any plan of an accepted operation is refused', async () => {
    let inner = 'id';
    for (let i = 0; i < 10; i++) inner = `model { trims { ${inner} } }`;
    const res = await direct(`{ models(first: 1) { edges { node { trims { ${inner} } } } } }`, as.customer('u-deep'));
    expect([res.status, res.errors?.[0].extensions?.code]).toEqual([400, 'GRAPHQL_VALIDATION_FAILED']);
    expect(res.errors?.[0].message).toBe('operation is 25 levels deep; the limit is 18');
  });

  test('a fragment bomb is refused in the subgraph as at the gateway', async () => {
    let bomb = 'query Bomb { ...F27 } fragment F0 on Query { a: models(first: 1) { edges { cursor } } }';
    for (let i = 1; i <= 27; i++) bomb += ` fragment F${i} on Query { ...F${i - 1} ...F${i - 1} }`;
    const res = await direct(bomb, as.customer('u-bomb'));
    expect([res.status, res.errors?.[0].message]).toEqual([400, 'operation Bomb uses 134217728 aliases; the limit is 60']);
  });

  test('a document with more tokens than any plan of an accepted operation is refused by the parser', async () => {
    const res = await direct(`{ models(first: 1) { edges { cursor ${'__typename '.repeat(11000)} } } }`, as.customer('u-tokens'));
    expect([res.status, res.errors?.[0].extensions?.code]).toEqual([400, 'GRAPHQL_PARSE_FAILED']);
    expect(res.errors?.[0].message).toMatch(/more that 10000 tokens/);
  });
});
