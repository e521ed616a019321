/**
 * Which operation of a document to run is the client's choice: a missing or unknown `operationName`
 * is the client's mistake (400), told as Apollo Server tells it (OPERATION_RESOLUTION_FAILURE).
 */
import { startTestGraph, as, type TestGraph } from '../testing/harness';
import { IDENTITY_HEADER } from '../platform/identity';

const TWO_OPERATIONS = 'query A { me { id } } query B { me { id } }';

describe('choosing the operation of a document', () => {
  let g: TestGraph;
  beforeAll(async () => {
    g = await startTestGraph();
  });
  afterAll(async () => g?.stop());

  const post = async (url: string, body: Record<string, unknown>, headers: Record<string, string>) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> } };
  };
  const viaGateway = async (body: Record<string, unknown>) => post(g.url, body, { authorization: `Bearer ${await g.token(as.customer('u-opname'))}` });

  test('two operations and no operationName: 400 OPERATION_RESOLUTION_FAILURE asking for a name', async () => {
    const res = await viaGateway({ query: TWO_OPERATIONS });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0].extensions?.code).toBe('OPERATION_RESOLUTION_FAILURE');
    expect(res.body.errors?.[0].message).toBe('Must provide operation name if query contains multiple operations.');
  });

  test('an operationName that is not in the document: 400 OPERATION_RESOLUTION_FAILURE naming it', async () => {
    const res = await viaGateway({ query: TWO_OPERATIONS, operationName: 'C' });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0].extensions?.code).toBe('OPERATION_RESOLUTION_FAILURE');
    expect(res.body.errors?.[0].message).toBe('Unknown operation named "C".');
  });

  test('a named operation of the document still runs', async () => {
    const res = await viaGateway({ query: TWO_OPERATIONS, operationName: 'B' });
    expect(res).toEqual({ status: 200, body: { data: { me: { id: 'u-opname' } } } });
  });

  test('a subgraph answers the same two mistakes the same way', async () => {
    const signed = async (body: object) => ({ [IDENTITY_HEADER]: await g.identityToken('orders', as.customer('u-opname'), body) });
    const missing = await post(g.subgraphUrl('orders'), { query: TWO_OPERATIONS }, await signed({ query: TWO_OPERATIONS }));
    const unknown = await post(g.subgraphUrl('orders'), { query: TWO_OPERATIONS, operationName: 'C' }, await signed({ query: TWO_OPERATIONS, operationName: 'C' }));
    expect([missing.status, missing.body.errors?.[0].extensions?.code, missing.body.errors?.[0].message]).toEqual([400, 'OPERATION_RESOLUTION_FAILURE', 'Must provide operation name if query contains multiple operations.']);
    expect([unknown.status, unknown.body.errors?.[0].extensions?.code, unknown.body.errors?.[0].message]).toEqual([400, 'OPERATION_RESOLUTION_FAILURE', 'Unknown operation named "C".']);
  });
});
