/**
 * The cost-of-ownership quote through the gateway (HTTP, real PostgreSQL): catalog's `ownershipQuote`,
 * the pricing subgraphs' contributions and the quote subgraph's merge. Public: asked with no token unless
 * a test says otherwise.
 */
import { createServer, type AddressInfo } from 'node:net';
import { as, startGatewayOver } from '../../testing/harness';
import { codeOf, fen, fieldOf, messageOf, ok } from '../../testing/assertions';
import { freshUser } from '../../testing/fresh-ids';
import { PAY_DEPOSIT, PLACE_ORDER, placeOrder, startOrdersGraph, type OrdersTestGraph } from '../../testing/orders';
import { COST_BUDGETS, startCachingGateway, startCostReportingGateway, type TestGateway } from '../../testing/gateway-variants';
import { formatFen } from '../../platform/money';

/** What an app's comparison screen asks: 2 options over 8 years, every month with its categories, every line. */
export const QUOTE_QUERY = `query Quote($input: OwnershipQuoteInput!) {
  ownershipQuote(input: $input) {
    spec years months annualDistanceKm city
    configurations { trimId total { amount } }
    options {
      option label total { amount }
      byCategory { category total { amount } }
      months { month total { amount } cumulative { amount } byCategory { category total { amount } } }
      costs { month category description amount { amount } }
    }
    comparisons { option against difference { amount } cheaperOption breakEvenMonth }
  }
}`;

const OPEN_LOAN = `mutation O($input: OpenLoanInput!) { openLoan(input: $input) { id schedule { sequence amount { amount } principalPart { amount } interestPart { amount } } } }`;

const OWNED_CASH = { label: 'Owned battery, cash', trimId: 'trim-ut-swap-420', financing: { kind: 'CASH' } };
const RENTAL_LOAN = { label: 'Battery rental, loan', trimId: 'trim-ut-swap-420-rental', colourId: 'colour-lake-blue', financing: { kind: 'LOAN', downPayment: '20000.00', termMonths: 36, annualRateBps: 399 } };
const input = (patch: Record<string, unknown> = {}) => ({ years: 8, annualDistanceKm: 15_000, city: 'Guangzhou', options: [OWNED_CASH, RENTAL_LOAN], ...patch });

let t: OrdersTestGraph;
beforeAll(async () => {
  t = await startOrdersGraph();
});
afterAll(async () => {
  await t?.g.stop();
});

const sum = (xs: Array<{ amount: string } | { total: { amount: string } }>) => xs.reduce((s, x) => s + fen('total' in x ? x.total : x), 0n);

