/**
 * A contributor joins the running graph — what publishing a partner's subgraph will do — with nothing
 * restarted: the fixture insurer starts as its own server, the spending subgraph is given the new set of
 * peers (it regenerates and swaps its schema), and the gateway is handed a new supergraph through the
 * watched file. The next headline request counts the insurer's premiums, to the fen, with `paidFor`
 * resolved by the insurer. The order matters and is the one a publisher must follow: the merger learns
 * the new contributor before the gateway plans with it.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compose, formatProblems } from '../gateway/composition';
import { fileSupergraph } from '../gateway/file-supergraph';
import { supergraphId } from '../gateway/supergraph-source';
import { composeForTests, startTestGraph, as, treePeerSchemas, type TestGraph } from '../testing/harness';
import { emptyWorld } from '../testing/seed';
import { loadFixtureSubgraph } from '../testing/tree';
import { subgraphs } from '../subgraphs';
import { loadTypeDefs, type SubgraphModule } from '../subgraphs/kit/module';
import { startSubgraph, type RunningSubgraph } from '../subgraphs/kit/subgraph';
import { graphFolders } from './graph';

const REPORT = `{ me { spending { total { amount } byCategory { category total { amount } }
  lines(first: 10) { edges { node { category amount { amount } paidFor { __typename ... on PartnerPremium { cover } } } } } } } }`;

let g: TestGraph;
let insurer: SubgraphModule<any>;
let running: RunningSubgraph;
let file: string;
const user = `u-${randomUUID()}`;

beforeAll(async () => {
  file = join(mkdtempSync(join(tmpdir(), 'autograph-joins-')), 'supergraph.graphql');
  writeFileSync(file, composeForTests());
  // The fixture is built from our kit (it reads the identity header): it joins as one of ours.
  g = await startTestGraph({ supergraph: fileSupergraph(file, { debounceMs: 50, pollMs: 500 }), alsoOwnSubgraphs: ['insurer'] });
  insurer = loadFixtureSubgraph<SubgraphModule<any>>('insurer');
  running = await startSubgraph(insurer, { db: g.db, identity: g.identityFor('insurer'), subgraphUrls: {}, port: 0 });
  await insurer.seed!.stage(g.db, emptyWorld([user]));
}, 60_000);
afterAll(async () => {
  await g?.stop();
  await running?.stop();
});

async function servedId(): Promise<string | undefined> {
  const res = await fetch(new URL('/health/supergraph', g.url));
  return ((await res.json()) as { current?: { id: string } }).current?.id;
}

test('before it joins, the graph does not know its subject type and the report has none of its premiums', async () => {
  const unknown = await g.gql(REPORT, {}, as.customer(user));
  expect(unknown.errors?.[0]?.message).toBe('Unknown type "PartnerPremium".');
  const res = await g.gql('{ me { spending { total { amount } } } }', {}, as.customer(user));
  expect(res.errors).toBeUndefined();
  expect(res.data.me.spending.total.amount).toBe('0.00');
});

test('after it joins, the headline counts its premiums in total, byCategory and lines, paidFor resolved by it — no restart', async () => {
  const peers = [...treePeerSchemas(), { name: 'insurer', typeDefs: loadTypeDefs(insurer.dir) }];
  // 1. The merger learns the new contributor (its schema is regenerated and swapped in).
  await g.stack.subgraphs.spending.updatePeers(peers);
  // 2. The gateway gets the supergraph that includes it (through the file it watches).
  const sources = graphFolders([...subgraphs(), insurer]).map((f) => (f.mod.name === 'insurer' ? { ...f.source, routingUrl: running.url } : f.source));
  const outcome = compose(sources);
  if (!outcome.ok) throw new Error(formatProblems(outcome.problems));
  writeFileSync(`${file}.tmp`, outcome.supergraphSdl);
  renameSync(`${file}.tmp`, file);
  const want = supergraphId(outcome.supergraphSdl);
  for (let i = 0; i < 100 && (await servedId()) !== want; i++) await new Promise((r) => setTimeout(r, 100));
  expect(await servedId()).toBe(want);

  const res = await g.gql(REPORT, {}, as.customer(user));
  expect(res.errors).toBeUndefined();
  expect(res.data.me.spending.total.amount).toBe('275.50');
  expect(res.data.me.spending.byCategory).toEqual([{ category: 'PARTNER_PREMIUM', total: { amount: '275.50' } }]);
  expect(res.data.me.spending.lines.edges.map((e: any) => [e.node.amount.amount, e.node.paidFor])).toEqual([
    ['35.50', { __typename: 'PartnerPremium', cover: 'Windscreen cover' }],
    ['120.00', { __typename: 'PartnerPremium', cover: 'Tyre cover, March' }],
    ['120.00', { __typename: 'PartnerPremium', cover: 'Tyre cover, February' }],
  ]);
  // Another user's premiums stay theirs: the insurer authorizes its own rows.
  const other = await g.gql(REPORT, {}, as.customer(`u-${randomUUID()}`));
  expect(other.data.me.spending.total.amount).toBe('0.00');
});
