/**
 * The set of contributors can change at run time (a partner published into the running graph): the
 * spending subgraph rebuilds its schema from the new peers and swaps it in, without a restart, and
 * merges the new contributor's part exactly. A contributor whose part is missing fails the total.
 */
import { randomUUID } from 'node:crypto';
import { parse } from 'graphql';
import { startTestGraph, as, treePeerSchemas, type TestGraph } from '../../testing/harness';
import { loadFixtureSubgraph } from '../../testing/tree';
import { emptyWorld } from '../../testing/seed';
import { IDENTITY_HEADER, type Identity } from '../../platform/identity';
import { loadTypeDefs, type SubgraphModule } from '../kit/module';
import { startSubgraph, type RunningSubgraph } from '../kit/subgraph';

let g: TestGraph;
let insurer: SubgraphModule<any>;
let running: RunningSubgraph;
const user = `u-${randomUUID()}`;

beforeAll(async () => {
  g = await startTestGraph();
  insurer = loadFixtureSubgraph<SubgraphModule<any>>('insurer');
  running = await startSubgraph(insurer, { db: g.db, identity: g.identityFor('insurer'), subgraphUrls: {}, port: 0 });
  await insurer.seed!.stage(g.db, emptyWorld([user]));
}, 60_000);
afterAll(async () => {
  await running?.stop();
  await g?.stop();
});

/** Asks the spending subgraph itself for a report, as the gateway would after fetching the contributions. */
async function reportFromSpending(contributions: Record<string, unknown>, who: Identity = as.customer(user)) {
  const body = JSON.stringify({
    query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on SpendingReport { total { amount } byCategory { category total { amount } } } } }',
    variables: { r: [{ __typename: 'SpendingReport', userId: user, period: 'all', ...contributions }] },
  });
  const res = await fetch(g.subgraphUrl('spending'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: await g.identityToken('spending', who, body) },
    body,
  });
  return (await res.json()) as { data?: { _entities: Array<{ total: { amount: string }; byCategory: Array<{ category: string; total: { amount: string } }> } | null> }; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

/** The insurer's own answer for the user's buckets, asked of the running fixture subgraph. */
async function insurerBuckets() {
  const request = JSON.stringify({
    query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on SpendingReport { insurerBuckets { category month amount lineCount } } } }',
    variables: { r: [{ __typename: 'SpendingReport', userId: user, period: 'all', internalUserId: user }] },
  });
  const res = await fetch(running.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: await g.identityToken('insurer', as.customer(user), request) },
    body: request,
  });
  const body = (await res.json()) as { data: { _entities: Array<{ insurerBuckets: unknown[] }> } };
  return body.data._entities[0].insurerBuckets;
}

const empty = Object.fromEntries(['orders', 'finance', 'aftermarket', 'energy'].map((c) => [`${c}Buckets`, []]));

test('before the insurer joins, the spending subgraph knows nothing of its part', async () => {
  const res = await reportFromSpending({ ...empty, insurerBuckets: await insurerBuckets() });
  expect(res.errors).toBeUndefined();
  expect(res.data!._entities[0]!.total.amount).toBe('0.00');
});

test('after updatePeers with the insurer, the swapped-in schema merges its premiums to the fen, with no restart', async () => {
  const url = g.subgraphUrl('spending');
  await g.stack.subgraphs.spending.updatePeers([...treePeerSchemas(), { name: 'insurer', typeDefs: loadTypeDefs(insurer.dir) }]);
  expect(g.subgraphUrl('spending')).toBe(url);
  const buckets = await insurerBuckets();
  expect(buckets).toHaveLength(3); // three months, one premium each
  const res = await reportFromSpending({ ...empty, insurerBuckets: buckets });
  expect(res.errors).toBeUndefined();
  expect(res.data!._entities[0]).toEqual({ total: { amount: '275.50' }, byCategory: [{ category: 'PARTNER_PREMIUM', total: { amount: '275.50' } }] });
});

test('a peer that contributes nothing to spending (a partner with policies only) rebuilds nothing: the served schema stays', async () => {
  const url = g.subgraphUrl('spending');
  const bystander = { name: 'bystander', typeDefs: parse('extend schema @link(url: "https://specs.apollo.dev/federation/v2.14", import: ["@key"]) type Query { "Nothing spending merges." bystander: String }') };
  const withInsurer = [...treePeerSchemas(), { name: 'insurer', typeDefs: loadTypeDefs(insurer.dir) }];
  expect(await g.stack.subgraphs.spending.updatePeers(withInsurer)).toBe(false); // the previous test swapped this set in
  expect(await g.stack.subgraphs.spending.updatePeers([...withInsurer, bystander])).toBe(false);
  expect(g.subgraphUrl('spending')).toBe(url);
  const res = await reportFromSpending({ ...empty, insurerBuckets: await insurerBuckets() });
  expect(res.data!._entities[0]!.total.amount).toBe('275.50');
});

test("a contributor's part the plan did not require (a gateway still on the supergraph from before it joined) is left out, not failed", async () => {
  // Apollo Gateway sends a representation only with every field its plan requires: without insurerBuckets it
  // was planned on a supergraph where the insurer contributes nothing, and that graph's total has no premiums.
  const res = await reportFromSpending({ ...empty });
  expect(res.errors).toBeUndefined();
  expect(res.data!._entities[0]).toEqual({ total: { amount: '0.00' }, byCategory: [] });
});

test("a contributor's part that arrived broken fails the total (SUBGRAPH_UNAVAILABLE naming it) instead of leaving its money out", async () => {
  const res = await reportFromSpending({ ...empty, insurerBuckets: null });
  expect(res.errors?.[0]?.extensions?.code).toBe('SUBGRAPH_UNAVAILABLE');
  expect(res.errors?.[0]?.message).toMatch(/insurer/);
});
