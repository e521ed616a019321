/**
 * The graph deployed as a process per subgraph folder (`npm run subgraph -- <name>`) and one `npm run gateway`, sharing
 * PostgreSQL and an internal secret: the headline request and a purchase (a subgraph-to-subgraph
 * call) work across processes; a gateway with another secret is refused by every subgraph.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes, randomInt } from 'node:crypto';
import { resolve } from 'node:path';
import { openTestDb, TEST_JWT } from '../testing/harness';
import { mintToken } from '../gateway/auth';
import { seedAll } from '../subgraphs/seeding';
import { subgraphs } from '../subgraphs';
import type { Db } from '../platform/db';

const root = resolve(__dirname, '..');
// tsx as a loader in the same process (not its CLI, which runs the script in a child that a SIGKILL
// of the CLI would leave running): killing the spawned process kills the server.
const tsx = '--import=tsx';
const children: ChildProcess[] = [];
let db: Db;
let drop: () => Promise<void>;
let env: Record<string, string>;
const base = 20000 + randomInt(0, 400) * 10;
const gatewayUrl = `http://127.0.0.1:${base}/graphql`;

function start(args: string[], extraEnv: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, [tsx, ...args], { cwd: root, env: { ...env, ...extraEnv } });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((ok, fail) => {
    const timer = setInterval(() => {
      if (/http:\/\/127\.0\.0\.1:\d+\/graphql/.test(out)) {
        clearInterval(timer);
        ok(child);
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        fail(new Error(`${args.join(' ')} exited ${child.exitCode}: ${out}`));
      }
    }, 100);
  });
}

async function post(query: string, token: string, variables?: object) {
  const res = await fetch(gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
  return (await res.json()) as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('set DATABASE_URL (npm test does)');
  const t = await openTestDb();
  ({ db, drop } = t);
  await seedAll(db, 3);
  env = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    DATABASE_URL: t.url!,
    AUTOGRAPH_INTERNAL_SECRET: randomBytes(32).toString('hex'),
    AUTOGRAPH_PSEUDONYM_KEY: randomBytes(32).toString('hex'),
    PARTNER_TOKEN_SIGNING_KEY: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    JWT_SECRET: TEST_JWT.secret,
    JWT_ISSUER: TEST_JWT.issuer,
    JWT_AUDIENCE: TEST_JWT.audience,
    PORT: String(base),
  };
  // Every subgraph folder runs as its own process, each at its default distance from the gateway's port.
  for (const { name, port } of subgraphs()) {
    env[`${name.toUpperCase()}_PORT`] = String(base + port - 4000);
    env[`${name.toUpperCase()}_URL`] = `http://127.0.0.1:${base + port - 4000}/graphql`;
  }
  await Promise.all(subgraphs().map(({ name }) => start(['scripts/subgraph.ts', name])));
  await start(['scripts/gateway.ts']);
}, 120_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  await drop?.();
});

describe('a process per subgraph and one gateway', () => {
  test('the headline request is composed across the subgraph processes', async () => {
    const token = await mintToken(TEST_JWT, { sub: 'demo-driver', role: 'customer' });
    const res = await post(`{ me { spending { total { amount } byCategory { category } lines(first: 3) { edges { node { amount { amount } } } } } } }`, token);
    expect(res.errors).toBeUndefined();
    expect(res.data.me.spending.byCategory.map((c: { category: string }) => c.category)).toEqual(
      expect.arrayContaining(['PURCHASE', 'LOAN_INSTALMENT', 'INSURANCE', 'MAINTENANCE', 'CHARGING']),
    );
    expect(res.data.me.spending.lines.edges).toHaveLength(3);
  });

  test('placing an order calls the catalog process for the price', async () => {
    const token = await mintToken(TEST_JWT, { sub: 'proc-buyer', role: 'customer' });
    const res = await post(`mutation { placeOrder(input: { trimId: "trim-ut-420", idempotencyKey: "proc-1" }) { totalPrice { amount } priceLines { kind } } }`, token);
    expect(res.errors).toBeUndefined();
    expect(res.data.placeOrder.priceLines[0].kind).toBe('TRIM');
  });

  test('a gateway with a different internal secret is refused by every subgraph', async () => {
    const rogue = await start(['scripts/gateway.ts'], { PORT: String(base + 9), AUTOGRAPH_INTERNAL_SECRET: randomBytes(32).toString('hex') });
    const token = await mintToken(TEST_JWT, { sub: 'demo-driver', role: 'customer' });
    const res = await fetch(`http://127.0.0.1:${base + 9}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: '{ me { id } }' }) });
    const body = (await res.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
    expect(body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    rogue.kill('SIGTERM');
  });

  test.each([
    [['scripts/gateway.ts'], { AUTOGRAPH_INTERNAL_SECRET: '' }, /AUTOGRAPH_INTERNAL_SECRET must be set/],
    [['scripts/subgraph.ts'], {}, /name the subgraph to run: one of catalog, orders/],
    [['scripts/subgraph.ts', 'billing'], {}, /name the subgraph to run/],
    [['scripts/subgraph.ts', 'orders'], { DATABASE_URL: '' }, /DATABASE_URL must be set/],
    [['scripts/subgraph.ts', 'orders', '--port', 'x'], {}, /--port must be a whole number/],
  ])('%p with %p is refused with a clear message', (args, extra, message) => {
    const r = spawnSync(process.execPath, [tsx, ...(args as string[])], { cwd: root, env: { ...env, ...(extra as Record<string, string>) }, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