describe('a two-option quote (owned battery for cash vs battery rental on a loan)', () => {
  let q: any;
  beforeAll(async () => {
    q = ok(await t.g.gql(QUOTE_QUERY, { input: input() }, null)).ownershipQuote;
  });

  test('describes what was asked: 8 years are 96 months, labels as given, the cars as `quote` prices them', async () => {
    expect(q).toMatchObject({ years: 8, months: 96, annualDistanceKm: 15_000, city: 'Guangzhou' });
    expect(q.options.map((o: any) => [o.option, o.label])).toEqual([[1, 'Owned battery, cash'], [2, 'Battery rental, loan']]);
    const priced = ok(await t.g.gql(`{ a: quote(trimId: "trim-ut-swap-420") { total { amount } } b: quote(trimId: "trim-ut-swap-420-rental", colourId: "colour-lake-blue") { total { amount } } }`, {}, null));
    expect(q.configurations.map((c: any) => c.total.amount)).toEqual([priced.a.total.amount, priced.b.total.amount]);
  });

  test('every total equals the sum of its parts to the fen: lines, months, categories, running cumulative, last cumulative', () => {
    for (const o of q.options) {
      expect(o.months.map((m: any) => m.month)).toEqual(Array.from({ length: 96 }, (_, i) => i + 1));
      const total = fen(o.total);
      expect(sum(o.costs.map((c: any) => c.amount))).toBe(total);
      expect(sum(o.byCategory)).toBe(total);
      expect(sum(o.months)).toBe(total);
      let running = 0n;
      for (const m of o.months) {
        expect(sum(m.byCategory)).toBe(fen(m.total));
        expect(sum(o.costs.filter((c: any) => c.month === m.month).map((c: any) => c.amount))).toBe(fen(m.total));
        running += fen(m.total);
        expect(fen(m.cumulative)).toBe(running);
      }
      expect(fen(o.months[95].cumulative)).toBe(total);
      for (const c of o.byCategory) expect(sum(o.costs.filter((l: any) => l.category === c.category).map((l: any) => l.amount))).toBe(fen(c.total));
    }
  });

  test("finance's part: cash pays the price in month 1; the loan pays its down payment then, and its principal parts add up to the rest", () => {
    const [cash, loan] = q.options;
    const price = (i: number) => fen(q.configurations[i].total);
    expect(cash.costs.filter((c: any) => c.category === 'PURCHASE')).toEqual([{ month: 1, category: 'PURCHASE', description: 'Purchase price', amount: { amount: formatFen(price(0)) } }]);
    expect(loan.costs.filter((c: any) => c.category === 'PURCHASE')).toEqual([{ month: 1, category: 'PURCHASE', description: 'Down payment', amount: { amount: '20000.00' } }]);
    const instalments = loan.costs.filter((c: any) => c.category === 'INSTALMENT');
    expect(instalments.map((c: any) => c.month)).toEqual(Array.from({ length: 36 }, (_, i) => i + 2));
    const principal = instalments.reduce((s: bigint, c: any) => s + fen(/principal (\d+\.\d\d)/.exec(c.description)![1]), 0n);
    expect(principal).toBe(price(1) - 2_000_000n);
    const insurance = cash.costs.filter((c: any) => c.category === 'INSURANCE');
    expect(insurance.map((c: any) => c.month)).toEqual([1, 1, 13, 13, 25, 25, 37, 37, 49, 49, 61, 61, 73, 73, 85, 85]);
  });

  test('the comparison is option 2 against option 1: the difference of the totals and the break-even month of the cumulative costs', () => {
    const [a, b] = q.options;
    const cumA = a.months.map((m: any) => fen(m.cumulative));
    const cumB = b.months.map((m: any) => fen(m.cumulative));
    // Computed here the plain way: the option cheaper at the end, and the last month it was not at or below the other.
    const [low, high] = cumB[95] < cumA[95] ? [cumB, cumA] : [cumA, cumB];
    let lastAbove = -1;
    for (let i = 0; i < 96; i++) if (low[i] > high[i]) lastAbove = i;
    const breakEven = lastAbove < 0 ? null : lastAbove + 2;
    expect(cumA[95]).not.toBe(cumB[95]);
    expect(q.comparisons).toEqual([{ option: 2, against: 1, difference: { amount: formatFen(fen(b.total) - fen(a.total)) }, cheaperOption: cumB[95] < cumA[95] ? 2 : 1, breakEvenMonth: breakEven }]);
  });

  test('the same quote with a customer token is the same answer', async () => {
    const mine = ok(await t.g.gql(QUOTE_QUERY, { input: input() }, as.customer(freshUser('quote'))));
    expect(mine.ownershipQuote).toEqual(q);
  });
});

