/**
 * The graph served by another engine: Hive Gateway — its JavaScript planner (bench target b) and its Rust
 * planner (target c), each a process of its own — in front of the same subgraphs (real HTTP, real
 * PostgreSQL) answers the headline request and the catalog browse exactly as our gateway does. Nothing of
 * ours runs in those processes but the identity glue (scripts/bench/identity-glue.ts), so a schema that only
 * Apollo's planner can serve (e.g. one value type returned by several subgraphs' @requires fields, which
 * Hive's stitching planner refuses with "Multiple canonical definitions") fails here.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { compose, formatProblems } from '../../gateway/composition';
import { HEADLINE_QUERY } from '../../gateway/headline-query';
import { graphFolders } from '../../stack/graph';
import { DEMO_USER, seedUsers } from '../../subgraphs/kit/seed';
import { seedAll } from '../../subgraphs/seeding';
import { as, startTestGraph, TEST_GATEWAY_ISSUER, TEST_JWT, testSigningKey, type GqlResult, type TestGraph } from '../../testing/harness';
import { freePort } from '../../testing/redis-server';
import { startProcess, type Child } from './processes';
import { CATALOG_QUERY } from './workloads';

jest.setTimeout(120_000);

const ENGINES = [
  { name: 'Hive Gateway (JavaScript planner)', script: 'scripts/bench/hive.ts' },
  { name: 'Hive Gateway (Rust planner)', script: 'scripts/bench/hive-rust.ts' },
];

let g: TestGraph;
let dir: string;
const engines: Array<{ name: string; url: string; child: Child }> = [];

beforeAll(async () => {
  g = await startTestGraph();
  await seedAll(g.db, 3);
  dir = mkdtempSync(join(tmpdir(), 'autograph-hive-'));
  // The tree's supergraph, routed to this test's subgraphs.
  const outcome = compose(graphFolders().map((f) => ({ ...f.source, routingUrl: g.subgraphUrl(f.mod.name) })));
  if (!outcome.ok) throw new Error(`composition failed:\n${formatProblems(outcome.problems)}`);
  const supergraphPath = join(dir, 'supergraph.graphql');
  writeFileSync(supergraphPath, outcome.supergraphSdl);
  const env = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    SUPERGRAPH_PATH: supergraphPath,
    JWT_SECRET: TEST_JWT.secret,
    JWT_ISSUER: TEST_JWT.issuer,
    JWT_AUDIENCE: TEST_JWT.audience,
    PARTNER_TOKEN_SIGNING_KEY: testSigningKey().privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    PARTNER_TOKEN_ISSUER: TEST_GATEWAY_ISSUER,
  };
  const ports = [await freePort(), await freePort()];
  const started = await Promise.allSettled(ENGINES.map((e, i) => startProcess(e.script, [], { ...env, PORT: String(ports[i]) })));
  for (const [i, s] of started.entries()) if (s.status === 'fulfilled') engines.push({ name: ENGINES[i].name, child: s.value, url: `http://127.0.0.1:${ports[i]}/graphql` });
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
});

afterAll(async () => {
  await Promise.all(engines.map((e) => e.child.stop()));
  await g?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function ask(url: string, query: string, variables: Record<string, unknown>, token?: string): Promise<GqlResult> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { ...((await res.json()) as GqlResult), status: res.status };
}

test("the headline request, through Hive Gateway with either planner, is answered exactly as ours answers it", async () => {
  const token = await g.token(as.customer(DEMO_USER));
  const ours = await g.gql(HEADLINE_QUERY, { first: 10 }, as.customer(DEMO_USER));
  expect(ours.errors).toBeUndefined();
  // Not an empty answer that would match trivially: the demo user has spending in every contributor.
  expect(ours.data.me.spending.lines.edges).toHaveLength(10);
  expect(new Set(ours.data.me.spending.byCategory.map((c: { category: string }) => c.category)).size).toBeGreaterThanOrEqual(4);
  const after = ours.data.me.spending.lines.pageInfo.endCursor;
  const oursNext = await g.gql(HEADLINE_QUERY, { first: 10, after }, as.customer(DEMO_USER));
  expect(oursNext.errors).toBeUndefined();
  for (const e of engines) {
    const theirs = await ask(e.url, HEADLINE_QUERY, { first: 10 }, token);
    expect({ engine: e.name, status: theirs.status, errors: theirs.errors, data: theirs.data }).toEqual({ engine: e.name, status: 200, errors: undefined, data: ours.data });
    // The next page too: the shared cursor means the same through any planner.
    const next = await ask(e.url, HEADLINE_QUERY, { first: 10, after }, token);
    expect({ engine: e.name, errors: next.errors, data: next.data }).toEqual({ engine: e.name, errors: undefined, data: oursNext.data });
  }
});

test("many users at once through Hive Gateway each get their own spending, never another's", async () => {
  // Every user's first subgraph fetch (`me` from orders) is the same text; only the identity header differs.
  const users = [DEMO_USER, ...seedUsers(3).filter((u) => u !== DEMO_USER)];
  const ours = new Map<string, unknown>();
  for (const u of users) ours.set(u, (await g.gql(HEADLINE_QUERY, { first: 10 }, as.customer(u))).data);
  const tokens = new Map(await Promise.all(users.map(async (u) => [u, await g.token(as.customer(u))] as const)));
  for (const e of engines) {
    const asked = Array.from({ length: 24 }, (_, i) => users[i % users.length]);
    const answers = await Promise.all(asked.map((u) => ask(e.url, HEADLINE_QUERY, { first: 10 }, tokens.get(u))));
    const wrong = answers.map((a, i) => ({ asked: asked[i], answeredFor: a.data?.me?.id ?? null, same: isDeepStrictEqual(a.data, ours.get(asked[i])) })).filter((x) => !x.same);
    expect({ engine: e.name, wrong }).toEqual({ engine: e.name, wrong: [] });
  }
});

test('the anonymous catalog browse, through Hive Gateway with either planner, is answered exactly as ours answers it', async () => {
  const ours = await g.gql(CATALOG_QUERY, {});
  expect(ours.errors).toBeUndefined();
  expect(ours.data.models.edges.length).toBeGreaterThan(0);
  for (const e of engines) {
    const theirs = await ask(e.url, CATALOG_QUERY, {});
    expect({ engine: e.name, status: theirs.status, errors: theirs.errors, data: theirs.data }).toEqual({ engine: e.name, status: 200, errors: undefined, data: ours.data });
  }
});

test("another engine cannot read anyone's spending without a token: the subgraphs refuse it with UNAUTHENTICATED, as ours does", async () => {
  const ours = await g.gql(HEADLINE_QUERY, { first: 10 });
  expect(ours.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  for (const e of engines) {
    const theirs = await ask(e.url, HEADLINE_QUERY, { first: 10 });
    expect({ engine: e.name, me: theirs.data?.me ?? null, codes: (theirs.errors ?? []).map((x) => x.extensions?.code) }).toEqual({
      engine: e.name,
      me: null,
      codes: expect.arrayContaining(['UNAUTHENTICATED']),
    });
  }
});
