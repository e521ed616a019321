/**
 * Analysts see people only as pseudonyms: they address a person by pseudonym (`user(id: "anon-…")`),
 * never by a real user id, and no answer they get holds a real user id anywhere — not in a `userId`,
 * an `ownerId`, a `buyer`, a key field of an entity such as `SpendingReport`, an id or a cursor.
 * Proved over a seeded world through the gateway, across every subgraph folder's user fields (derived
 * from the schemas, so a new folder is covered without an edit).
 */
import { startTestGraph, as, type TestGraph } from '../testing/harness';
import { codeOf, ok } from '../testing/assertions';
import { seedAll } from './seeding';
import { pseudonym } from './kit/auth';
import { DEMO_USER, seedUsers } from './kit/seed';
import { subgraphs } from '.';
import { apiSchema, collectObjects, selectEverything, WALKED_GRAPH } from '../testing/graph-walk';
import { resolvedEntities } from '../testing/entities';
import type { GraphQLObjectType, GraphQLSchema } from 'graphql';

const USERS = 12;
const REAL_IDS = seedUsers(USERS);
let g: TestGraph;

beforeAll(async () => {
  g = await startTestGraph({ ...WALKED_GRAPH });
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

/** Lists in an answer that hold something: the sweep is not vacuous when there are some. */
const filledLists = (value: unknown): number =>
  Array.isArray(value) ? (value.length ? 1 : 0) + value.reduce((n: number, v) => n + filledLists(v), 0) : value && typeof value === 'object' ? Object.values(value).reduce((n: number, v) => n + filledLists(v), 0) : 0;

/**
 * Each subgraph folder's area of a person's data: the `User` fields it resolves that clients see. A
 * new folder is swept here without an edit.
 */
function areas(schema: GraphQLSchema): Array<[string, string[]]> {
  const clientFields = (schema.getType('User') as GraphQLObjectType).getFields();
  return subgraphs().flatMap((m): Array<[string, string[]]> => {
    const user = resolvedEntities(m.name).find((e) => e.type === 'User');
    const fields = (user?.fields ?? []).map((f) => f.name).filter((name) => name in clientFields);
    return fields.length ? [[m.name, fields]] : [];
  });
}

describe('an analyst addresses people by pseudonym and never handles a real user id', () => {
  test("as an analyst, everything reachable from each subgraph's user fields (their lists, what hangs off them, the spending report) holds no real user id anywhere", async () => {
    const schema = await apiSchema(g);
    const user = schema.getType('User') as GraphQLObjectType;
    const swept = areas(schema);
    for (const [area, fields] of swept) {
      const res = ok(await g.gql(`query($id: ID!) { user(id: $id) { id ${selectEverything(schema, user, fields)} } }`, { id: pseudonym(DEMO_USER) }, as.analyst()));
      expect(res.user.id).toBe(pseudonym(DEMO_USER));
      expect([area, realIdsIn(res)]).toEqual([area, []]);
      // Every person the answer names is the one asked about, by the same pseudonym.
      expect([area, [...new Set((collectObjects(res).get('User') ?? []).map((u) => u.id))]]).toEqual([area, [pseudonym(DEMO_USER)]]);
      // Not vacuous: the demo user has data in every area.
      expect([area, filledLists(res) > 0]).toEqual([area, true]);
    }
    expect(swept.map(([area]) => area).sort()).toEqual(subgraphs().filter((m) => resolvedEntities(m.name).some((e) => e.type === 'User')).map((m) => m.name).sort());
  });

  test('every analyst view (each Query field named `analyst…`) holds no real user id and none of the free text people wrote', async () => {
    ok(await g.gql('mutation { refreshAnalytics { asOf } }', {}, as.admin()));
    const schema = await apiSchema(g);
    const query = schema.getQueryType()!;
    const views = Object.keys(query.getFields()).filter((name) => name.startsWith('analyst'));
    expect(views.length).toBeGreaterThanOrEqual(4);
    // What people wrote about themselves or their car: appointment notes, trade-in descriptions, where they charged.
    const texts = (
      await g.db.query<{ t: string }>(
        `SELECT note AS t FROM aftermarket.appointments WHERE note IS NOT NULL UNION SELECT description FROM orders.trade_ins UNION SELECT location FROM energy.charging_sessions`,
      )
    ).map((r) => r.t);
    expect(texts.length).toBeGreaterThan(0);
    for (const view of views) {
      const res = ok(await g.gql(`{ ${selectEverything(schema, query, [view])} }`, {}, as.analyst()));
      expect([view, realIdsIn(res)]).toEqual([view, []]);
      const found = strings(res);
      expect([view, texts.filter((t) => found.includes(t))]).toEqual([view, []]);
      expect([view, filledLists(res) > 0]).toEqual([view, true]);
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