test("the quote's instalments are the schedule openLoan creates for the same terms, in order", async () => {
  const user = freshUser('quote-loan');
  const years = 4;
  const option = { trimId: 'trim-ut-420', packageId: 'pkg-maintenance-enhanced', financing: { kind: 'LOAN', downPayment: '29800.00', termMonths: 36, annualRateBps: 399 } };
  const q = ok(await t.g.gql(QUOTE_QUERY, { input: input({ years, options: [option] }) }, null)).ownershipQuote;
  const priceFen = fen(q.configurations[0].total);
  const order = await placeOrder(t.g, user, { trimId: 'trim-ut-420', packageId: 'pkg-maintenance-enhanced', financedAmount: formatFen(priceFen - 2_980_000n) });
  expect(fen(order.totalPrice)).toBe(priceFen);
  ok(await t.g.gql(PAY_DEPOSIT, { id: order.id, amount: order.deposit.amount }, as.customer(user)));
  const loan = ok(await t.g.gql(OPEN_LOAN, { input: { orderId: order.id, kind: 'LOAN', termMonths: 36, annualRateBps: 399 } }, as.customer(user))).openLoan;
  const quoted = q.options[0].costs.filter((c: any) => c.category === 'INSTALMENT');
  expect(quoted.map((c: any) => c.amount.amount)).toEqual(loan.schedule.map((i: any) => i.amount.amount));
  expect(quoted.map((c: any) => c.description)).toEqual(loan.schedule.map((i: any) => `Loan instalment ${i.sequence}/36: principal ${i.principalPart.amount}, interest ${i.interestPart.amount}`));
  expect(quoted.map((c: any) => c.month)).toEqual(loan.schedule.map((i: any) => i.sequence + 1));
});

describe('refusals name the field', () => {
  const option = (patch: Record<string, unknown>) => ({ ...OWNED_CASH, ...patch });
  const loan = (patch: Record<string, unknown>) => option({ financing: { kind: 'LOAN', downPayment: '10000.00', termMonths: 36, annualRateBps: 399, ...patch } });
  test.each([
    ['an unknown trim', input({ options: [option({ trimId: 'trim-nope' })] }), 'NOT_FOUND', 'input.options[0].trimId'],
    ['a trim no longer available', input({ options: [OWNED_CASH, option({ trimId: 'trim-nammi-430-launch' })] }), 'BAD_USER_INPUT', 'input.options[1].trimId'],
    ['a package not offered for the trim', input({ options: [OWNED_CASH, option({ trimId: 'trim-nammi-330', packageId: 'pkg-accessory-assembly' })] }), 'BAD_USER_INPUT', 'input.options[1].packageId'],
    ['an unknown colour', input({ options: [option({ colourId: 'colour-nope' })] }), 'NOT_FOUND', 'input.options[0].colourId'],
    ['an unknown accessory', input({ options: [option({ accessoryIds: ['acc-nope'] })] }), 'NOT_FOUND', 'input.options[0].accessoryIds'],
    ['a negative distance', input({ annualDistanceKm: -1 }), 'BAD_USER_INPUT', 'input.annualDistanceKm'],
    ['a distance over 200,000 km', input({ annualDistanceKm: 200_001 }), 'BAD_USER_INPUT', 'input.annualDistanceKm'],
    ['0 years', input({ years: 0 }), 'BAD_USER_INPUT', 'input.years'],
    ['9 years', input({ years: 9 }), 'BAD_USER_INPUT', 'input.years'],
    ['no option', input({ options: [] }), 'BAD_USER_INPUT', 'input.options'],
    ['5 options', input({ options: [OWNED_CASH, OWNED_CASH, OWNED_CASH, OWNED_CASH, OWNED_CASH] }), 'BAD_USER_INPUT', 'input.options'],
    ['an empty city', input({ city: '  ' }), 'BAD_USER_INPUT', 'input.city'],
    ['a label over 40 characters', input({ options: [option({ label: 'x'.repeat(41) })] }), 'BAD_USER_INPUT', 'input.options[0].label'],
    ['a battery plan for a trim that owns its battery', input({ options: [option({ batteryPlanId: 'plan-x' })] }), 'BAD_USER_INPUT', 'input.options[0].batteryPlanId'],
    ['CASH with a term', input({ options: [option({ financing: { kind: 'CASH', termMonths: 36 } })] }), 'BAD_USER_INPUT', 'input.options[0].financing.termMonths'],
    ['a LOAN without a rate', input({ options: [loan({ annualRateBps: null })] }), 'BAD_USER_INPUT', 'input.options[0].financing.annualRateBps'],
    ['a negative down payment', input({ options: [loan({ downPayment: '-1.00' })] }), 'BAD_USER_INPUT', 'input.options[0].financing.downPayment'],
    ['a term outside the offered range', input({ options: [OWNED_CASH, loan({ termMonths: 72 })] }), 'BAD_USER_INPUT', 'input.options[1].financing.termMonths'],
    ['a rate out of range', input({ options: [loan({ annualRateBps: 3601 })] }), 'BAD_USER_INPUT', 'input.options[0].financing.annualRateBps'],
    ['a down payment of the whole price', input({ options: [loan({ downPayment: '86800.00' })] }), 'BAD_USER_INPUT', 'input.options[0].financing.downPayment'],
  ])('%s', async (_what, given, code, field) => {
    const r = await t.g.gql(QUOTE_QUERY, { input: given }, null);
    expect({ code: codeOf(r), field: fieldOf(r) }).toEqual({ code, field });
    expect(messageOf(r).length).toBeGreaterThan(10);
    expect(r.data?.ownershipQuote ?? null).toBeNull();
  });
});

