/**
 * A partner published into the running graph under load — real processes throughout: `npm start` on
 * PostgreSQL (its registry, its gateway, the tree's subgraphs), a second gateway process following the same
 * registry (`npm run gateway -- --registry`), and the example partner (`partners/insurer`) as its own process.
 * An admin issues the partner a registry key and grants it the name `insurer`, and a gateway key for the
 * second gateway. While clients send the headline request and a mutation mix to both gateways, the partner
 * publishes with the CLI — first its policies alone, then with its spending contribution — then rolls back
 * and removes it. After each step both gateways serve the new graph within 5 s, the demo user's spending is
 * exact to the fen (the premiums counted once, then not at all), and no request of the load failed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, print } from 'graphql';
import { mintToken } from '../gateway/auth';
import { HEADLINE_QUERY } from '../gateway/headline-query';
import { generateSigningKey } from '../platform/signing-keys';
import { formatFen, parseDecimalToFen } from '../platform/money';
import { openTestDb } from '../testing/harness';
import { DEMO_USER } from '../subgraphs/kit/seed';

const root = resolve(__dirname, '..');
const JWT = { issuer: 'autograph-local', audience: 'autograph', secret: randomBytes(24).toString('hex') };
const PARTNER_SCHEMA = join(root, 'partners', 'insurer', 'schema.graphql');
/** What the example partner seeds for the demo user (its README): 355.25 × 3 + 426.40. */
const PREMIUMS = '1492.15';
const SPENDING_TYPES = new Set(['SpendingCategory', 'SpendingSubject', 'SpendingReport', 'SpendingLinePage', 'InsurerSpendingBucket', 'InsurerSpendingLineContribution']);

const processes: ChildProcess[] = [];
const outputs = new Map<ChildProcess, string>();
let dropDb: () => Promise<void>;
let dir: string;
let registry: string;
let gateways: string[] = [];
let partnerUrl: string;
let admin: string;
let partnerKey: string;
let customer: string;
let other: string;

function start(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import=tsx', ...args], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env } });
  outputs.set(child, '');
  child.stdout!.on('data', (d) => outputs.set(child, outputs.get(child) + String(d)));
  child.stderr!.on('data', (d) => outputs.set(child, outputs.get(child) + String(d)));
  processes.push(child);
  return child;
}

