import type { GatewayFeature } from './feature';
import { requestCost } from './cost-request';
import { ConfigError, loadConfig } from './config';
import { defaultDemandControl, DEFAULT_COST_BUDGETS, readDemandControl } from './features/demand-control';
import { HEADLINE_QUERY } from './headline-query';
import { DEFAULT_LIMITS } from '../platform/limits';
import { as, startTestGraph, type GqlResult, type TestGraph } from '../testing/harness';

const CUSTOMER = as.customer('u-demand');

/** A page of 10,000 spending lines: over any customer's budget (the subgraph would refuse it too, later). */
const HUGE_PAGE = `{ me { spending { lines(first: 10000) { edges { node { id amount { amount } } } } } } }`;
/** The headline's line with every link. */
const LINE = 'occurredAt amount { amount } paidFor { ... on Order { trim { model { name } } } ... on Instalment { loan { order { id } } } ... on ServiceInvoice { store { name } } ... on SwapSession { station { name } } }';
/** Twenty aliased copies of the headline's largest page (100 lines): each fits a customer's budget, together they do not. */
const ALIASED_PAGES = `{ me { spending { ${Array.from({ length: 20 }, (_, i) => `p${i}: lines(first: 100) { edges { node { ${LINE} } } }`).join(' ')} } } }`;
/** Ten aliased copies of the public catalog's largest page of models with their trims: 10 × 1,201. */
const CATALOG_PAGES = `{ ${Array.from({ length: 10 }, (_, i) => `m${i}: models(first: 100) { edges { node { id trims { id } } } }`).join(' ')} }`;
/** Within the depth, alias and field limits, but trims of models of trims… multiply: a cost bomb. */
const NESTED_LISTS = `{ models(first: 100) { edges { node { trims { model { trims { model { trims { model { trims { model { name } } } } } } } } } } } }`;

const costOf = (res: GqlResult) => (res as { extensions?: { cost?: { estimated: number; budget: number; mode: string } } }).extensions?.cost;

/** Counts the subgraph fetches the gateway makes (the hook stays whatever the fetcher looks like). */
function fetchCounter() {
  const counter = { fetches: 0, feature: undefined as unknown as GatewayFeature };
  counter.feature = { name: 'test-fetch-counter', beforeSubgraphFetch: () => void counter.fetches++ };
  return counter;
}

