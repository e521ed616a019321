/**
 * `npm start` runs the schema registry and follows it (a real process, like scripts/start.test.ts): the
 * fixture insurer, running as its own server, is published into that registry, and within seconds the
 * demo user's premiums count in `me.spending` — total, byCategory and lines, `paidFor` resolved by the
 * insurer — with nothing restarted and no file edited; removing it takes them out again.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { mintToken } from '../gateway/auth';
import { openTestDb } from '../testing/harness';
import { emptyWorld } from '../testing/seed';
import { loadFixtureSubgraph, TREE_ROOT } from '../testing/tree';
import type { SubgraphModule } from '../subgraphs/kit/module';
import { startSubgraph, type RunningSubgraph } from '../subgraphs/kit/subgraph';
import { DEMO_USER } from '../subgraphs/kit/seed';

const root = resolve(__dirname, '..');
const JWT = { issuer: 'autograph-local', audience: 'autograph', secret: 'start-registry-test-secret' };
const INTERNAL_SECRET = randomBytes(32).toString('hex');
// The insurer's three premiums (testing/fixtures/insurer) fall in this period. Without the insurer in the
// graph its type is unknown, so the question asked then names only `__typename`.
const report = (paidFor: string) => `{ me { spending(from: "2026-02-01T00:00:00Z", to: "2026-05-01T00:00:00Z") {
  total { amount } byCategory { category total { amount } }
  lines(first: 100) { edges { node { category amount { amount } paidFor { ${paidFor} } } } } } } }`;
const WITHOUT_INSURER = report('__typename');
const WITH_INSURER = report('__typename ... on PartnerPremium { cover }');

let child: ChildProcess;
let output = '';
let insurer: RunningSubgraph;
let dropInsurerDb: () => Promise<void>;
let gateway: string;
let registry: string;
let admin: string;
let customer: string;

beforeAll(async () => {
  const { DATABASE_URL: _d, REDIS_URL: _r, ...rest } = process.env;
  const dataDir = mkdtempSync(join(tmpdir(), 'autograph-start-registry-'));
  const env = { ...rest, NODE_ENV: 'development', PORT: '0', PGLITE_DIR: join(dataDir, 'pglite'), JWT_SECRET: JWT.secret, AUTOGRAPH_INTERNAL_SECRET: INTERNAL_SECRET };
  child = spawn(process.execPath, ['--import=tsx', 'scripts/start.ts', '--users', '3'], { cwd: root, env });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));

  // Meanwhile the partner's own server, on its own database, with premiums for the demo user.
  const mod = loadFixtureSubgraph<SubgraphModule<any>>('insurer');
  const { db, drop } = await openTestDb();
  dropInsurerDb = drop;
  insurer = await startSubgraph(mod, { db, internalSecret: INTERNAL_SECRET, subgraphUrls: {}, port: 0 });
  await mod.seed!.stage(db, emptyWorld([DEMO_USER]));

  const deadline = Date.now() + 150_000;
  while (!/Other tokens/.test(output)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  gateway = /gateway\s+(http:\/\/\S+)/.exec(output)![1];
  registry = /registry\s+(http:\/\/\S+)/.exec(output)![1];
  admin = await mintToken(JWT, { sub: 'admin-1', role: 'admin' });
  customer = await mintToken(JWT, { sub: DEMO_USER, role: 'customer' });
}, 180_000);

afterAll(async () => {
  child?.kill('SIGKILL');
  await insurer?.stop();
  await dropInsurerDb?.();
});

async function ask(query: string) {
  const res = await fetch(gateway, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${customer}` }, body: JSON.stringify({ query }) });
  return (await res.json()) as { data?: { me: { spending: any } }; errors?: Array<{ message: string }> };
}

async function registryCall(path: string, body: unknown) {
  const res = await fetch(`${registry}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
}

/** Asks until `done` holds for an answer without errors (or the generous deadline passes); returns it and how long it took. */
async function until(query: string, done: (spending: any) => boolean): Promise<{ spending: any; ms: number }> {
  const started = Date.now();
  let last: Awaited<ReturnType<typeof ask>> | undefined;
  while (Date.now() - started < 60_000) {
    last = await ask(query);
    if (!last.errors && done(last.data!.me.spending)) return { spending: last.data!.me.spending, ms: Date.now() - started };
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the graph did not follow the registry: last answer ${JSON.stringify(last)}\n${output.slice(-3000)}`);
}

const fen = (amount: string) => Math.round(Number(amount) * 100);
const premiums = (spending: any) => spending.lines.edges.map((e: any) => e.node).filter((n: any) => n.category === 'PARTNER_PREMIUM');

test('npm start prints its registry and that the tree is published there, by npm start', async () => {
  expect(output).toMatch(/registry\s+http:\/\/127\.0\.0\.1:\d+ \(PGlite in .*pglite-registry; the gateway and spending follow it/);
  expect(output).toContain('npm run -s token -- --sub admin-1 --role admin');
  const list = await fetch(`${registry}/v1/subgraphs`, { headers: { authorization: `Bearer ${admin}` } });
  const subgraphs = ((await list.json()) as any).subgraphs;
  expect(subgraphs.map((s: any) => s.publisher)).toEqual(subgraphs.map(() => 'npm start'));
  // At the URLs they run at (PORT=0: free ports), not their default ones.
  expect(subgraphs.find((s: any) => s.name === 'orders').routingUrl).toBe(/orders\s+(http:\/\/\S+)/.exec(output)![1]);
});

test("publishing the insurer counts its premiums in the demo user's spending; removing it takes them out — nothing restarted", async () => {
  const before = await until(WITHOUT_INSURER, () => true);
  expect(premiums(before.spending)).toEqual([]);

  const schema = readFileSync(join(TREE_ROOT, 'testing/fixtures/insurer/schema.graphql'), 'utf8');
  const published = await registryCall('/v1/subgraphs/insurer/publish', { schema, url: insurer.url });
  expect(published.status).toBe(200);
  expect(published.body.versions.map((v: any) => v.name)).toEqual(['insurer', 'spending']);

  const joined = await until(WITH_INSURER, (s) => premiums(s).length === 3);
  console.log(`the insurer's premiums were served ${joined.ms} ms after the publish`);
  expect(fen(joined.spending.total.amount)).toBe(fen(before.spending.total.amount) + 27550);
  expect(joined.spending.byCategory).toContainEqual({ category: 'PARTNER_PREMIUM', total: { amount: '275.50' } });
  expect(premiums(joined.spending).map((n: any) => [n.amount.amount, n.paidFor])).toEqual([
    ['35.50', { __typename: 'PartnerPremium', cover: 'Windscreen cover' }],
    ['120.00', { __typename: 'PartnerPremium', cover: 'Tyre cover, March' }],
    ['120.00', { __typename: 'PartnerPremium', cover: 'Tyre cover, February' }],
  ]);

  const removed = await registryCall('/v1/subgraphs/insurer/remove', { allowBreaking: true });
  expect(removed.status).toBe(200);
  const left = await until(WITHOUT_INSURER, (s) => premiums(s).length === 0 && !s.byCategory.some((c: any) => c.category === 'PARTNER_PREMIUM'));
  expect(left.spending.total.amount).toBe(before.spending.total.amount);
  expect((await ask(WITH_INSURER)).errors?.[0].message).toBe('Unknown type "PartnerPremium".');
  expect(child.exitCode).toBeNull();
}, 180_000);

