/**
 * Analysts see people only as pseudonyms: they address a person by pseudonym (`user(id: "anon-…")`),
 * never by a real user id, and no answer they get holds a real user id anywhere — not in a `userId`,
 * an `ownerId`, a `buyer`, a key field of an entity such as `SpendingReport`, an id or a cursor.
 * Proved over a seeded world through the gateway, across every subgraph's user-related fields.
 */
import { startTestGraph, as, type TestGraph } from '../testing/harness';
import { codeOf, ok } from '../testing/assertions';
import { seedAll } from './seeding';
import { pseudonym } from './kit/auth';
import { DEMO_USER, seedUsers } from './kit/seed';

const USERS = 12;
const REAL_IDS = seedUsers(USERS);
let g: TestGraph;

beforeAll(async () => {
  g = await startTestGraph();
  await seedAll(g.db, USERS);
});

afterAll(async () => {
  await g?.stop();
});

/** Every string anywhere in a JSON value (keys included), so nothing can hide a real id. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      strings(v, out);
    }
  }
  return out;
}

/** Real user ids of the seed found in the answer, as `where: string` pairs; empty when there are none. */
function realIdsIn(value: unknown): string[] {
  return strings(value).flatMap((s) => REAL_IDS.filter((id) => s.includes(id)).map((id) => `${id} in ${JSON.stringify(s)}`));
}

const conn = (fields: string) => `edges { cursor node { ${fields} } } pageInfo { endCursor }`;

/** Every user-related field of every subgraph, reached from one person: their lists and what hangs off them. */
const SWEEP: Record<string, string> = {
  orders: `orders(first: 100) { ${conn('id userId buyer { id } tradeIn { id creditedOrder { id userId } } vehicle { vin ownerId owner { id } }')} }
           vehicles(first: 100) { ${conn('vin ownerId owner { id } order { id userId buyer { id } }')} }
           testDrives(first: 100) { ${conn('id')} }
           tradeIns(first: 100) { ${conn('id creditedOrder { id userId }')} }`,
  vehicleHistory: `vehicles(first: 100) { ${conn(`vin insurancePolicies { id userId holder { id } }
           serviceHistory(first: 100) { ${conn('id userId appointment { id userId } warrantyClaims { id }')} }
           batterySubscription { id userId vehicle { ownerId } }
           swapSessions(first: 100) { ${conn('id userId vehicle { ownerId }')} }
           chargingSessions(first: 100) { ${conn('id userId vehicle { ownerId }')} }`)} }`,
  finance: `loans(first: 100) { ${conn('id userId borrower { id } order { id userId } schedule { id loan { id userId } }')} }
            insurancePolicies(first: 100) { ${conn('id userId holder { id } vehicle { vin ownerId }')} }`,
  aftermarket: `appointments(first: 100) { ${conn('id userId vehicle { ownerId } invoice { id userId warrantyClaims { id vehicle { ownerId } } }')} }
                serviceInvoices(first: 100) { ${conn('id userId appointment { id userId }')} }`,
  energy: `batterySubscriptions(first: 100) { ${conn('id userId charges(first: 100) { edges { cursor } }')} }
           swapSessions(first: 100) { ${conn('id userId')} }
           chargingSessions(first: 100) { ${conn('id userId')} }`,
  catalog: `preferences(first: 100) { ${conn('id')} }`,
  spending: `spending { userId period total { amount } lineCount
               lines(first: 100) { userId period after ${conn(`id description paidFor { __typename
                 ... on Order { id userId buyer { id } }
                 ... on TradeIn { id }
                 ... on Instalment { id loan { id userId borrower { id } } }
                 ... on InsurancePolicy { id userId holder { id } }
                 ... on ServiceInvoice { id userId }
                 ... on SwapSession { id userId }
                 ... on ChargingSession { id userId }
                 ... on BatterySubscription { id userId } }`)} } }`,
};

