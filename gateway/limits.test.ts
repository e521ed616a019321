import { parse, validate, type GraphQLError } from 'graphql';
import { operationFromDocument } from '@apollo/federation-internals';
import type { FetchNode, PlanNode, SubscriptionNode } from '@apollo/query-planner';
import { DEFAULT_LIMITS, operationLimitsRule, subgraphLimits } from '../platform/limits';
import { servedSubgraphSchema, startTestGraph, as, type TestGraph } from '../testing/harness';
import { HEADLINE_QUERY as HEADLINE } from './headline-query';


/** Exactly at the depth limit (15), across finance → orders → catalog entity fetches. */
const DEEPEST = `{ me { spending { lines(first: 1) { edges { node { paidFor { ... on Instalment { loan { order { trim { model { trims { model { trims { model { name } } } } } } } } } } } } } } } }`;

/** Exactly at the alias limit (30), spread over every subgraph and inside the union. */
const MOST_ALIASED = `{ ${Array.from({ length: 3 }, (_, i) => `m${i}: me { o: orders(first: 1) { edges { node { i: id } } } l: loans(first: 1) { edges { node { i: id } } } s: spending { lines(first: 1) { edges { node { paidFor { ... on Order { t: trim { n: name } } ... on SwapSession { st: station { n: name } } } } } } } }`).join(' ')} }`;

function fetchesOf(node: PlanNode | SubscriptionNode | undefined): FetchNode[] {
  if (!node) return [];
  switch (node.kind) {
    case 'Subscription':
      return [node.primary, ...fetchesOf(node.rest)];
    case 'Fetch':
      return [node];
    case 'Sequence':
    case 'Parallel':
      return node.nodes.flatMap(fetchesOf);
    case 'Flatten':
      return fetchesOf(node.node);
    case 'Condition':
      return [...fetchesOf(node.ifClause), ...fetchesOf(node.elseClause)];
    case 'Defer':
      return [...fetchesOf(node.primary.node), ...node.deferred.flatMap((d) => fetchesOf(d.node))];
  }
}

describe('operation limits through the gateway', () => {
  let g: TestGraph;
  beforeAll(async () => {
    g = await startTestGraph();
  });
  afterAll(async () => g.stop());

  test('the headline request with every link fits the limits', async () => {
    const res = await g.gql(`{ me { spending { lines(first: 1) { edges { node { paidFor { ... on Instalment { loan { order { trim { model { name } } } } } } } } } } } }`, {}, as.customer('u-limits'));
    expect(res.errors).toBeUndefined();
  });

  test('a query nested beyond the depth limit is refused before any subgraph is asked', async () => {
    let inner = 'id';
    for (let i = 0; i < 5; i++) inner = `orders(first: 1) { edges { node { buyer { ${inner} } } } }`; // 4 levels a turn
    const deep = `{ me { ${inner} } }`;
    const before = g.db.statementCount;
    const res = await g.gql(deep, {}, as.customer('u-limits'));
    expect(res.status).toBe(400);
    expect(res.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors?.[0].message).toMatch(/is 22 levels deep; the limit is 15/);
    expect(g.db.statementCount).toBe(before);
  });

  test('too many aliases are refused', async () => {
    const res = await g.gql(`{ ${Array.from({ length: 40 }, (_, i) => `a${i}: me { id }`).join(' ')} }`, {}, as.customer('u-limits'));
    expect(res.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors?.[0].message).toMatch(/40 aliases; the limit is 30/);
  });

  test('a fragment bomb (each fragment spreads the previous one twice, 27 levels, 1.1 KB) is refused with 400 in well under 2 s while /health keeps answering', async () => {
    let bomb = 'query Bomb { ...F27 } fragment F0 on Query { a: me { id } }';
    for (let i = 1; i <= 27; i++) bomb += ` fragment F${i} on Query { ...F${i - 1} ...F${i - 1} }`;
    expect(bomb.length).toBeLessThan(1200);
    const started = Date.now();
    const refused = g.gql(bomb, {}, null);
    // Asked while the bomb is in flight: with an exponential check this waited for the whole check (30 s).
    const health = fetch(new URL('/health', g.url)).then((r) => ({ status: r.status, ms: Date.now() - started }));
    const [res, h] = await Promise.all([refused, health]);
    expect(res.status).toBe(400);
    expect(res.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors?.[0].message).toBe('operation Bomb uses 134217728 aliases; the limit is 30');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(h.status).toBe(200);
    expect(h.ms).toBeLessThan(2000);
  });

  test('the same bomb without any alias is refused for the fields it would select once its fragments are written out', async () => {
    let bomb = 'query Bomb { ...F27 } fragment F0 on Query { me { id } }';
    for (let i = 1; i <= 27; i++) bomb += ` fragment F${i} on Query { ...F${i - 1} ...F${i - 1} }`;
    const started = Date.now();
    const res = await g.gql(bomb, {}, null);
    expect(res.status).toBe(400);
    expect(res.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors?.[0].message).toBe('operation Bomb selects 268435456 fields once its fragments are written out; the limit is 5000 (the token limit)');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test.each([
    ['the headline request with every paidFor link', HEADLINE],
    ['an operation exactly at the depth limit', DEEPEST],
    ['an operation exactly at the alias limit', MOST_ALIASED],
  ])('%s is accepted, and every subgraph operation the planner makes of it fits the subgraph limits', async (_what, query) => {
    const res = await g.gql(query, { first: 20 }, as.customer('u-limits'));
    expect(res.errors).toBeUndefined();
    // Every fetch of the plan, whether or not this user's data makes the gateway send it.
    const planner = g.stack.gateway.gateway.__testing().queryPlanner!;
    const fetches = fetchesOf(planner.buildQueryPlan(operationFromDocument(planner.supergraph.apiSchema(), parse(query))).node);
    expect(fetches.length).toBeGreaterThan(1);
    const limits = subgraphLimits(DEFAULT_LIMITS);
    for (const fetch of fetches) {
      const schema = servedSubgraphSchema(fetch.serviceName);
      const errors: readonly GraphQLError[] = validate(schema, parse(fetch.operation, { maxTokens: limits.maxTokens }), [operationLimitsRule(limits)]);
      expect([fetch.serviceName, fetch.operation, errors.map((e) => e.message)]).toEqual([fetch.serviceName, fetch.operation, []]);
    }
  });

  test('a document with too many tokens is refused by the parser', async () => {
    const res = await g.gql(`{ me { id ${'__typename '.repeat(6000)} } }`, {}, as.customer('u-limits'));
    expect(res.status).toBe(400);
    expect(res.errors?.[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(res.errors?.[0].message).toMatch(/more that 5000 tokens/);
  });
});