test.each([
  [[], {}, /REGISTRY_URL=http:\/\/registry\.example\/?: npm start runs a registry of its own/],
  [['--no-registry', '--supergraph', '/no/such/file.graphql'], {}, /cannot read the supergraph at \/no\/such\/file.graphql/],
  [['--no-registry'], { SUPERGRAPH_PATH: '/no/such/file.graphql' }, /cannot read the supergraph at \/no\/such\/file.graphql/],
  [[], { SUPERGRAPH_PATH: '/no/such/file.graphql' }, /cannot read the supergraph at \/no\/such\/file.graphql/],
])('npm start %j %j: the registry is consulted only without --supergraph, SUPERGRAPH_PATH and --no-registry (exit 2, no stack trace)', (args, extra, message) => {
  const { DATABASE_URL: _d, REDIS_URL: _r, ...rest } = process.env;
  const env = { ...rest, NODE_ENV: 'development', PORT: '0', REGISTRY_URL: 'http://registry.example', REGISTRY_TOKEN: 'a-token', ...extra };
  const r = spawnSync(process.execPath, ['--import=tsx', 'scripts/start.ts', ...args], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
  expect([r.status, r.stderr]).toEqual([2, expect.stringMatching(message)]);
  expect(r.stderr).not.toMatch(/\n\s+at /);
});
