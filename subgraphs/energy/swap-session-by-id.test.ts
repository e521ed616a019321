/**
 * `swapSession(id:)`, through the gateway: what a spending line's swap link opens. Its owner gets the
 * swap and its station; another customer gets NOT_FOUND worded exactly as for an id that does not exist
 * (and none of the swap); without a token it is UNAUTHENTICATED.
 */
import { as, startTestGraph, type TestGraph } from '../../testing/harness';
import { seedAll } from '../../testing/seed';
import { DEMO_USER } from '../../platform/demo';

const SWAP = 'query($id: ID!) { swapSession(id: $id) { id swappedAt fee { amount } station { name } } }';
let g: TestGraph;
let swap: { id: string; station: { name: string } };

beforeAll(async () => {
  g = await startTestGraph();
  await seedAll(g.db, 3);
  const r = await g.gql('{ me { swapSessions(first: 1) { edges { node { id station { name } } } } } }', {}, as.customer(DEMO_USER));
  swap = r.data.me.swapSessions.edges[0].node;
}, 180_000);
afterAll(async () => g?.stop());

test("its owner reads the swap by id, with its station, as the spending line's paidFor shows it", async () => {
  const r = await g.gql(SWAP, { id: swap.id }, as.customer(DEMO_USER));
  expect(r.errors).toBeUndefined();
  expect(r.data.swapSession).toMatchObject({ id: swap.id, station: { name: swap.station.name } });
  expect(r.data.swapSession.fee.amount).toMatch(/^\d+\.\d{2}$/);
});

test("another customer's id is NOT_FOUND, word for word as an unknown id, with none of the swap", async () => {
  const theirs = await g.gql(SWAP, { id: swap.id }, as.customer('user-000001'));
  const unknown = await g.gql(SWAP, { id: 'swp-s999999' }, as.customer('user-000001'));
  const odd = await g.gql(SWAP, { id: '../../etc' }, as.customer('user-000001'));
  expect(theirs.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  expect(theirs.data?.swapSession ?? null).toBeNull();
  expect(theirs.errors?.[0]?.message.replace(swap.id, 'ID')).toBe(unknown.errors?.[0]?.message.replace('swp-s999999', 'ID'));
  expect(odd.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  expect(JSON.stringify(theirs)).not.toContain(swap.station.name);
});

test('without a token it is UNAUTHENTICATED', async () => {
  const r = await g.gql(SWAP, { id: swap.id });
  expect(r.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
});
