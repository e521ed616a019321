/**
 * A call from one subgraph to another over real HTTP: a silent subgraph is cut off at the deadline and a
 * subgraph that is down is named — both SUBGRAPH_UNAVAILABLE, so the request waiting on the call answers
 * instead of hanging — and a healthy one's answer or verdict comes back unchanged.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateSigningKey } from '../../platform/signing-keys';
import { createServiceClient } from './subgraph';

const key = generateSigningKey();
const servers: Server[] = [];

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}
afterAll(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

test('a subgraph that never answers is cut off at the deadline: SUBGRAPH_UNAVAILABLE naming it', async () => {
  const silent = await serve(() => undefined);
  const client = createServiceClient('orders', key, { catalog: silent }, 200);
  await expect(client.call('catalog', '{ __typename }')).rejects.toMatchObject({ message: 'the catalog subgraph did not answer within 200 ms; try again shortly', extensions: { code: 'SUBGRAPH_UNAVAILABLE' } });
});

test('a subgraph that sends its headers and then stalls is cut off too', async () => {
  const stalls = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"data":');
  });
  const client = createServiceClient('orders', key, { catalog: stalls }, 200);
  await expect(client.call('catalog', '{ __typename }')).rejects.toMatchObject({ extensions: { code: 'SUBGRAPH_UNAVAILABLE' } });
});

test('a subgraph that is down is SUBGRAPH_UNAVAILABLE, and one answering garbage too', async () => {
  const gone = await serve(() => undefined);
  servers.at(-1)!.close();
  const down = createServiceClient('orders', key, { catalog: gone }, 2_000);
  await expect(down.call('catalog', '{ __typename }')).rejects.toMatchObject({ message: 'the catalog subgraph cannot be reached; try again shortly', extensions: { code: 'SUBGRAPH_UNAVAILABLE' } });
  const garbage = await serve((_req, res) => res.writeHead(200).end('<html>'));
  await expect(createServiceClient('orders', key, { catalog: garbage }).call('catalog', '{ __typename }')).rejects.toMatchObject({ extensions: { code: 'SUBGRAPH_UNAVAILABLE' } });
});

test("a healthy subgraph's data comes back, and its verdict (NOT_FOUND) passes through unchanged", async () => {
  let n = 0;
  const ok = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(n++ === 0 ? '{"data":{"trim":{"id":"t1"}}}' : '{"errors":[{"message":"there is no trim t2","extensions":{"code":"NOT_FOUND"}}]}');
  });
  const client = createServiceClient('orders', key, { catalog: ok }, 2_000);
  expect(await client.call('catalog', '{ trim { id } }')).toEqual({ trim: { id: 't1' } });
  await expect(client.call('catalog', '{ trim { id } }')).rejects.toMatchObject({ message: 'there is no trim t2', extensions: { code: 'NOT_FOUND' } });
});
