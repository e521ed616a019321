/**
 * Aftermarket's part of the cost-of-ownership quote through the gateway, on a real database: the
 * published scheduled-service prices, each scheduled service in its month at its expected bill, and the
 * maintenance-enhanced package lowering exactly the services its plan covers by exactly what the
 * allowance rule settles.
 */
import { startOrdersGraph, type OrdersTestGraph } from '../../testing/orders';
import { ok } from '../../testing/assertions';
import { parseDecimalToFen } from '../../platform/money';

let t: OrdersTestGraph;

beforeAll(async () => {
  t = await startOrdersGraph();
});

afterAll(async () => {
  await t?.g.stop();
});

const TRIM = 'trim-ut-420';
const ENHANCED = 'pkg-maintenance-enhanced';
const QUOTE = `query($i: OwnershipQuoteInput!) {
  ownershipQuote(input: $i) { options { option costs { month category description amount { amount } } byCategory { category total { amount } } } }
}`;

interface Cost {
  month: number;
  description: string;
  fen: bigint;
}

/** Each option's MAINTENANCE costs, and its MAINTENANCE total, as the gateway answers the quote. */
async function maintenance(years: number, annualDistanceKm: number, packageIds: Array<string | null>): Promise<Array<{ costs: Cost[]; totalFen: bigint }>> {
  const options = packageIds.map((packageId) => ({ trimId: TRIM, packageId, financing: { kind: 'CASH' } }));
  const r = ok(await t.g.gql(QUOTE, { i: { years, annualDistanceKm, city: 'Guangzhou', options } }));
  return r.ownershipQuote.options.map((o: any) => ({
    costs: o.costs.filter((c: any) => c.category === 'MAINTENANCE').map((c: any) => ({ month: c.month, description: c.description, fen: parseDecimalToFen(c.amount.amount) })),
    totalFen: parseDecimalToFen(o.byCategory.find((c: any) => c.category === 'MAINTENANCE')?.total.amount ?? '0'),
  }));
}

async function publishedPrices() {
  return ok(await t.g.gql(`{ scheduledServicePrices { id name everyNthService expectedBill { amount currency } description } }`)).scheduledServicePrices;
}

test('the expected bill of a scheduled service is public: basic every service, major every second', async () => {
  expect(await publishedPrices()).toEqual([
    { id: 'ssp-basic', name: 'Basic service', everyNthService: 1, expectedBill: { amount: '460.00', currency: 'CNY' }, description: 'Inspection, cabin filter and wipers.' },
    { id: 'ssp-major', name: 'Major service', everyNthService: 2, expectedBill: { amount: '820.00', currency: 'CNY' }, description: 'The basic service plus brake fluid and coolant.' },
  ]);
});

test('without a maintenance plan, each scheduled service costs its expected bill in its month (every 12 months or 10,000 km)', async () => {
  const [yearly] = await maintenance(3, 8_000, [null]);
  expect(yearly.costs.map((c) => [c.month, c.fen])).toEqual([
    [13, 46_000n],
    [25, 82_000n],
  ]);
  const [byKm] = await maintenance(2, 20_000, [null]);
  expect(byKm.costs.map((c) => c.month)).toEqual([7, 13, 19]);
  expect(byKm.costs[1].description).toBe('Scheduled service 2 (major service), expected bill 820.00; no maintenance plan in the package, so the owner pays it');
});

test('the maintenance-enhanced package lowers exactly its first 6 services within 6 years, each by min(allowance, bill)', async () => {
  const pkg = ok(await t.g.gql(`{ packages { id maintenancePlan { services years allowancePerService { amount } } } }`)).packages.find((p: any) => p.id === ENHANCED);
  const plan = { services: pkg.maintenancePlan.services, years: pkg.maintenancePlan.years, allowanceFen: parseDecimalToFen(pkg.maintenancePlan.allowancePerService.amount) };
  expect(plan).toEqual({ services: 6, years: 6, allowanceFen: 80_000n });
  const min = (a: bigint, b: bigint) => (a < b ? a : b);

  // 20,000 km a year for 8 years: a service every 6 months, 15 of them; the plan covers services 1–6.
  // 10,000 km a year for 8 years: yearly, 7 of them; the plan's years end before service 6 (month 73).
  for (const [km, covered] of [
    [20_000, [1, 2, 3, 4, 5, 6]],
    [10_000, [1, 2, 3, 4, 5]],
  ] as const) {
    const [standard, enhanced] = await maintenance(8, km, [null, ENHANCED]);
    expect(enhanced.costs.map((c) => c.month)).toEqual(standard.costs.map((c) => c.month));
    const savedPerService = standard.costs.map((c, i) => c.fen - enhanced.costs[i].fen);
    const expected = standard.costs.map((c, i) => ((covered as readonly number[]).includes(i + 1) ? min(plan.allowanceFen, c.fen) : 0n));
    expect(savedPerService).toEqual(expected);
    expect(standard.totalFen - enhanced.totalFen).toBe(expected.reduce((s, f) => s + f, 0n));
    expect(enhanced.costs[1].description).toBe(
      'Scheduled service 2 (major service), expected bill 820.00; prepaid service 2 of 6: the package covers 800.00 (up to 800.00), the owner pays 20.00',
    );
  }
});
