/**
 * The response cache, through HTTP, on a real Redis shared by two gateway replicas in front of one
 * set of subgraphs, with a third gateway that never caches as the truth to compare with.
 */
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { HEADLINE_QUERY } from './headline-query';
import type { GatewayFeature } from './feature';
import { GatewayRedis } from './redis';
import { as, startGatewayOver, TEST_REDIS_TIMEOUT_MS } from '../testing/harness';
import { ok } from '../testing/assertions';
import { freshUser, testVin } from '../testing/fresh-ids';
import { Rng } from '../testing/seed';
import { buyCar, DELIVER, PAY_BALANCE, PAY_DEPOSIT, placeOrder, startOrdersGraph, type OrdersTestGraph } from '../testing/orders';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CACHE_ON = { responseCache: { enabled: true, development: true, maxEntries: 10_000, maxMegabytes: 32 } };
type Gateway = Awaited<ReturnType<typeof startGatewayOver>>;

/** Counts the fetches that reach each subgraph (nearest the network: after the cache). */
function fetchCounter() {
  const counts = new Map<string, number>();
  const feature: GatewayFeature = { name: 'test-fetch-counter', wrapFetch: (next, subgraph) => (call) => (counts.set(subgraph, (counts.get(subgraph) ?? 0) + 1), next(call)) };
  return { feature, counts, total: () => [...counts.values()].reduce((a, b) => a + b, 0), reset: () => counts.clear() };
}

