/** The quote's arithmetic on its own: totals at every level from the same sums, and the break-even month. */
import type { QuoteCostItem, QuoteSpec } from '../kit/ownership-quote';
import { breakEven, summariseOption, summariseQuote } from './totals';

const spec = (years: number, options: number): QuoteSpec => ({
  v: 1,
  years,
  annualDistanceKm: 10_000,
  city: 'Guangzhou',
  options: Array.from({ length: options }, (_, i) => ({ label: `Option ${i + 1}`, trimId: 't', colourId: null, packageId: null, accessoryIds: [], batteryPlanId: null, financing: { kind: 'CASH' as const } })),
});
const item = (option: number, month: number, category: string, amountFen: bigint, description = `${category} ${month}`): QuoteCostItem => ({ option, month, category, description, amountFen });
const fen = (m: { amount: bigint }) => m.amount;

describe('summariseOption', () => {
  const items = [
    item(1, 1, 'PURCHASE', 8_680_000n),
    item(1, 1, 'INSURANCE', 95_000n),
    item(1, 1, 'INSURANCE', 568_001n),
    item(1, 3, 'ENERGY', 33_333n),
    item(1, 13, 'INSURANCE', 663_001n),
    item(2, 1, 'PURCHASE', 1n), // another option's: never counted in option 1
  ];
  const order = ['PURCHASE', 'INSTALMENT', 'INSURANCE', 'ENERGY'];
  const o = summariseOption(spec(2, 2), 1, items, order);

  test('every month of the quote is there in order, zero where nothing is paid', () => {
    expect(o.months.map((m) => m.month)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    expect(fen(o.months[1].total)).toBe(0n);
    expect(o.months[1].byCategory).toEqual([]);
  });

  test('the total is the sum of the categories, of the months and of the lines; the last cumulative is the total', () => {
    const total = 8_680_000n + 95_000n + 568_001n + 33_333n + 663_001n;
    expect(fen(o.total)).toBe(total);
    expect(o.byCategory.reduce((s, c) => s + fen(c.total), 0n)).toBe(total);
    expect(o.months.reduce((s, m) => s + fen(m.total), 0n)).toBe(total);
    expect(o.costs.reduce((s, c) => s + fen(c.amount), 0n)).toBe(total);
    expect(fen(o.months.at(-1)!.cumulative)).toBe(total);
    let running = 0n;
    for (const m of o.months) {
      expect(m.byCategory.reduce((s, c) => s + fen(c.total), 0n)).toBe(fen(m.total));
      running += fen(m.total);
      expect(fen(m.cumulative)).toBe(running);
    }
  });

  test('categories come in the merged enum order, lines by month then category', () => {
    expect(o.byCategory.map((c) => c.category)).toEqual(['PURCHASE', 'INSURANCE', 'ENERGY']);
    expect(o.costs.map((c) => `${c.month}:${c.category}`)).toEqual(['1:PURCHASE', '1:INSURANCE', '1:INSURANCE', '3:ENERGY', '13:INSURANCE']);
  });

  test('a cost outside the quote months is a bug, said, never dropped', () => {
    expect(() => summariseOption(spec(1, 1), 1, [item(1, 13, 'ENERGY', 1n)], order)).toThrow(/month 13, outside 1..12/);
  });
});

describe('breakEven', () => {
  test('the option cheaper at the end, and the first month from which it stays at or below the other through the end', () => {
    // Cheaper to buy, dearer per month: the other (dearer to buy) breaks even in month 2 (equal) and stays below.
    expect(breakEven([10n, 20n, 30n, 40n], [15n, 20n, 25n, 30n])).toEqual({ cheaper: 'b', month: 2 });
    // Dearer to buy, cheaper per month: at or below from month 3 on.
    expect(breakEven([20n, 25n, 30n, 35n], [15n, 22n, 30n, 38n])).toEqual({ cheaper: 'a', month: 3 });
    // Below, then above, then below again: the month it last goes at or below.
    expect(breakEven([1n, 9n, 3n, 4n], [2n, 3n, 4n, 5n])).toEqual({ cheaper: 'a', month: 3 });
    // Cheaper from the first month: nothing breaks even.
    expect(breakEven([1n, 2n, 3n], [2n, 3n, 4n])).toEqual({ cheaper: 'a', month: null });
    // Equal at the end: neither is cheaper.
    expect(breakEven([1n, 2n], [1n, 2n])).toEqual({ cheaper: null, month: null });
    expect(breakEven([3n, 4n], [1n, 4n])).toEqual({ cheaper: null, month: null });
  });
});

describe('summariseQuote', () => {
  test('each option after the first is compared with option 1: difference and break-even', () => {
    const items = [item(1, 1, 'PURCHASE', 100_00n), item(2, 1, 'PURCHASE', 60_00n), ...Array.from({ length: 12 }, (_, i) => item(2, i + 1, 'ENERGY', 5_00n))];
    const q = summariseQuote(spec(1, 2), items, ['PURCHASE', 'ENERGY']);
    expect(q.options.map((o) => o.label)).toEqual(['Option 1', 'Option 2']);
    // Option 2 is cheaper to buy and dearer per month: both have cost 100.00 by month 8, option 1 less from then on.
    expect(q.comparisons).toEqual([{ option: 2, against: 1, difference: { amount: 20_00n, currency: 'CNY' }, cheaperOption: 1, breakEvenMonth: 8 }]);
    const cheaper = summariseQuote(spec(1, 2), [item(1, 1, 'PURCHASE', 100_00n), item(2, 1, 'PURCHASE', 60_00n), item(2, 9, 'ENERGY', 39_00n)], ['PURCHASE', 'ENERGY']);
    expect(cheaper.comparisons[0]).toMatchObject({ difference: { amount: -1_00n }, cheaperOption: 2, breakEvenMonth: null });
  });
});
