/** Finance's pricing of a quote on its own: payments, openLoan's schedule placed in months, settlement on sale, insurance. */
import { refusalOf } from '../../testing/assertions';
import { formatFen } from '../../platform/money';
import type { QuoteFinancingSpec, QuoteSpec, QuoteVehicleFacts } from '../kit/ownership-quote';
import type { InsuranceProductRow } from './data/insurance';
import { cheapestProduct, financeQuoteCosts } from './ownership-quote';
import { buildSchedule } from './schedule';

const PRODUCTS: InsuranceProductRow[] = [
  { id: 'insp-b-compulsory', insurerOrg: 'b', insurerName: 'B', kind: 'COMPULSORY', name: 'Compulsory B', annualPremiumFen: 95_000n },
  { id: 'insp-a-compulsory', insurerOrg: 'a', insurerName: 'A', kind: 'COMPULSORY', name: 'Compulsory A', annualPremiumFen: 95_000n },
  { id: 'insp-a-commercial', insurerOrg: 'a', insurerName: 'A', kind: 'COMMERCIAL', name: 'Commercial A', annualPremiumFen: 568_000n },
  { id: 'insp-c-commercial', insurerOrg: 'c', insurerName: 'C', kind: 'COMMERCIAL', name: 'Commercial C', annualPremiumFen: 540_000n },
];
const PRICE = 8_680_000n;

function quote(years: number, financing: QuoteFinancingSpec): { spec: QuoteSpec; facts: QuoteVehicleFacts[] } {
  return {
    spec: { v: 1, years, annualDistanceKm: 10_000, city: 'Guangzhou', options: [{ label: 'Option 1', trimId: 'trim-ut-420', colourId: null, packageId: null, accessoryIds: [], batteryPlanId: null, financing }] },
    facts: [{ option: 1, totalPriceFen: PRICE.toString(), modelId: 'm', trimId: 'trim-ut-420', batteryOption: 'OWNED', swapCapable: false, rangeKm: 420, batteryKwh: '44.12', maintenancePlan: null }],
  };
}
const costs = (years: number, financing: QuoteFinancingSpec) => {
  const q = quote(years, financing);
  return financeQuoteCosts(q.spec, q.facts, PRODUCTS);
};
const loan = (termMonths: number, downPaymentFen = '2000000', annualRateBps = 399): QuoteFinancingSpec => ({ kind: 'LOAN', downPaymentFen, termMonths, annualRateBps });

test('cash: the whole price in month 1', () => {
  expect(costs(1, { kind: 'CASH' }).filter((c) => c.category !== 'INSURANCE')).toEqual([{ option: 1, month: 1, category: 'PURCHASE', description: 'Purchase price', amountFen: PRICE }]);
});

test("a loan: the down payment in month 1, then buildSchedule's instalments in months 2..term+1, principal parts adding up to what was financed", () => {
  const c = costs(4, loan(36)).filter((x) => x.category !== 'INSURANCE');
  expect(c[0]).toMatchObject({ month: 1, category: 'PURCHASE', amountFen: 2_000_000n });
  const schedule = buildSchedule({ principalFen: PRICE - 2_000_000n, annualRateBps: 399, termMonths: 36, openedAt: new Date() });
  const inst = c.filter((x) => x.category === 'INSTALMENT');
  expect(inst.map((x) => x.month)).toEqual(schedule.map((s) => s.sequence + 1));
  expect(inst.map((x) => x.amountFen)).toEqual(schedule.map((s) => s.amountFen));
  expect(inst[2].description).toBe(`Loan instalment 3/36: principal ${formatFen(schedule[2].principalFen)}, interest ${formatFen(schedule[2].interestFen)}`);
});

test('a loan longer than the quote: instalments after the last month become one line settling the outstanding principal in it', () => {
  const c = costs(2, loan(60)).filter((x) => x.category === 'INSTALMENT');
  const principal = PRICE - 2_000_000n;
  const schedule = buildSchedule({ principalFen: principal, annualRateBps: 399, termMonths: 60, openedAt: new Date() });
  // Instalments 1..23 in months 2..24, then the settlement in month 24.
  expect(c).toHaveLength(24);
  expect(c.slice(0, 23).map((x) => x.amountFen)).toEqual(schedule.slice(0, 23).map((s) => s.amountFen));
  const settle = c[23];
  expect(settle).toMatchObject({ month: 24, category: 'INSTALMENT' });
  expect(settle.description).toMatch(/settled when the car is sold.*37 instalments after month 24/);
  expect(settle.amountFen).toBe(schedule.slice(23).reduce((s, x) => s + x.principalFen, 0n));
  expect(schedule.slice(0, 23).reduce((s, x) => s + x.principalFen, 0n) + settle.amountFen).toBe(principal);
});

test('a lease is priced as a loan, named a lease; no down payment line when it is 0', () => {
  const c = costs(1, { kind: 'LEASE', downPaymentFen: '0', termMonths: 12, annualRateBps: 0 }).filter((x) => x.category !== 'INSURANCE');
  expect(c.some((x) => x.category === 'PURCHASE')).toBe(false);
  // Instalments 1..11 in months 2..12, instalment 12 (month 13) settled in month 12.
  expect(c.map((x) => x.month)).toEqual([...Array.from({ length: 11 }, (_, i) => i + 2), 12]);
  expect(c[0].description).toMatch(/^Lease instalment 1\/12/);
  expect(c.reduce((s, x) => s + x.amountFen, 0n)).toBe(PRICE);
});

test('insurance: a year of the cheapest compulsory and commercial cover (premium, then id) in months 1, 13, 25', () => {
  expect(cheapestProduct(PRODUCTS, 'COMPULSORY')?.id).toBe('insp-a-compulsory');
  expect(cheapestProduct(PRODUCTS, 'COMMERCIAL')?.id).toBe('insp-c-commercial');
  const ins = costs(3, { kind: 'CASH' }).filter((c) => c.category === 'INSURANCE');
  expect(ins.map((c) => [c.month, c.amountFen])).toEqual([[1, 95_000n], [1, 540_000n], [13, 95_000n], [13, 540_000n], [25, 95_000n], [25, 540_000n]]);
  expect(ins[2].description).toBe('Compulsory A (A), year 2');
});

test.each([
  ['a term not offered', loan(18), 'input.options[0].financing.termMonths'],
  ['a rate above 36%', loan(36, '2000000', 3601), 'input.options[0].financing.annualRateBps'],
  ['a negative rate', loan(36, '2000000', -1), 'input.options[0].financing.annualRateBps'],
  ['a down payment of the whole price', loan(36, PRICE.toString()), 'input.options[0].financing.downPayment'],
])('%s is refused naming the field', (_what, financing, field) => {
  expect(refusalOf(() => costs(3, financing))).toMatchObject({ code: 'BAD_USER_INPUT', field });
});