describe('demand control, enforcing (the development default: the cost is reported)', () => {
  let g: TestGraph;
  const counter = fetchCounter();
  /** What another feature (rate limits) reads of each request's cost, as it would. */
  const seen: Array<number | undefined> = [];
  const reader: GatewayFeature = { name: 'test-cost-reader', plugins: [{ requestDidStart: async () => ({ willSendResponse: async (rc) => void seen.push(requestCost(rc)) }) }] };
  beforeAll(async () => {
    g = await startTestGraph({ extraFeatures: [counter.feature, reader], gatewayConfig: { demandControl: defaultDemandControl('development') } });
  });
  afterAll(async () => g?.stop());

  /** Sends `query` and says how many subgraph fetches it caused. */
  const send = async (query: string, variables: Record<string, unknown>, who: Parameters<TestGraph['gql']>[2]) => {
    const before = counter.fetches;
    const res = await g.gql(query, variables, who);
    return { res, fetches: counter.fetches - before };
  };

  test.each([20, 100])('the headline request with every link, %i lines a page, fits a customer’s budget and says its cost', async (first) => {
    const { res, fetches } = await send(HEADLINE_QUERY, { first }, CUSTOMER);
    expect(res.errors).toBeUndefined();
    expect(fetches).toBeGreaterThan(0);
    const cost = costOf(res)!;
    expect(cost).toEqual({ estimated: expect.any(Number), budget: DEFAULT_COST_BUDGETS.customer, mode: 'enforce' });
    expect(cost.estimated).toBeLessThan(cost.budget / 3);
    expect(seen.at(-1)).toBe(cost.estimated);
  });

  test.each([
    ['a page of 10,000 lines', HUGE_PAGE],
    ['twenty aliased pages of 100 lines', ALIASED_PAGES],
  ])('%s is refused for a customer before any subgraph is fetched, naming the estimate, the role and the budget', async (_what, query) => {
    const { res, fetches } = await send(query, {}, CUSTOMER);
    expect(res.status).toBe(400);
    expect(res.data).toBeUndefined();
    expect(res.errors).toHaveLength(1);
    const [error] = res.errors!;
    expect(error.extensions?.code).toBe('COST_ESTIMATED_TOO_EXPENSIVE');
    const cost = error.extensions?.cost as { estimated: number; budget: number };
    expect(cost.budget).toBe(DEFAULT_COST_BUDGETS.customer);
    expect(cost.estimated).toBeGreaterThan(cost.budget);
    expect(error.message).toBe(`operation is estimated to cost ${cost.estimated}, over the customer budget of ${DEFAULT_COST_BUDGETS.customer}: ask for smaller pages or fewer copies of a list`);
    expect(fetches).toBe(0);
  });

  test('the page size in a variable is what the estimate uses', async () => {
    const query = 'query Page($n: Int) { me { spending { lines(first: $n) { edges { node { id } } } } } }';
    const small = await send(query, { n: 10 }, CUSTOMER);
    expect(small.res.errors).toBeUndefined();
    const huge = await send(query, { n: 10_000 }, CUSTOMER);
    expect(huge.res.errors?.[0].extensions?.code).toBe('COST_ESTIMATED_TOO_EXPENSIVE');
    expect(huge.res.errors?.[0].message).toMatch(/^operation Page is estimated to cost \d+, over the customer budget of 10000/);
    expect(huge.fetches).toBe(0);
  });

  test('an analyst’s larger budget lets through what a customer’s and an anonymous caller’s refuse', async () => {
    const analyst = await send(CATALOG_PAGES, {}, as.analyst());
    expect(analyst.res.errors).toBeUndefined();
    expect(analyst.res.data.m0.edges).toEqual(expect.any(Array));
    expect(costOf(analyst.res)).toEqual({ estimated: 10 * 1201, budget: DEFAULT_COST_BUDGETS.analyst, mode: 'enforce' });
    for (const [who, holder] of [[CUSTOMER, 'customer'], [null, 'anonymous']] as const) {
      const { res, fetches } = await send(CATALOG_PAGES, {}, who);
      expect(res.errors?.[0].extensions?.code).toBe('COST_ESTIMATED_TOO_EXPENSIVE');
      expect(res.errors?.[0].message).toContain(`over the ${holder} budget of ${DEFAULT_COST_BUDGETS[holder]}`);
      expect(fetches).toBe(0);
    }
  });

  test('bombs are refused without reaching any subgraph: nested lists (cost), depth, aliases, fragments', async () => {
    let fragmentBomb = 'query Bomb { ...F27 } fragment F0 on Query { me { id } }';
    for (let i = 1; i <= 27; i++) fragmentBomb += ` fragment F${i} on Query { ...F${i - 1} ...F${i - 1} }`;
    let deep = 'id';
    for (let i = 0; i < 5; i++) deep = `orders(first: 1) { edges { node { buyer { ${deep} } } } }`;
    const cases: Array<[string, string, RegExp]> = [
      [NESTED_LISTS, 'COST_ESTIMATED_TOO_EXPENSIVE', /is estimated to cost \d+, over the analyst budget of 100000/],
      [`{ me { ${deep} } }`, 'GRAPHQL_VALIDATION_FAILED', /is 22 levels deep; the limit is 15/],
      [`{ me { ${Array.from({ length: 31 }, (_, i) => `a${i}: id`).join(' ')} } }`, 'GRAPHQL_VALIDATION_FAILED', /uses 31 aliases; the limit is 30/],
      [fragmentBomb, 'GRAPHQL_VALIDATION_FAILED', /selects 268435456 fields once its fragments are written out/],
    ];
    for (const [query, code, message] of cases) {
      // An analyst: the largest budget but one, so the cost bomb is not refused for a small budget alone.
      const { res, fetches } = await send(query, {}, as.analyst());
      expect(res.status).toBe(400);
      expect(res.errors?.[0].extensions?.code).toBe(code);
      expect(res.errors?.[0].message).toMatch(message);
      expect(fetches).toBe(0);
    }
  });

  test('root fields: one just under MAX_ROOT_FIELDS answers, one over it is refused naming the limit and the count', async () => {
    const roots = (n: number) => `query Roots { ${Array.from({ length: n }, (_, i) => `r${i}: me { id }`).join(' ')} }`;
    const under = await send(roots(DEFAULT_LIMITS.maxRootFields), {}, CUSTOMER);
    expect(under.res.errors).toBeUndefined();
    const over = await send(roots(DEFAULT_LIMITS.maxRootFields + 1), {}, CUSTOMER);
    expect(over.res.status).toBe(400);
    expect(over.res.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(over.res.errors?.[0].message).toBe(`operation Roots selects ${DEFAULT_LIMITS.maxRootFields + 1} root fields; the limit is ${DEFAULT_LIMITS.maxRootFields} (MAX_ROOT_FIELDS)`);
    expect(over.fetches).toBe(0);
  });

  test('directives: one at MAX_DIRECTIVES answers, one over it is refused naming the limit and the count', async () => {
    const directives = (n: number) => `query Directives($yes: Boolean = true) { me { ${Array.from({ length: n }, () => 'id @include(if: $yes)').join(' ')} } }`;
    const under = await send(directives(DEFAULT_LIMITS.maxDirectives), {}, CUSTOMER);
    expect(under.res.errors).toBeUndefined();
    expect(under.res.data.me.id).toBe('u-demand');
    const over = await send(directives(DEFAULT_LIMITS.maxDirectives + 1), {}, CUSTOMER);
    expect(over.res.status).toBe(400);
    expect(over.res.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(over.res.errors?.[0].message).toBe(`operation Directives uses ${DEFAULT_LIMITS.maxDirectives + 1} directives; the limit is ${DEFAULT_LIMITS.maxDirectives} (MAX_DIRECTIVES)`);
    expect(over.fetches).toBe(0);
  });

  test('a forged token is refused before anything is estimated; a wrongly typed page size is refused by coercion', async () => {
    const forged = await g.gqlRaw(HUGE_PAGE, {}, { authorization: 'Bearer a.b.c' });
    expect(forged.status).toBe(401);
    expect(forged.errors?.[0].extensions?.code).not.toBe('COST_ESTIMATED_TOO_EXPENSIVE');
    const typed = await send('query($n: Int) { me { spending { lines(first: $n) { edges { node { id } } } } } }', { n: 'ten thousand' }, CUSTOMER);
    expect(typed.res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(typed.fetches).toBe(0);
  });
});

describe('demand control, measuring (DEMAND_CONTROL=measure, in production)', () => {
  let g: TestGraph;
  beforeAll(async () => {
    const problems: string[] = [];
    const demandControl = readDemandControl({ DEMAND_CONTROL: 'measure' }, 'production', problems);
    expect(problems).toEqual([]);
    g = await startTestGraph({ gatewayConfig: { demandControl } });
  });
  afterAll(async () => g?.stop());

  test('an operation over the budget is answered, and the response says its cost and the budget', async () => {
    const res = await g.gql(CATALOG_PAGES, {}, CUSTOMER);
    expect(res.errors).toBeUndefined();
    expect(res.data.m9.edges).toEqual(expect.any(Array));
    expect(costOf(res)).toEqual({ estimated: 10 * 1201, budget: DEFAULT_COST_BUDGETS.customer, mode: 'measure' });
  });
});

describe('demand control settings from the environment', () => {
  test('DEMAND_CONTROL and COST_BUDGETS set the mode and the budgets; a role not named keeps its default', () => {
    const c = loadConfig({ DEMAND_CONTROL: 'measure', COST_BUDGETS: 'customer=8000, anonymous=500' });
    expect(c.demandControl).toEqual({ mode: 'measure', report: true, budgets: { ...DEFAULT_COST_BUDGETS, customer: 8000, anonymous: 500 } });
    expect(loadConfig({}).demandControl?.mode).toBe('enforce');
    // A production gateway enforcing tells a client its cost only when it refuses.
    expect(readDemandControl({}, 'production', [])).toEqual({ mode: 'enforce', report: false, budgets: DEFAULT_COST_BUDGETS });
    expect(readDemandControl({}, 'development', []).report).toBe(true);
  });

  test('malformed values stop start-up, each naming its variable and what it accepts', () => {
    let error: Error | undefined;
    try {
      loadConfig({ DEMAND_CONTROL: 'strict', COST_BUDGETS: 'customer=lots,robot=5,admin=0,partner', MAX_ROOT_FIELDS: '0', MAX_DIRECTIVES: 'many' });
    } catch (err) {
      error = err as Error;
    }
    expect(error).toBeInstanceOf(ConfigError);
    for (const fragment of [
      'DEMAND_CONTROL="strict" must be one of enforce, measure, off',
      'COST_BUDGETS="customer=lots,robot=5,admin=0,partner": "customer=lots" is not holder=budget',
      'COST_BUDGETS: "robot" is not a role or anonymous',
      'COST_BUDGETS: admin=0 must be a whole number from 1 to 1000000000',
      '"partner" is not holder=budget',
      'MAX_ROOT_FIELDS="0" must be a whole number from 1 to 1000',
      'MAX_DIRECTIVES="many" must be a whole number from 0 to 10000',
    ]) {
      expect(error!.message).toContain(fragment);
    }
  });
});