async function waitFor(child: ChildProcess, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const m = pattern.exec(outputs.get(child)!);
    if (m) return m;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${what} did not come up:\n${outputs.get(child)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** One CLI call of `npm run schema` as a given credential; its exit status and output. */
function schemaCli(args: string[], token: string) {
  const r = spawnSync(process.execPath, ['--import=tsx', 'scripts/schema.ts', ...args, '--registry', registry], { cwd: root, env: { PATH: process.env.PATH ?? '', AUTOGRAPH_TOKEN: token }, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

async function registryCall(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${registry}${path}`, { method, headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await res.json();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function gql(url: string, query: string, token: string, variables: Record<string, unknown> = {}, client = 'partner-publish-test'): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'apollographql-client-name': client }, body: JSON.stringify({ query, variables }) });
  return { status: res.status, body: await res.json().catch(() => ({ errors: [{ message: `not JSON (${res.status})` }] })) };
}

// --- the load: the headline request and a mutation mix against both gateways, every failure kept ---------
const BOOK = `mutation($i: BookTestDriveInput!) { bookTestDrive(input: $i) { id } }`;
const PREFER = `mutation($i: PreferenceInput!) { statePreference(input: $i) { id priceExpectation { amount } } }`;
const failures: string[] = [];
let requests = 0;
let loading = false;
let load: Promise<void>[] = [];

async function client(n: number): Promise<void> {
  for (let i = 0; loading; i++) {
    const url = gateways[(n + i) % gateways.length];
    const kind = i % 4;
    const call =
      kind === 3
        ? i % 8 === 3
          ? gql(url, BOOK, other, { i: { trimId: 'trim-ut-swap-420', city: 'Guangzhou', at: new Date(Date.now() + 86_400_000 * (1 + (i % 80))).toISOString() } })
          : gql(url, PREFER, other, { i: { modelId: 'model-aion-ut', priceExpectation: `${90000 + i}.00` } })
        : gql(url, HEADLINE_QUERY, customer, { first: 5 });
    const { status, body } = await call.catch((err) => ({ status: 0, body: { errors: [{ message: String(err) }] } }));
    requests++;
    if (status !== 200 || body.errors) failures.push(`${url} ${kind === 3 ? 'mutation' : 'headline'}: ${status} ${JSON.stringify(body.errors ?? body).slice(0, 300)}`);
  }
}

// --- what the graph says ------------------------------------------------------------------------------
const POLICIES = `{ me { insurerPolicies(first: 5) { edges { node { id } } } } }`;
const PREMIUM_LINES = `{ me { spending { lines(first: 50) { edges { node { amount { amount } paidFor { __typename ... on InsurerPremium { id } } } } } } } }`;
const TOTALS = `{ me { spending { total { amount } byCategory { category total { amount } } } } }`;

/** How long until `ready` holds on every gateway (ms), asking every 100 ms for at most 20 s. */
async function untilEveryGateway(ready: (url: string) => Promise<boolean>): Promise<number> {
  const t0 = Date.now();
  const pending = new Set(gateways);
  while (pending.size && Date.now() - t0 < 20_000) {
    for (const url of [...pending]) if (await ready(url)) pending.delete(url);
    if (pending.size) await new Promise((r) => setTimeout(r, 100));
  }
  if (pending.size) throw new Error(`not served after 20 s by ${[...pending].join(', ')}`);
  return Date.now() - t0;
}
const valid = (query: string) => async (url: string) => !(await gql(url, query, customer)).body.errors;
const refused = (query: string) => async (url: string) => (await gql(url, query, customer)).body.errors?.[0]?.extensions?.code === 'GRAPHQL_VALIDATION_FAILED';

async function totalsOn(url: string): Promise<{ total: string; byCategory: Record<string, string> }> {
  const { body } = await gql(url, TOTALS, customer);
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  const s = body.data.me.spending;
  return { total: s.total.amount, byCategory: Object.fromEntries(s.byCategory.map((c: any) => [c.category, c.total.amount])) };
}

let before: { total: string; byCategory: Record<string, string> };

beforeAll(async () => {
  const { url: databaseUrl, drop } = await openTestDb();
  dropDb = drop;
  dir = mkdtempSync(join(tmpdir(), 'autograph-partner-publish-'));
  const keyFile = join(dir, 'partner-token-key.pem');
  writeFileSync(keyFile, generateSigningKey('ES256').privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, { mode: 0o600 });
  // RATE_LIMITS: the load is four clients as fast as they go with two customer tokens, far past what a person sends.
  const common = { NODE_ENV: 'development', JWT_SECRET: JWT.secret, JWT_ISSUER: JWT.issuer, PARTNER_TOKEN_SIGNING_KEY_FILE: keyFile, RATE_LIMITS: 'customer=1000000000/60s' };

  const graph = start(['scripts/start.ts', '--users', '3'], { ...common, DATABASE_URL: databaseUrl!, PORT: '0', SUPERGRAPH_CACHE_PATH: join(dir, 'cache-1.graphql') });
  gateways = [(await waitFor(graph, /gateway\s+(http:\/\/\S+)/, 'npm start'))[1]];
  registry = (await waitFor(graph, /registry\s+(http:\/\/\S+)/, 'npm start'))[1];
  await waitFor(graph, /Other tokens/, 'npm start');

  admin = await mintToken(JWT, { sub: 'admin-1', role: 'admin' });
  customer = await mintToken(JWT, { sub: DEMO_USER, role: 'customer' });
  other = await mintToken(JWT, { sub: 'user-000001', role: 'customer' });
  const gatewayKey = (await registryCall('POST', '/v1/keys', { kind: 'gateway', label: 'second gateway' })).secret;
  partnerKey = (await registryCall('POST', '/v1/keys', { kind: 'partner', org: 'insurer-co', label: 'insurer CI' })).secret;
  await registryCall('POST', '/v1/grants', { org: 'insurer-co', name: 'insurer' });

  const second = start(['scripts/gateway.ts', '--registry', registry, '--port', '0'], { ...common, REGISTRY_TOKEN: gatewayKey, SUPERGRAPH_CACHE_PATH: join(dir, 'cache-2.graphql') });
  gateways.push((await waitFor(second, /gateway (http:\/\/\S+)/, 'the second gateway'))[1]);

  const partner = start(['partners/insurer/src/main.ts'], { PORT: '0', GATEWAY_URL: gateways[0], DATABASE_URL: databaseUrl!, INSURER_DB_SCHEMA: `insurer_${randomBytes(3).toString('hex')}` });
  partnerUrl = (await waitFor(partner, /insurer subgraph (http:\/\/\S+\/graphql)/, 'the partner'))[1];

  before = await totalsOn(gateways[0]);
  loading = true;
  load = [0, 1, 2, 3].map(client);
}, 300_000);

afterAll(async () => {
  loading = false;
  await Promise.all(load);
  for (const p of processes) p.kill('SIGTERM');
  await Promise.all(processes.map((p) => (p.exitCode !== null ? undefined : new Promise((r) => p.once('exit', r)))));
  await dropDb?.();
});

/** The partner's schema without its spending contribution: its policies and premiums only. */
function withoutContribution(sdl: string): string {
  const doc = parse(sdl);
  return print({ ...doc, definitions: doc.definitions.filter((d) => !('name' in d && d.name && SPENDING_TYPES.has(d.name.value))) });
}

test('before the partner publishes, neither gateway knows it and the load runs clean', async () => {
  await untilEveryGateway(refused(POLICIES));
  expect(before.byCategory.INSURER_PREMIUM).toBeUndefined();
  expect(failures).toEqual([]);
});

test('the partner publishes its policies with its own key: both gateways serve them within 5 s, spending unchanged', async () => {
  const v1 = join(dir, 'insurer-v1.graphql');
  writeFileSync(v1, withoutContribution(readFileSync(PARTNER_SCHEMA, 'utf8')));
  const published = schemaCli(['publish', '--name', 'insurer', '--schema', v1, '--url', partnerUrl], partnerKey);
  expect(published.out).toMatch(/published/);
  expect(published.status).toBe(0);
  expect(await untilEveryGateway(valid(POLICIES))).toBeLessThan(5000);
  for (const url of gateways) expect(await totalsOn(url)).toEqual(before);
  expect(failures).toEqual([]);
});

test('with its spending contribution published, the premiums count in both gateways within 5 s, exact to the fen', async () => {
  const published = schemaCli(['publish', '--name', 'insurer', '--schema', PARTNER_SCHEMA, '--url', partnerUrl], partnerKey);
  expect(published.status).toBe(0);
  expect(published.out).toMatch(/derived by the registry: spending/);
  expect(await untilEveryGateway(valid(PREMIUM_LINES))).toBeLessThan(5000);
  const want = formatFen(parseDecimalToFen(before.total) + parseDecimalToFen(PREMIUMS));
  for (const url of gateways) {
    const after = await totalsOn(url);
    expect(after).toEqual({ total: want, byCategory: { ...before.byCategory, INSURER_PREMIUM: PREMIUMS } });
    const lines = (await gql(url, PREMIUM_LINES, customer)).body.data.me.spending.lines.edges.map((e: any) => e.node);
    const premiums = lines.filter((l: any) => l.paidFor?.__typename === 'InsurerPremium');
    expect(premiums.length).toBeGreaterThan(0);
    expect(premiums.every((l: any) => typeof l.paidFor.id === 'string')).toBe(true);
  }
  expect(failures).toEqual([]);
});

test('rolling back takes the premiums out of spending on both gateways; the policies stay', async () => {
  // Breaking for the operations that read the premiums (the gateways reported them): allowed knowingly.
  const rolled = schemaCli(['rollback', '--name', 'insurer', '--allow-breaking'], partnerKey);
  expect(rolled.status).toBe(0);
  expect(await untilEveryGateway(refused(PREMIUM_LINES))).toBeLessThan(5000);
  for (const url of gateways) {
    expect(await totalsOn(url)).toEqual(before);
    expect((await gql(url, POLICIES, customer)).body.errors).toBeUndefined();
  }
  expect(failures).toEqual([]);
});

test('removing it takes the partner out of both gateways, and no request of the load failed at any step', async () => {
  const removed = schemaCli(['remove', '--name', 'insurer', '--allow-breaking'], partnerKey);
  expect(removed.status).toBe(0);
  expect(await untilEveryGateway(refused(POLICIES))).toBeLessThan(5000);
  for (const url of gateways) expect(await totalsOn(url)).toEqual(before);
  loading = false;
  await Promise.all(load);
  expect(requests).toBeGreaterThan(40);
  expect(failures).toEqual([]);
});
