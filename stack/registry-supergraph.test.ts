/**
 * Gateways following the schema registry, through the real path: a registry on PostgreSQL, small running
 * subgraphs that answer only gateway-signed requests, and gateways with their configured features whose
 * supergraph source is the registry. Proven here: a publish is served within 5 s with no request failing
 * across the swap; polling alone picks a change up when the events stream is refused; a publish through one
 * registry process reaches a gateway watching another on the same database (LISTEN/NOTIFY); a supergraph
 * whose new subgraph is unreachable, or whose subgraph lacks a published field, is refused with its reason
 * in the log and `/health/supergraph` (and taken up once the subgraph catches up); with the registry
 * stopped the gateway keeps serving, a new gateway starts from the cache and says so, one without a cache
 * refuses to start saying what to do, and when the registry returns publishing works and gateways follow; a
 * registry with nothing published yet also leaves a gateway on its cache.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPostgres } from '../platform/db';
import { captureLogs } from '../platform/logger';
import { startRegistry, type RunningRegistry } from '../registry/server';
import { as, TEST_JWT, testGatewayConfig } from '../testing/harness';
import { SHOP, productExtension, startTestRegistry, type TestRegistry } from '../testing/registry';
import { startShopServer, type ShopServer } from '../testing/shop-servers';
import { gatewayFeatures } from '../gateway/features';
import { registrySupergraph, type RegistrySupergraphOptions } from '../gateway/registry-supergraph';
import { startGateway, type RunningGateway } from '../gateway/server';
import type { SupergraphStatus } from '../gateway/supergraph-source';

const dir = mkdtempSync(join(tmpdir(), 'autograph-registry-source-'));
let reg: TestRegistry;
let token: string;
const servers: ShopServer[] = [];
const gateways: RunningGateway[] = [];
let cacheCount = 0;

async function serve(sdl: string): Promise<ShopServer> {
  const s = await startShopServer(sdl);
  servers.push(s);
  return s;
}

async function publish(name: string, schema: string, url: string, registryUrl = reg.url) {
  const res = await fetch(`${registryUrl}/v1/subgraphs/${name}/publish`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ schema, url }) });
  const body = (await res.json()) as { supergraphId?: string; error?: unknown };
  if (res.status !== 200) throw new Error(`publish ${name}: ${res.status} ${JSON.stringify(body)}`);
  return body.supergraphId!;
}

async function follow(opts: Partial<RegistrySupergraphOptions> = {}): Promise<RunningGateway> {
  const gateway = await startGateway({
    supergraph: registrySupergraph({ url: reg.url, token, pollMs: 60_000, cachePath: join(dir, `cache-${cacheCount++}.graphql`), probeTimeoutMs: 1500, ...opts }),
    features: await gatewayFeatures(testGatewayConfig()),
    port: 0,
    maxBodyBytes: 262_144,
  });
  gateways.push(gateway);
  return gateway;
}

async function gql(gateway: RunningGateway, query: string) {
  const res = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return (await res.json()) as { data?: any; errors?: Array<{ message: string }> };
}

type Health = SupergraphStatus & { status: string };
const health = async (gateway: RunningGateway) => (await (await fetch(new URL('/health/supergraph', gateway.url))).json()) as Health;

/** Waits (up to `ms`) until the gateway's `/health/supergraph` satisfies `done`; returns it and how long it took. */
async function healthUntil(gateway: RunningGateway, done: (h: Health) => boolean, ms = 15_000): Promise<Health & { tookMs: number }> {
  const start = Date.now();
  for (;;) {
    const h = await health(gateway);
    if (done(h)) return { ...h, tookMs: Date.now() - start };
    if (Date.now() - start > ms) throw new Error(`/health/supergraph did not get there: ${JSON.stringify(h)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const PRODUCT = '{ product(id: "1") { name reviews } }';
let products: ShopServer;
let reviews: ShopServer;
let productsSdl = SHOP.products;

beforeAll(async () => {
  reg = await startTestRegistry();
  token = await reg.token(as.admin());
  products = await serve(SHOP.products);
  reviews = await serve(SHOP.reviews);
  await publish('products', SHOP.products, products.url);
  await publish('reviews', SHOP.reviews, reviews.url);
}, 60_000);
afterAll(async () => {
  for (const g of gateways) await g.stop().catch(() => undefined);
  for (const s of servers) await s.stop();
  await reg?.close();
});

test('a gateway following the registry serves a newly published supergraph within 5 s, and no request fails across the swap', async () => {
  const gateway = await follow();
  expect((await gql(gateway, PRODUCT)).data).toEqual({ product: { name: 'name 1', reviews: ['reviews of 1'] } });
  const before = await health(gateway);
  expect(before.registry).toMatchObject({ reachable: true, startedFromCache: false });

  // Load through the swap: several clients asking all the time.
  let running = true;
  const failures: unknown[] = [];
  let served = 0;
  const client = async () => {
    while (running) {
      const res = await gql(gateway, PRODUCT).catch((err: unknown) => ({ errors: [err] }));
      if (res.errors) failures.push(res.errors);
      else served++;
    }
  };
  const clients = [client(), client(), client(), client()];
  const ratings = await serve(productExtension('rating'));
  const published = await publish('ratings', productExtension('rating'), ratings.url);
  const after = await healthUntil(gateway, (h) => h.current?.id === published);
  expect(after.tookMs).toBeLessThan(5000);
  expect((await gql(gateway, '{ product(id: "7") { name rating } }')).data).toEqual({ product: { name: 'name 7', rating: 'rating 7' } });
  await new Promise((r) => setTimeout(r, 200));
  running = false;
  await Promise.all(clients);
  expect(failures).toEqual([]);
  expect(served).toBeGreaterThan(0);
  // The probe went through the gateway's features: signed, like every fetch.
  expect(ratings.unsigned).toBe(0);
}, 60_000);

/** A proxy to the registry that refuses the events stream (as a proxy that cannot stream might). */
async function proxyWithoutEvents(target: string): Promise<{ url: string; server: Server }> {
  const to = new URL(target);
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/v1/supergraph/events')) {
      res.writeHead(502, { 'content-type': 'text/plain' });
      return res.end('streaming is not allowed here');
    }
    const upstream = httpRequest({ host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

test('the events stream is not needed: with it refused, polling picks up a change', async () => {
  const proxy = await proxyWithoutEvents(reg.url);
  try {
    const gateway = await follow({ url: proxy.url, pollMs: 300 });
    await healthUntil(gateway, (h) => h.registry?.lastError?.includes('events stream') === true);
    const extra = await serve(productExtension('stock'));
    const published = await publish('stock', productExtension('stock'), extra.url);
    const after = await healthUntil(gateway, (h) => h.current?.id === published);
    expect(after.registry).toMatchObject({ streaming: false });
    expect((await gql(gateway, '{ product(id: "2") { stock } }')).data).toEqual({ product: { stock: 'stock 2' } });
  } finally {
    proxy.server.closeAllConnections();
    proxy.server.close();
  }
}, 60_000);

const twoProcesses = process.env.DATABASE_URL ? test : test.skip;
twoProcesses('two registry processes on one PostgreSQL database: a publish through one reaches a gateway watching the other', async () => {
  // Its own pool, as another process would have: the notification travels through PostgreSQL.
  const otherDb = await openPostgres(reg.dbUrl!, 2);
  let other: RunningRegistry | undefined;
  try {
    other = await startRegistry({ db: otherDb, jwt: TEST_JWT, port: 0 });
    const gateway = await follow({ url: other.url }); // polls once a minute: the event is what brings the change
    await healthUntil(gateway, (h) => h.registry?.streaming === true);
    const extra = await serve(productExtension('warranty'));
    const published = await publish('warranty', productExtension('warranty'), extra.url, reg.url);
    const after = await healthUntil(gateway, (h) => h.current?.id === published);
    expect(after.tookMs).toBeLessThan(5000);
  } finally {
    await other?.stop();
    await otherDb.close();
  }
}, 60_000);

test('a supergraph whose new subgraph nobody listens at is not swapped in; the log and /health/supergraph say why', async () => {
  const gateway = await follow({ probeTimeoutMs: 500 });
  const serving = (await health(gateway)).current!.id;
  const logs = captureLogs();
  try {
    const refused = await publish('ghost', productExtension('haunted'), 'http://127.0.0.1:9/graphql');
    const h = await healthUntil(gateway, (x) => x.lastRefusal?.id === refused);
    expect(h.status).toBe('refused');
    expect(h.current!.id).toBe(serving);
    expect(h.lastRefusal!.reason).toMatch(/subgraph ghost at http:\/\/127\.0\.0\.1:9\/graphql: it cannot be reached/);
    expect(logs.lines().some((l) => String(l.msg).includes('supergraph refused') && String(l.msg).includes('ghost'))).toBe(true);
    expect((await gql(gateway, PRODUCT)).errors).toBeUndefined();
  } finally {
    logs.stop();
  }
  expect((await reg.call('POST', '/v1/subgraphs/ghost/remove', { body: { allowBreaking: true } })).status).toBe(200);
}, 60_000);

test('a refused move of a served subgraph to a dead URL changes nothing for live requests, and publishing the served URL again is taken up', async () => {
  const gateway = await follow({ probeTimeoutMs: 500 });
  const serving = (await health(gateway)).current!.id;
  const refused = await publish('reviews', SHOP.reviews, 'http://127.0.0.1:9/graphql');
  expect((await healthUntil(gateway, (x) => x.lastRefusal?.id === refused)).current!.id).toBe(serving);
  // The probe used a data source of its own: the served one still fetches reviews where they are.
  for (let i = 0; i < 5; i++) expect((await gql(gateway, PRODUCT)).data).toEqual({ product: { name: 'name 1', reviews: ['reviews of 1'] } });
  const back = await publish('reviews', SHOP.reviews, reviews.url);
  expect(back).toBe(serving);
  expect((await gql(gateway, PRODUCT)).errors).toBeUndefined();
}, 60_000);

test('a subgraph serving a schema that lacks a published field is refused, and taken up once it serves the field', async () => {
  const gateway = await follow({ probeTimeoutMs: 500 });
  const serving = (await health(gateway)).current!.id;
  productsSdl = SHOP.products.replace('name: String!', 'name: String! price: String');
  const published = await publish('products', productsSdl, products.url);
  const h = await healthUntil(gateway, (x) => x.lastRefusal?.id === published);
  expect(h.current!.id).toBe(serving);
  expect(h.lastRefusal!.reason).toMatch(/subgraph products at .*: it does not serve 1 field of its published schema: Product\.price/);
  // The subgraph catches up: the next try (the watcher's backoff) takes the supergraph up.
  await products.serve(productsSdl);
  await healthUntil(gateway, (x) => x.current?.id === published, 30_000);
  expect((await gql(gateway, '{ product(id: "3") { price } }')).data).toEqual({ product: { price: 'price 3' } });
}, 60_000);

test('a registry with nothing published yet: a gateway with a cache starts from it and says so', async () => {
  const cachePath = join(dir, 'cache-for-empty.graphql');
  const first = await follow({ cachePath });
  const cached = (await health(first)).current!.id;
  const empty = await startTestRegistry();
  try {
    const gateway = await follow({ url: empty.url, token: await empty.token(as.admin()), cachePath });
    const h = await healthUntil(gateway, (x) => x.registry?.reachable === true);
    expect(h.current!.id).toBe(cached);
    expect(h.registry).toMatchObject({ startedFromCache: true });
    expect((await gql(gateway, PRODUCT)).errors).toBeUndefined();
  } finally {
    await empty.close();
  }
}, 60_000);

test('the registry stopped: the gateway keeps serving, a new one starts from its cache and says so, one without a cache refuses; back again, gateways follow', async () => {
  const cachePath = join(dir, 'shared-cache.graphql');
  const gateway = await follow({ cachePath, pollMs: 300 });
  const serving = (await health(gateway)).current!.id;
  const port = reg.port;
  await reg.stop();
  let restarted: RunningRegistry | undefined;
  try {
    const down = captureLogs();
    const h0 = await healthUntil(gateway, (h) => h.registry?.reachable === false && h.registry.lastError !== null);
    expect(h0.registry!.lastError).toMatch(/ECONNREFUSED/);
    expect((await gql(gateway, PRODUCT)).errors).toBeUndefined();
    // Polled every 300 ms, but a registry that stays down is logged once per distinct reason (the first poll
    // may meet a closing connection, the next a refused one), not at every try.
    await new Promise((r) => setTimeout(r, 2000));
    down.stop();
    expect(down.lines().filter((l) => String(l.msg).includes('polling GET /v1/supergraph failed')).length).toBeLessThanOrEqual(2);

    const logs = captureLogs();
    const fromCache = await follow({ cachePath, pollMs: 300 });
    logs.stop();
    const h = await health(fromCache);
    expect(h.current!.id).toBe(serving);
    expect(h.registry).toMatchObject({ startedFromCache: true, reachable: false });
    expect(logs.lines().some((l) => String(l.msg).includes(`serving the cached supergraph from ${cachePath}`))).toBe(true);
    expect((await gql(fromCache, PRODUCT)).data.product.name).toBe('name 1');

    await expect(follow({ cachePath: join(dir, 'never-written.graphql') })).rejects.toThrow(/no cached supergraph at .*never-written\.graphql.*Start the registry and publish/);

    restarted = await startRegistry({ db: reg.db, jwt: TEST_JWT, port });
    const extra = await serve(productExtension('colourName'));
    const published = await publish('colours', productExtension('colourName'), extra.url);
    await healthUntil(gateway, (x) => x.current?.id === published);
    await healthUntil(fromCache, (x) => x.current?.id === published && x.registry?.reachable === true);
  } finally {
    await restarted?.stop();
  }
}, 90_000);