describe('the response cache', () => {
  const prefix = `autograph-test-rc-${randomBytes(4).toString('hex')}:`;
  let t: OrdersTestGraph;
  let redis1: GatewayRedis;
  let redis2: GatewayRedis;
  let one: Gateway;
  let two: Gateway;
  let truth: Gateway;
  const counter = fetchCounter();

  beforeAll(async () => {
    t = await startOrdersGraph();
    redis1 = await GatewayRedis.connect(REDIS_URL, { prefix, timeoutMs: TEST_REDIS_TIMEOUT_MS });
    redis2 = await GatewayRedis.connect(REDIS_URL, { prefix, timeoutMs: TEST_REDIS_TIMEOUT_MS });
    one = await startGatewayOver(t.g, { redis: redis1, config: CACHE_ON, extraFeatures: [counter.feature] });
    two = await startGatewayOver(t.g, { redis: redis2, config: CACHE_ON });
    truth = await startGatewayOver(t.g);
  });
  afterAll(async () => {
    await Promise.all([one?.stop(), two?.stop(), truth?.stop()]);
    const direct = new Redis(REDIS_URL);
    const keys = await direct.keys(`${prefix}*`);
    if (keys.length) await direct.del(...keys);
    direct.disconnect();
    await Promise.all([redis1?.close(), redis2?.close()]);
    await t?.g.stop();
  });

  async function raw(gw: Gateway, query: string, variables: Record<string, unknown>, who: ReturnType<typeof as.customer> | null) {
    const res = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(who ? { authorization: `Bearer ${await t.g.token(who)}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, xCache: res.headers.get('x-cache'), cacheControl: res.headers.get('cache-control'), body: (await res.json()) as { data?: any; errors?: any[]; extensions?: any } };
  }
  const headline = (gw: Gateway, user: string) => raw(gw, HEADLINE_QUERY, { first: 50 }, as.customer(user));

  test('the second identical headline request is answered without any subgraph fetch, and says so', async () => {
    const user = freshUser('rc');
    await buyCar(t, user);
    const first = await headline(one, user);
    expect(first.body.errors).toBeUndefined();
    expect(first.xCache).toBe('MISS');
    counter.reset();
    const second = await headline(one, user);
    expect(Object.fromEntries(counter.counts)).toEqual({});
    expect(second.xCache).toBe('HIT');
    expect(second.body.extensions?.cache).toEqual({ hits: expect.any(Number), misses: 0 });
    expect(second.body.data).toEqual(first.body.data);
    expect(second.cacheControl).toMatch(/^max-age=\d+, private$/);
  });

  test('another user after the first gets only their own answer, and shares the public trim the first one fetched', async () => {
    const a = freshUser('rc-a');
    const b = freshUser('rc-b');
    await buyCar(t, a);
    await buyCar(t, b);
    await headline(one, a);
    counter.reset();
    const forB = await headline(one, b);
    expect(forB.body.data).toEqual((await headline(truth, b)).body.data);
    expect(JSON.stringify(forB.body.data)).not.toContain(a);
    // B's own parts were fetched; the trim both orders link to came from the cache.
    expect(counter.counts.get('catalog') ?? 0).toBe(0);
    expect(forB.xCache).toBe('PARTIAL');
  });

  test('a mutation through one replica shows in the next request through the other', async () => {
    const user = freshUser('rc-m');
    await buyCar(t, user);
    const before = await headline(two, user);
    expect((await headline(two, user)).xCache).toBe('HIT');
    const placed = ok(await one.gql(`mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id deposit { amount } } }`, { input: { idempotencyKey: randomBytes(8).toString('hex'), trimId: t.trim.id } }, as.customer(user))).placeOrder;
    ok(await one.gql(PAY_DEPOSIT, { id: placed.id, amount: placed.deposit.amount }, as.customer(user)));
    const after = await headline(two, user);
    expect(after.body.data).not.toEqual(before.body.data);
    expect(after.body.data).toEqual((await headline(truth, user)).body.data);
  });

  test('a partner acting on a customer\'s order (delivery) shows in that customer\'s next request', async () => {
    const user = freshUser('rc-p');
    const order = await buyCar(t, user, {}, { deliver: false });
    const q = `{ me { orders(first: 5) { edges { node { id status } } } } }`;
    await raw(one, q, {}, as.customer(user));
    expect((await raw(one, q, {}, as.customer(user))).xCache).toBe('HIT');
    ok(await two.gql(DELIVER, { id: order.id, vin: testVin() }, as.partner('p-1', order.manufacturerOrg)));
    const after = (await raw(one, q, {}, as.customer(user))).body.data;
    expect(after.me.orders.edges[0].node.status).toBe('DELIVERED');
    expect(after).toEqual((await raw(truth, q, {}, as.customer(user))).body.data);
  });

  test('cached and uncached answers stay equal across a randomized sequence of purchases, payments and deliveries', async () => {
    const rng = new Rng(20261202);
    const rnd = (n: number) => rng.int(0, n - 1);
    const users = [freshUser('rc-r1'), freshUser('rc-r2'), freshUser('rc-r3')];
    const served: Record<string, number> = {};
    const kinds = new Set<string>();
    const open: Array<{ user: string; id: string; deposit: string; balance?: string; org: string; stage: 'placed' | 'deposit' | 'paid' }> = [];
    for (let step = 0; step < 24; step++) {
      const user = users[rnd(users.length)];
      const choice = rnd(4);
      const mine = open.filter((o) => o.user === user);
      if (choice === 0 || mine.length === 0) {
        const o = await placeOrder(t.g, user, { trimId: t.trim.id });
        open.push({ user, id: o.id, deposit: o.deposit.amount, org: o.manufacturerOrg, stage: 'placed' });
        kinds.add('placed');
      } else {
        const o = mine[rnd(mine.length)];
        if (o.stage === 'placed') {
          const paid = ok(await (rnd(2) ? one : two).gql(PAY_DEPOSIT, { id: o.id, amount: o.deposit }, as.customer(user))).payDeposit;
          Object.assign(o, { stage: 'deposit', balance: paid.balanceDue.amount });
          kinds.add('deposit');
        } else if (o.stage === 'deposit') {
          ok(await (rnd(2) ? one : two).gql(PAY_BALANCE, { id: o.id, amount: o.balance }, as.customer(user)));
          o.stage = 'paid';
          kinds.add('balance');
        } else {
          ok(await two.gql(DELIVER, { id: o.id, vin: testVin() }, as.partner('p-1', o.org)));
          open.splice(open.indexOf(o), 1);
          kinds.add('delivered');
        }
      }
      for (const u of users) {
        const gw = rnd(2) ? one : two;
        const cached = await headline(gw, u);
        served[cached.xCache ?? 'none'] = (served[cached.xCache ?? 'none'] ?? 0) + 1;
        expect({ step, u, data: cached.body.data }).toEqual({ step, u, data: (await headline(truth, u)).body.data });
      }
    }
    // The comparison means something only if the cache answered and the answers changed under it.
    expect((served.HIT ?? 0) + (served.PARTIAL ?? 0)).toBeGreaterThan(24);
    expect(kinds.size).toBe(4);
  }, 120_000);

  test('an anonymous caller never gets a private answer cached, and public answers say public', async () => {
    const q = `{ models(first: 3) { edges { node { id name trims { id name } } } } }`;
    const first = await raw(one, q, {}, null);
    expect(first.cacheControl).toBe('max-age=300, public');
    counter.reset();
    const again = await raw(one, q, {}, null);
    expect(again.xCache).toBe('HIT');
    expect(counter.total()).toBe(0);
    expect(again.cacheControl).toMatch(/^max-age=\d+, public$/);
    const me = await raw(one, `{ me { id } }`, {}, null);
    expect(me.xCache).not.toBe('HIT');
  });

  test("a refused mutation, anonymous or someone else's, flushes nobody's cache", async () => {
    const user = freshUser('rc-keep');
    await buyCar(t, user);
    await headline(one, user);
    expect((await headline(one, user)).xCache).toBe('HIT');
    const refused = await raw(one, `mutation { cancelOrder(orderId: "ord-nobody") { id } }`, {}, null);
    expect(refused.body.errors?.length).toBeGreaterThan(0);
    const notMine = await raw(one, `mutation { cancelOrder(orderId: "ord-nobody") { id } }`, {}, as.customer(freshUser('rc-other')));
    expect(notMine.body.errors?.length).toBeGreaterThan(0);
    expect((await headline(one, user)).xCache).toBe('HIT');
  });

  test('a mutation answer is never cacheable downstream', async () => {
    const user = freshUser('rc-n');
    const res = await raw(one, `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`, { input: { idempotencyKey: randomBytes(8).toString('hex'), trimId: t.trim.id } }, as.customer(user));
    expect(res.body.errors).toBeUndefined();
    expect(res.cacheControl).toBe('no-store');
  });

  describe('POST /cache/invalidate', () => {
    const post = async (body: unknown, who: ReturnType<typeof as.admin> | null, raw = false) =>
      fetch(new URL('/cache/invalidate', one.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(who ? { authorization: `Bearer ${await t.g.token(who)}` } : {}) },
        body: raw ? (body as string) : JSON.stringify(body),
      });

    test('removes by tag for an admin: the next request fetches the trim again', async () => {
      const q = `query($id: ID!) { trim(id: $id) { id name } }`;
      await raw(one, q, { id: t.trim.id }, null);
      expect((await raw(one, q, { id: t.trim.id }, null)).xCache).toBe('HIT');
      const res = await post({ tags: ['type:Trim', `entity:Trim:${t.trim.id}`, 'subgraph:catalog'] }, as.admin());
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ removedEntries: expect.any(Number) });
      expect((await raw(one, q, { id: t.trim.id }, null)).xCache).toBe('MISS');
    });

    test('a type removed by its tag alone reaches root answers that hold it without naming it (no __typename asked), and only those', async () => {
      const colours = `{ colours { id name } }`;
      const packages = `{ packages { id name } }`;
      for (const q of [colours, packages]) {
        await raw(one, q, {}, null);
        expect((await raw(one, q, {}, null)).xCache).toBe('HIT');
      }
      const res = await post({ tags: ['type:Colour'] }, as.admin());
      expect(res.status).toBe(200);
      expect(((await res.json()) as { removedEntries: number }).removedEntries).toBeGreaterThan(0);
      counter.reset();
      expect((await raw(one, colours, {}, null)).xCache).toBe('MISS');
      expect(counter.total()).toBeGreaterThan(0);
      expect((await raw(one, packages, {}, null)).xCache).toBe('HIT');
    });

    test('refuses no token, a forged token, a customer, and malformed bodies, naming what is wrong', async () => {
      expect((await post({ tags: ['public'] }, null)).status).toBe(401);
      const forged = await fetch(new URL('/cache/invalidate', one.url), { method: 'POST', headers: { authorization: 'Bearer not.a.jwt' }, body: '{"tags":["public"]}' });
      expect(forged.status).toBe(401);
      const customer = await post({ tags: ['public'] }, as.customer('someone'));
      expect(customer.status).toBe(403);
      for (const [body, raw] of [['{', true], [{ tags: [] }, false], [{ tags: 'public' }, false], [{ tags: ['DROP TABLE'] }, false], [{ tags: Array(101).fill('public') }, false]] as const) {
        const res = await post(body, as.admin(), raw);
        expect(res.status).toBe(400);
        expect(((await res.json()) as { errors: Array<{ message: string }> }).errors[0].message).toBeTruthy();
      }
    });
  });
});