describe('packages are offered per trim', () => {
  test('Trim.packages lists what a trim is offered with, and `quote` (which orders prices with) refuses any other package', async () => {
    const d = ok(await t.g.gql(`{ ut: trim(id: "trim-ut-420") { packages { id } } nammi: trim(id: "trim-nammi-330") { packages { id } } }`, {}, null));
    expect(d.ut.packages.map((p: any) => p.id)).toEqual(['pkg-standard', 'pkg-custom-car-cover', 'pkg-accessory-assembly', 'pkg-maintenance-enhanced']);
    expect(d.nammi.packages.map((p: any) => p.id)).toEqual(['pkg-standard', 'pkg-custom-car-cover', 'pkg-maintenance-enhanced']);
    const r = await t.g.gql(`{ quote(trimId: "trim-nammi-330", packageId: "pkg-accessory-assembly") { total { amount } } }`, {}, null);
    expect({ code: codeOf(r), field: fieldOf(r) }).toEqual({ code: 'BAD_USER_INPUT', field: 'packageId' });
    expect(messageOf(r)).toMatch(/not offered with trim "trim-nammi-330".*Trim\.packages/);
    ok(await t.g.gql(`{ quote(trimId: "trim-nammi-330", packageId: "pkg-maintenance-enhanced") { total { amount } } }`, {}, null));
    // An order and a quote agree: orders prices with `quote`, so it refuses the same pair.
    const order = await t.g.gql(PLACE_ORDER, { input: { trimId: 'trim-nammi-330', packageId: 'pkg-accessory-assembly', idempotencyKey: `quote-pkg-${freshUser('k')}` } }, as.customer(freshUser('quote-pkg')));
    expect(codeOf(order)).toBe('BAD_USER_INPUT');
    expect(messageOf(order)).toMatch(/not offered with trim "trim-nammi-330"/);
  });
});

