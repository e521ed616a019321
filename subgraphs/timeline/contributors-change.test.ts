/**
 * A new timeline contributor is one folder: a partner subgraph declaring its event kinds, its source type
 * and a `roadsideEvents` field joins the running timeline subgraph through `updatePeers` (as the
 * registry does when a partner publishes), without an edit anywhere else and without a restart.
 */
import { randomUUID } from 'node:crypto';
import { printSchema } from 'graphql';
import { startTestGraph, as, treePeerSchemas, type TestGraph } from '../../testing/harness';
import { loadFixtureSubgraph } from '../../testing/tree';
import { emptyWorld } from '../../testing/seed';
import { IDENTITY_HEADER, type Identity } from '../../platform/identity';
import { loadTypeDefs, type SubgraphModule } from '../kit/module';
import { buildModuleSchema, startSubgraph, type RunningSubgraph } from '../kit/subgraph';
import timeline from '.';

let g: TestGraph;
let roadside: SubgraphModule<any>;
let running: RunningSubgraph;
const user = `u-${randomUUID()}`;
const empty = Object.fromEntries(['catalog', 'orders', 'finance', 'aftermarket', 'energy'].map((c) => [`${c}Events`, []]));
const page = { __typename: 'TimelinePage', userId: user, vin: '', first: 20, after: '' };

beforeAll(async () => {
  g = await startTestGraph();
  roadside = loadFixtureSubgraph<SubgraphModule<any>>('roadside');
  running = await startSubgraph(roadside, { db: g.db, identity: g.identityFor('roadside'), subgraphUrls: {}, port: 0 });
  await roadside.seed!.stage(g.db, emptyWorld([user]));
}, 60_000);
afterAll(async () => {
  await running?.stop();
  await g?.stop();
});

async function entities(subgraph: string, query: string, rep: Record<string, unknown>, who: Identity = as.customer(user)) {
  const body = JSON.stringify({ query: `query($r: [_Any!]!) { _entities(representations: $r) { ${query} } }`, variables: { r: [rep] } });
  const res = await fetch(subgraph === 'roadside' ? running.url : g.subgraphUrl(subgraph), {
    method: 'POST',
    headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: await g.identityToken(subgraph, who, body) },
    body,
  });
  return (await res.json()) as { data?: { _entities: any[] }; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

/** The roadside subgraph's own answer for the user's page, as the gateway would fetch it. */
async function roadsideEvents() {
  const body = await entities('roadside', '... on TimelinePage { roadsideEvents { id occurredAt stage kind amount subjectType subjectId } }', { ...page, internalUserId: user, internalOrderId: '' });
  expect(body.errors).toBeUndefined();
  return body.data!._entities[0].roadsideEvents as unknown[];
}

const MERGED = '... on TimelinePage { edges { cursor node { id kind stage amount { amount } source { __typename } } } pageInfo { hasNextPage } }';

test('before the roadside service joins, the timeline subgraph knows nothing of its events', async () => {
  const body = await entities('timeline', MERGED, { ...page, internalUserId: user, internalOrderId: '', ...empty, roadsideEvents: await roadsideEvents() });
  expect(body.errors).toBeUndefined();
  expect(body.data!._entities[0].edges).toEqual([]);
});

test('after updatePeers with it, the swapped-in schema has its kind and source type and merges its events in order, with no restart', async () => {
  const url = g.subgraphUrl('timeline');
  const peers = [...treePeerSchemas(), { name: 'roadside', typeDefs: loadTypeDefs(roadside.dir) }];
  await g.stack.subgraphs.timeline.updatePeers(peers);
  expect(g.subgraphUrl('timeline')).toBe(url);
  const sdl = printSchema(buildModuleSchema(timeline, peers));
  expect(sdl).toMatch(/ROADSIDE_CALLOUT/);
  expect(sdl).toMatch(/union LifecycleEventSource = [^\n]*RoadsideCallout/);
  const events = await roadsideEvents();
  expect(events).toHaveLength(2);
  const body = await entities('timeline', MERGED, { ...page, internalUserId: user, internalOrderId: '', ...empty, roadsideEvents: events });
  expect(body.errors).toBeUndefined();
  expect(body.data!._entities[0].edges.map((e: any) => e.node)).toEqual([
    { id: 'roadside:callout:rsc-2', kind: 'ROADSIDE_CALLOUT', stage: 'USAGE', amount: null, source: { __typename: 'RoadsideCallout' } },
    { id: 'roadside:callout:rsc-1', kind: 'ROADSIDE_CALLOUT', stage: 'USAGE', amount: null, source: { __typename: 'RoadsideCallout' } },
  ]);
});

test("the new contributor refuses another customer's and a partner's page (FORBIDDEN) like every contributor", async () => {
  for (const who of [as.customer(`other-${randomUUID()}`), as.partner('p-1', 'gac-aion')]) {
    const body = await entities('roadside', '... on TimelinePage { roadsideEvents { id } }', { ...page, internalUserId: user, internalOrderId: '' }, who);
    expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  }
});