describe('an analyst addresses people by pseudonym and never handles a real user id', () => {
  test("as an analyst, a broad query over every subgraph's user fields and the spending report holds no real user id anywhere", async () => {
    for (const [area, fields] of Object.entries(SWEEP)) {
      const res = ok(await g.gql(`query($id: ID!) { user(id: $id) { id ${fields} } }`, { id: pseudonym(DEMO_USER) }, as.analyst()));
      expect(res.user.id).toBe(pseudonym(DEMO_USER));
      expect([area, realIdsIn(res)]).toEqual([area, []]);
      // Not vacuous: the demo user has data in every area, so their pseudonym appears in the lists' ids.
      if (area !== 'catalog') expect([area, strings(res).filter((x) => x === pseudonym(DEMO_USER)).length > 1]).toEqual([area, true]);
    }
  });

  test("the analyst's sweep answers the person's data, the same amounts an admin reads with the real id", async () => {
    const fields = 'orders { edges { node { id } } } loans { edges { node { id } } } appointments { edges { node { id } } } swapSessions { edges { node { id } } } spending { total { amount } lineCount lines(first: 100) { edges { node { id category amount { amount } } } } }';
    const analyst = ok(await g.gql(`query($id: ID!) { user(id: $id) { ${fields} } }`, { id: pseudonym(DEMO_USER) }, as.analyst())).user;
    const admin = ok(await g.gql(`query($id: ID!) { user(id: $id) { ${fields} } }`, { id: DEMO_USER }, as.admin())).user;
    expect(analyst).toEqual(admin);
    expect(analyst.spending.total.amount).not.toBe('0.00');
    expect(analyst.orders.edges.length).toBeGreaterThan(0);
  });

  test("a buyer reached through an order is the same pseudonym, and that person's lists answer (they are not refused or empty)", async () => {
    const res = ok(await g.gql(`query($id: ID!) { user(id: $id) { orders(first: 1) { edges { node { id buyer { id orders { edges { node { id } } } spending { total { amount } } } } } } } }`, { id: pseudonym(DEMO_USER) }, as.analyst()));
    const buyer = res.user.orders.edges[0].node.buyer;
    expect(buyer.id).toBe(pseudonym(DEMO_USER));
    expect(buyer.orders.edges.length).toBeGreaterThan(0);
    expect(buyer.spending.total.amount).not.toBe('0.00');
    expect(realIdsIn(res)).toEqual([]);
  });

  test("an analyst's real user id argument is NOT_FOUND exactly like an unknown one: it does not confirm the person exists", async () => {
    const ask = async (id: string) => {
      const res = await g.gql(`query($id: ID!) { user(id: $id) { id spending { total { amount } } } }`, { id }, as.analyst());
      return { code: codeOf(res), message: res.errors?.[0]?.message.replace(id, '<id>'), data: res.data?.user ?? null, leaks: realIdsIn(res) };
    };
    const existing = await ask('user-000001');
    expect(existing).toEqual({ code: 'NOT_FOUND', message: expect.any(String), data: null, leaks: [] });
    expect(await ask('user-999999')).toEqual(existing);
    expect(await ask(DEMO_USER)).toEqual(existing);
  });

  test('the spending report of an analyst is keyed by the pseudonym, and its pages carry no real id in their keys or cursors', async () => {
    const q = `query($id: ID!, $after: String) { user(id: $id) { spending { userId lines(first: 3, after: $after) { userId after pageInfo { endCursor hasNextPage } } } } }`;
    const first = ok(await g.gql(q, { id: pseudonym(DEMO_USER) }, as.analyst())).user.spending;
    expect(first.userId).toBe(pseudonym(DEMO_USER));
    expect(first.lines.userId).toBe(pseudonym(DEMO_USER));
    const next = ok(await g.gql(q, { id: pseudonym(DEMO_USER), after: first.lines.pageInfo.endCursor }, as.analyst()));
    expect(realIdsIn([first, next])).toEqual([]);
  });
});

describe('user(id:) answers only for people who exist', () => {
  test('when AUTOGRAPH_PSEUDONYM_KEY changes, the pseudonym index is re-keyed: the new pseudonym answers, the old one is NOT_FOUND', async () => {
    const before = pseudonym('user-000002');
    const q = `query($id: ID!) { user(id: $id) { id orders { edges { node { userId } } } } }`;
    expect(ok(await g.gql(q, { id: before }, as.analyst())).user.id).toBe(before);
    const saved = process.env.AUTOGRAPH_PSEUDONYM_KEY;
    process.env.AUTOGRAPH_PSEUDONYM_KEY = 'another-pseudonym-key-that-is-long-enough';
    try {
      const after = pseudonym('user-000002');
      expect(after).not.toBe(before);
      const res = ok(await g.gql(q, { id: after }, as.analyst()));
      expect(res.user.id).toBe(after);
      expect(new Set(res.user.orders.edges.map((e: any) => e.node.userId))).toEqual(new Set(res.user.orders.edges.length ? [after] : []));
      expect(codeOf(await g.gql(q, { id: before }, as.analyst()))).toBe('NOT_FOUND');
    } finally {
      if (saved === undefined) delete process.env.AUTOGRAPH_PSEUDONYM_KEY;
      else process.env.AUTOGRAPH_PSEUDONYM_KEY = saved;
    }
  });

  test('an unknown pseudonym is NOT_FOUND for an analyst, not a person who spent 0.00', async () => {
    const res = await g.gql(`query($id: ID!) { user(id: $id) { id spending { total { amount } } } }`, { id: `anon-${'0'.repeat(20)}` }, as.analyst());
    expect(codeOf(res)).toBe('NOT_FOUND');
    expect(res.data?.user ?? null).toBeNull();
  });

  test('an unknown user id is NOT_FOUND for an admin; a seeded one answers', async () => {
    const unknown = await g.gql(`query($id: ID!) { user(id: $id) { id spending { total { amount } } } }`, { id: 'user-999999' }, as.admin());
    expect(codeOf(unknown)).toBe('NOT_FOUND');
    const known = ok(await g.gql(`query($id: ID!) { user(id: $id) { id } }`, { id: 'user-000001' }, as.admin()));
    expect(known.user.id).toBe('user-000001');
  });

  test('a customer still reads their own data through me', async () => {
    const res = ok(await g.gql(`{ me { id spending { total { amount } } } }`, undefined, as.customer(DEMO_USER)));
    expect(res.me.id).toBe(DEMO_USER);
    expect(res.me.spending.total.amount).not.toBe('0.00');
  });
});
