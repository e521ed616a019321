/**
 * The graph deployed as a process per subgraph folder (`npm run subgraph -- <name>`) and one `npm run gateway`, sharing
 * PostgreSQL; each subgraph verifies the gateway's tokens with its JWKS (GATEWAY_JWKS_URL) and signs its own
 * calls with a key of its own (SERVICE_TOKEN_SIGNING_KEY), and holds neither the gateway's key nor its
 * client-token settings: the headline request and a purchase (a
 * subgraph-to-subgraph call, verified with the caller's JWKS) work across processes; a gateway with another
 * key is refused by every subgraph; with
 * OTEL_EXPORTER_OTLP_ENDPOINT every process exports its spans over OTLP, one trace across the processes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
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
/** What the gateway alone holds: its signing key and the client-token settings (a subgraph process has neither). */
let gatewayEnv: Record<string, string>;
/** What the processes exported over OTLP/HTTP (JSON): each request body, as received by a collector stand-in. */
const exported: Array<{ resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> }; scopeSpans: Array<{ spans: Array<{ traceId: string; name: string }> }> }> }> = [];
let collector: Server;
const base = 20000 + randomInt(0, 400) * 10;
const gatewayUrl = `http://127.0.0.1:${base}/graphql`;

function newKey(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
}

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
  collector = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (req.url === '/v1/traces') exported.push(JSON.parse(body));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
  env = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    DATABASE_URL: t.url!,
    AUTOGRAPH_PSEUDONYM_KEY: randomBytes(32).toString('hex'),
    GATEWAY_JWKS_URL: `http://127.0.0.1:${base}/.well-known/jwks.json`,
    PORT: String(base),
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
    // The SDK's batch delay (5 s by default), short so the test does not wait for it.
    OTEL_BSP_SCHEDULE_DELAY: '100',
  };
  // Every subgraph folder runs as its own process, each at its default distance from the gateway's port.
  for (const { name, port } of subgraphs()) {
    env[`${name.toUpperCase()}_PORT`] = String(base + port - 4000);
    env[`${name.toUpperCase()}_URL`] = `http://127.0.0.1:${base + port - 4000}/graphql`;
  }
  gatewayEnv = { PARTNER_TOKEN_SIGNING_KEY: newKey(), JWT_SECRET: TEST_JWT.secret, JWT_ISSUER: TEST_JWT.issuer, JWT_AUDIENCE: TEST_JWT.audience };
  // Each subgraph its own key: none can sign as another, and none holds the gateway's.
  await Promise.all(subgraphs().map(({ name }) => start(['scripts/subgraph.ts', name], { SERVICE_TOKEN_SIGNING_KEY: newKey() })));
  await start(['scripts/gateway.ts'], gatewayEnv);
}, 120_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  await drop?.();
  collector?.close();
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

  test('with OTEL_EXPORTER_OTLP_ENDPOINT the gateway and each subgraph process export their spans over OTLP, in one trace', async () => {
    const token = await mintToken(TEST_JWT, { sub: 'demo-driver', role: 'customer' });
    const traceId = randomBytes(16).toString('hex');
    const traceparent = `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
    const res = await fetch(gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, traceparent }, body: JSON.stringify({ query: 'query OtlpProbe { me { spending { total { amount } } } }' }) });
    expect(((await res.json()) as { errors?: unknown }).errors).toBeUndefined();
    const byService = () => {
      const found = new Map<string, Set<string>>();
      for (const body of exported)
        for (const rs of body.resourceSpans) {
          const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
          for (const ss of rs.scopeSpans) for (const span of ss.spans) if (span.traceId === traceId) found.set(service, (found.get(service) ?? new Set()).add(span.name));
        }
      return found;
    };
    const wanted = ['autograph-gateway', 'autograph-orders', 'autograph-finance', 'autograph-spending'];
    // Spans arrive in batches as they end: the gateway's root span ends after the answer is sent, so it may
    // come in a later batch than the fetches. Wait for every span the test names, not just any per service.
    const complete = (found: Map<string, Set<string>>) =>
      wanted.every((w) => found.has(w)) && ['gateway POST', 'fetch orders'].every((n) => found.get('autograph-gateway')!.has(n)) && found.get('autograph-orders')!.has('orders POST');
    for (let i = 0; i < 300 && !complete(byService()); i++) await new Promise((r) => setTimeout(r, 100));
    const found = byService();
    for (const w of wanted) expect(found.get(w)).toBeDefined();
    expect([...found.get('autograph-gateway')!]).toEqual(expect.arrayContaining(['gateway POST', 'fetch orders']));
    expect([...found.get('autograph-orders')!]).toEqual(expect.arrayContaining(['orders POST']));
  });

  test('SIGTERM during a request: health answers 503 stopping, the request still completes, the process exits 0', async () => {
    const port = base + 10_000; // outside the block of ports the subgraph processes use
    const gw = await start(['scripts/gateway.ts'], { ...gatewayEnv, PORT: String(port), SHUTDOWN_DELAY_MS: '800', SHUTDOWN_DRAIN_MS: '10000' });
    const exited = new Promise<number | null>((r) => gw.once('exit', (code) => r(code)));
    const token = await mintToken(TEST_JWT, { sub: 'demo-driver', role: 'customer' });
    const body = JSON.stringify({ query: '{ me { id spending { total { amount } } } }' });
    // A request in flight for as long as the test likes: its body is sent in two halves.
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d) => (answer += d));
    await new Promise((r) => socket.once('connect', r));
    socket.write(`POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\nauthorization: Bearer ${token}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 20)}`);
    await new Promise((r) => setTimeout(r, 100));
    gw.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: 'stopping' });
    await new Promise((r) => setTimeout(r, 1_000)); // past the delay: the listener is closed, the request is not
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    socket.write(body.slice(20));
    await new Promise((r) => socket.once('end', r));
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toContain('"total":{"amount":');
    expect(await exited).toBe(0);
  });

  test('placing an order calls the catalog process for the price', async () => {
    const token = await mintToken(TEST_JWT, { sub: 'proc-buyer', role: 'customer' });
    const res = await post(`mutation { placeOrder(input: { trimId: "trim-ut-420", idempotencyKey: "proc-1" }) { totalPrice { amount } priceLines { kind } } }`, token);
    expect(res.errors).toBeUndefined();
    expect(res.data.placeOrder.priceLines[0].kind).toBe('TRIM');
  });

  test('a gateway signing with a key the real gateway does not publish is refused by every subgraph', async () => {
    const roguePort = base + 10_001; // outside the block of ports the subgraph processes use
    const rogue = await start(['scripts/gateway.ts'], { ...gatewayEnv, PORT: String(roguePort), PARTNER_TOKEN_SIGNING_KEY: newKey() });
    const token = await mintToken(TEST_JWT, { sub: 'demo-driver', role: 'customer' });
    const res = await fetch(`http://127.0.0.1:${roguePort}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: '{ me { id } }' }) });
    const body = (await res.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
    expect(body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    rogue.kill('SIGTERM');
  });

  test.each([
    [['scripts/subgraph.ts', 'orders'], { GATEWAY_JWKS_URL: '', SERVICE_TOKEN_SIGNING_KEY: newKey() }, /GATEWAY_JWKS_URL must be set when NODE_ENV=production/],
    [['scripts/subgraph.ts', 'orders'], {}, /SERVICE_TOKEN_SIGNING_KEY or SERVICE_TOKEN_SIGNING_KEY_FILE must be set when NODE_ENV=production/],
    [['scripts/subgraph.ts', 'orders'], { SERVICE_TOKEN_SIGNING_KEY: 'hunter2' }, /SERVICE_TOKEN_SIGNING_KEY is neither a PEM private key/],
    [['scripts/subgraph.ts', 'orders'], { GATEWAY_JWKS_URL: "gateway:4000/jwks" }, /GATEWAY_JWKS_URL="gateway:4000\/jwks" is not a http:\/\/ or https:\/\/ URL/],
    [['scripts/subgraph.ts'], {}, /name the subgraph to run: one of catalog, orders/],
    [['scripts/subgraph.ts', 'billing'], {}, /name the subgraph to run/],
    [['scripts/subgraph.ts', 'orders'], { DATABASE_URL: '', SERVICE_TOKEN_SIGNING_KEY: newKey() }, /DATABASE_URL must be set/],
    [['scripts/subgraph.ts', 'orders', '--port', 'x'], {}, /--port must be a whole number/],
    // The gateway still needs what a subgraph is no longer given.
    [['scripts/gateway.ts'], {}, /JWT_SECRET or JWT_JWKS_URL must be set when NODE_ENV=production[\s\S]*PARTNER_TOKEN_SIGNING_KEY or PARTNER_TOKEN_SIGNING_KEY_FILE must be set/],
  ])('%p with %p is refused with a clear message', (args, extra, message) => {
    const r = spawnSync(process.execPath, [tsx, ...(args as string[])], { cwd: root, env: { ...env, ...(extra as Record<string, string>) }, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
