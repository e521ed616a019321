/**
 * The spending merger following the registry: started with this tree's peers, it regenerates its schema
 * when the registry's current subgraphs change — a contributor (the fixture insurer) published with the
 * merger's regenerated SDL — and then serves the contributor's category and subject type. A new supergraph
 * that leaves every peer's SDL as it was rebuilds nothing, and a subgraph whose schema is its own file is refused.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { captureLogs } from '../platform/logger';
import { graphFolders } from './graph';
import { as, testIdentityToken, testSubgraphIdentity, treePeerSchemas } from '../testing/harness';
import { startTestRegistry, urlOf, type TestRegistry } from '../testing/registry';
import { loadFixtureSubgraph } from '../testing/tree';
import { subgraph, subgraphs } from '../subgraphs';
import type { SubgraphModule } from '../subgraphs/kit/module';
import { followPeers } from '../subgraphs/kit/peer-follower';
import { startSubgraph, type RunningSubgraph } from '../subgraphs/kit/subgraph';

let reg: TestRegistry;
let spending: RunningSubgraph;
let follower: { stop(): void } | undefined;
let insurer: SubgraphModule<any>;

/** What every folder (and, given, the insurer) publishes: its schema file, or the merger's generated SDL. */
function treeCandidates(extra: SubgraphModule<any>[] = []) {
  return graphFolders([...subgraphs(), ...extra]).map((f) => ({ name: f.mod.name, url: urlOf(f.mod.name), schema: f.generatedSdl ?? readFileSync(f.source.schemaPath!, 'utf8') }));
}

async function servedSdl(): Promise<string> {
  const body = JSON.stringify({ query: '{ _service { sdl } }' });
  const res = await fetch(spending.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-autograph-identity': await testIdentityToken('spending', null, body) },
    body,
  });
  return ((await res.json()) as { data: { _service: { sdl: string } } }).data._service.sdl;
}

async function until(done: () => Promise<boolean>, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('the condition did not hold in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  reg = await startTestRegistry();
  expect((await reg.call('POST', '/v1/publish', { body: { subgraphs: treeCandidates() } })).status).toBe(200);
  insurer = loadFixtureSubgraph<SubgraphModule<any>>('insurer');
  spending = await startSubgraph(subgraph('spending'), { db: reg.db, identity: testSubgraphIdentity(), subgraphUrls: {}, port: 0, peers: treePeerSchemas() });
}, 60_000);
afterAll(async () => {
  follower?.stop();
  await spending?.stop();
  await reg?.close();
});

test('a subgraph whose schema is its own file does not follow peers', () => {
  expect(() => followPeers(spending, { url: reg.url, token: 'x', pollMs: 1000, fromPeers: false })).toThrow(/does not derive its schema from its peers/);
});

test('the spending merger regenerates its schema after a contributor is published, and serves its category', async () => {
  const logs = captureLogs();
  try {
    follower = followPeers(spending, { url: reg.url, token: await reg.token(as.admin()), pollMs: 60_000, fromPeers: true });
    // The first look at the registry builds from its peers (the same as the tree's here).
    await until(async () => logs.lines().some((l) => String(l.msg).startsWith('schema regenerated')));
    expect(await servedSdl()).not.toContain('PartnerPremium');

    const published = await reg.call('POST', '/v1/publish', { body: { subgraphs: [{ name: 'insurer', url: urlOf('insurer'), schema: readFileSync(join(insurer.dir, 'schema.graphql'), 'utf8') }, treeCandidates([insurer]).find((c) => c.name === 'spending')] } });
    expect(published.status).toBe(200);
    await until(async () => (await servedSdl()).includes('PartnerPremium'));
    expect(await servedSdl()).toMatch(/PARTNER_PREMIUM/);

    // A new supergraph that leaves every peer's SDL as it was (the insurer moved to another URL) rebuilds nothing.
    const rebuilt = () => logs.lines().filter((l) => String(l.msg).startsWith('schema regenerated')).length;
    const before = rebuilt();
    const moved = await reg.call('POST', '/v1/subgraphs/insurer/publish', { body: { schema: readFileSync(join(insurer.dir, 'schema.graphql'), 'utf8'), url: 'http://insurer.example:4100/graphql' } });
    expect(moved.body.supergraphId).not.toBe(published.body.supergraphId);
    await new Promise((r) => setTimeout(r, 1000));
    expect(rebuilt()).toBe(before);
  } finally {
    logs.stop();
  }
}, 60_000);