describe('a key is recomputed, never trusted', () => {
  const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on OwnershipQuote { years facts } } }`;
  async function direct(subgraph: string, query: string, representations: unknown[]) {
    const body = JSON.stringify({ query, variables: { r: representations } });
    const res = await fetch(t.g.subgraphUrl(subgraph), { method: 'POST', headers: await t.g.subgraphHeaders(subgraph, null, body), body });
    return (await res.json()) as { data?: any; errors?: any[] };
  }
  let spec: string;
  beforeAll(async () => {
    spec = ok(await t.g.gql(`query($i: OwnershipQuoteInput!) { ownershipQuote(input: $i) { spec } }`, { i: input() }, null)).ownershipQuote.spec;
  });

  test("catalog answers its own key, and refuses a forged one: text it never wrote, or a configuration today's catalog refuses", async () => {
    const good = await direct('catalog', ENTITIES, [{ __typename: 'OwnershipQuote', spec }]);
    expect(good.errors).toBeUndefined();
    expect(JSON.parse(good.data._entities[0].facts).map((f: any) => f.trimId)).toEqual(['trim-ut-swap-420', 'trim-ut-swap-420-rental']);

    // The same quote written otherwise (a space): never a second cache key.
    const reordered = spec.replace('{"v":1,', '{"v": 1,');
    const notCanonical = await direct('catalog', ENTITIES, [{ __typename: 'OwnershipQuote', spec: reordered }]);
    expect(notCanonical.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'spec' });
    const tooLong = await direct('catalog', ENTITIES, [{ __typename: 'OwnershipQuote', spec: spec.replace('"years":8', '"years":80') }]);
    expect(tooLong.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'spec' });
    const discontinued = await direct('catalog', ENTITIES, [{ __typename: 'OwnershipQuote', spec: spec.replace('"trim-ut-swap-420"', '"trim-nammi-430-launch"') }]);
    expect(discontinued.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.options[0].trimId' });
    expect(discontinued.data?._entities?.[0] ?? null).toBeNull();
  });

  test('a contributor refuses a forged key too, before pricing anything', async () => {
    const r = await direct('finance', `query($r: [_Any!]!) { _entities(representations: $r) { ... on OwnershipQuote { spec } } }`, [{ __typename: 'OwnershipQuote', spec: '{"v":1}' }]);
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'spec' });
  });
});

test("the app's comparison query (2 options, 8 years, months by category, every line) fits the anonymous cost budget", async () => {
  const gw = await startCostReportingGateway(t.g);
  try {
    await costChecks(gw);
  } finally {
    await gw.stop();
  }
});

async function costChecks(gw: TestGateway) {
  const r = (await gw.gql(QUOTE_QUERY, { input: input() }, null)) as { errors?: unknown[]; extensions?: { cost?: { estimated: number; budget: number } } };
  expect(r.errors).toBeUndefined();
  expect(r.extensions?.cost?.budget).toBe(COST_BUDGETS.anonymous);
  expect(r.extensions!.cost!.estimated).toBeLessThanOrEqual(COST_BUDGETS.anonymous);
  // Bounded: asking the quote many times over in one operation is refused.
  const aliased = `query($input: OwnershipQuoteInput!) { ${Array.from({ length: 3 }, (_, i) => `q${i}: ownershipQuote(input: $input) { options { months { month total { amount } } costs { description } } }`).join(' ')} }`;
  const refused = await gw.gql(aliased, { input: input() }, null);
  expect(codeOf(refused)).toBe('COST_ESTIMATED_TOO_EXPENSIVE');
  // A customer's budget holds it too.
  const mine = (await gw.gql(QUOTE_QUERY, { input: input() }, as.customer(freshUser('quote-cost')))) as typeof r;
  expect(mine.errors).toBeUndefined();
  expect(mine.extensions!.cost!.estimated).toBeLessThanOrEqual(COST_BUDGETS.customer);
}

test('a pricing subgraph that does not answer fails the quote with SUBGRAPH_UNAVAILABLE, never a total without its part', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const gw = await startGatewayOver(t.g, { subgraphUrls: { finance: `http://127.0.0.1:${port}/graphql` } });
  try {
    const r = await gw.gql(QUOTE_QUERY, { input: input() }, null);
    expect(r.data?.ownershipQuote ?? null).toBeNull();
    expect(r.errors?.map((e: any) => e.extensions?.code)).toContain('SUBGRAPH_UNAVAILABLE');
    expect(JSON.stringify(r)).not.toMatch(/"total"/);
  } finally {
    await gw.stop();
  }
});

describe('cacheable', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startCachingGateway(t.g);
  });
  afterAll(async () => {
    await gw?.stop();
  });

  test('the gateway says a quote may be cached publicly for 5 minutes, and answers it again from its cache', async () => {
    const post = () => fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: QUOTE_QUERY, variables: { input: input({ years: 3 }) } }) });
    const first = await post();
    expect(((await first.json()) as { errors?: unknown }).errors).toBeUndefined();
    // Public, for the quote types' 300 s (less a second when a part came from the gateway's cache already).
    const maxAge = /^max-age=(\d+), public$/.exec(first.headers.get('cache-control') ?? '');
    expect(maxAge && Number(maxAge[1])).toBeGreaterThanOrEqual(290);
    expect(Number(maxAge![1])).toBeLessThanOrEqual(300);
    const again = await post();
    expect(again.headers.get('x-cache')).toBe('HIT');
    expect(again.headers.get('cache-control')).toMatch(/^max-age=\d+, public$/);
  });
});
