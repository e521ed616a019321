/** Energy's quote arithmetic: swaps a month, a month's swaps at the plan's prices, the cheapest plan, charging to the fen. */
import { STANDARD_SWAP_FEE_FEN } from './fees';
import { cheapestPlan, priceEnergyOption, priceMonthOfCharging, priceMonthOfSwaps, swapsPerMonth, type EnergyQuoteCar, type QuotePlan } from './quote-pricing';

/** The plans migration 001 ships. */
const LITE: QuotePlan = { id: 'bplan-lite', name: 'Swap Lite', monthlyFeeFen: 39_900n, includedSwapsPerMonth: 4, perSwapFeeFen: 6_900n };
const STANDARD: QuotePlan = { id: 'bplan-standard', name: 'Swap Standard', monthlyFeeFen: 49_900n, includedSwapsPerMonth: 8, perSwapFeeFen: 5_900n };
const PLUS: QuotePlan = { id: 'bplan-plus', name: 'Swap Plus', monthlyFeeFen: 79_900n, includedSwapsPerMonth: 20, perSwapFeeFen: 4_900n };
const PLANS = [LITE, STANDARD, PLUS];
const GUANGZHOU = { city: 'Guangzhou', chargingFenPerKwh: 145n };

describe('swapsPerMonth: ceil(monthly distance / 80 % of the range)', () => {
  test('rounds a part of a swap up to a whole swap', () => {
    // 15,000 km a year = 1,250 km a month; 80 % of 420 km = 336 km a swap; 3.72 swaps → 4.
    expect(swapsPerMonth(15_000, 420)).toBe(4);
  });
  test('a distance of exactly n swaps is n swaps, one km more is n + 1 (exact, no float)', () => {
    expect(swapsPerMonth(12 * 336, 420)).toBe(1);
    expect(swapsPerMonth(12 * 336 + 1, 420)).toBe(2);
    expect(swapsPerMonth(12 * 336 * 7, 420)).toBe(7);
  });
  test('a car that is not driven does not swap', () => {
    expect(swapsPerMonth(0, 420)).toBe(0);
  });
  test('refuses a range that is not a positive whole number', () => {
    expect(() => swapsPerMonth(10_000, 0)).toThrow(/range/);
  });
});

describe('priceMonthOfSwaps: each swap as recordSwap prices it that month', () => {
  test("the plan's included swaps are free, each further one costs its per-swap fee", () => {
    expect(priceMonthOfSwaps(LITE, 6)).toEqual({ swaps: 6, included: 4, feeFen: 2n * 6_900n });
    expect(priceMonthOfSwaps(LITE, 4)).toEqual({ swaps: 4, included: 4, feeFen: 0n });
  });
  test('without a plan every swap costs the standard fee', () => {
    expect(priceMonthOfSwaps(null, 3)).toEqual({ swaps: 3, included: 0, feeFen: 3n * STANDARD_SWAP_FEE_FEN });
  });
});

describe('cheapestPlan: the lowest monthly fee plus swap fees, ties by id', () => {
  test.each([
    [0, LITE],
    [5, LITE], // 399.00 + 69.00 = 468.00 < 499.00
    [6, STANDARD], // 399.00 + 138.00 = 537.00 > 499.00
    [25, PLUS], // 799.00 + 5 × 49.00 = 1044.00 < Standard's 499.00 + 17 × 59.00 = 1502.00
  ])('%i swaps a month: %o', (swaps, plan) => {
    expect(cheapestPlan(PLANS, swaps).id).toBe(plan.id);
  });
  test('between plans costing the same, the lowest id wins whatever the order given', () => {
    const twin = { ...STANDARD, id: 'bplan-a-twin', name: 'Twin' };
    expect(cheapestPlan([STANDARD, twin], 8).id).toBe('bplan-a-twin');
    expect(cheapestPlan([twin, STANDARD], 8).id).toBe('bplan-a-twin');
  });
});

describe('priceMonthOfCharging: distance × kWh / range at the city price, rounded half-up once a month', () => {
  test('prices a month exactly: 1,000 km at 44.12 kWh per 420 km at 1.45 per kWh', () => {
    // 1000 × 44.12 / 420 = 105.047… kWh; × 145 fen = 15,231.90… fen → 152.32.
    expect(priceMonthOfCharging(12_000, 420, '44.12', 145n)).toEqual({ centiKwh: 10_505n, feeFen: 15_232n });
  });
  test('rounds a half fen up and less than a half down, once for the month', () => {
    // 1 km a month at 0.01 kWh per km: 0.01 kWh a month; at 0.50 per kWh that is half a fen.
    expect(priceMonthOfCharging(12, 1, '0.01', 50n).feeFen).toBe(1n);
    expect(priceMonthOfCharging(12, 1, '0.01', 49n).feeFen).toBe(0n);
  });
  test('refuses a capacity that is not an exact decimal', () => {
    expect(() => priceMonthOfCharging(12_000, 420, '4.4e1', 145n)).toThrow(/exact decimal/);
  });
});

describe('priceEnergyOption: every month of the quote, the same figure', () => {
  const rental: EnergyQuoteCar = { option: 2, batteryOption: 'RENTAL', swapCapable: true, rangeKm: 420, batteryKwh: '44.12', plan: LITE };
  const charging: EnergyQuoteCar = { option: 1, batteryOption: 'OWNED', swapCapable: false, rangeKm: 420, batteryKwh: '44.12', plan: null };

  test('a rental car pays its plan and its swaps in each of the 12 × years months', () => {
    const items = priceEnergyOption(rental, 2, 15_000, GUANGZHOU);
    expect(items).toHaveLength(2 * 24);
    expect(items.map((i) => i.month)).toEqual(Array.from({ length: 24 }, (_, m) => [m + 1, m + 1]).flat());
    const rentals = items.filter((i) => i.category === 'BATTERY_RENTAL');
    expect(new Set(rentals.map((i) => i.amountFen))).toEqual(new Set([39_900n]));
    const energy = items.filter((i) => i.category === 'ENERGY');
    expect(new Set(energy.map((i) => i.amountFen))).toEqual(new Set([0n])); // 4 swaps, all included in Lite
    expect(energy[0].description).toBe('4 battery swaps a month (1,250 km a month; a swap every 336 km, 80 % of the 420 km range): 4 included in Swap Lite');
    expect(items.every((i) => i.option === 2)).toBe(true);
  });

  test('an owned swap-capable car pays the standard fee per swap, and no rental', () => {
    const items = priceEnergyOption({ ...rental, batteryOption: 'OWNED', plan: null }, 1, 15_000, GUANGZHOU);
    expect(items.map((i) => i.category)).toEqual(Array(12).fill('ENERGY'));
    expect(items[0].amountFen).toBe(4n * STANDARD_SWAP_FEE_FEN);
    expect(items[0].description).toMatch(/at the pay-as-you-go fee of 99\.00 each$/);
    // A distance that is no whole number of km a month is shown to two decimals (the price is exact either way).
    expect(priceEnergyOption({ ...rental, batteryOption: 'OWNED', plan: null }, 1, 15_001, GUANGZHOU)[0].description).toMatch(/^4 battery swaps a month \(1,250\.08 km a month;/);
  });

  test('a car that cannot swap charges at the city price, and says how much and where', () => {
    const items = priceEnergyOption(charging, 1, 12_000, GUANGZHOU);
    expect(items).toHaveLength(12);
    expect(items[11]).toEqual({
      option: 1,
      month: 12,
      category: 'ENERGY',
      description: 'Charging 105.05 kWh a month (1,000 km a month at 44.12 kWh per 420 km) at 1.45 per kWh in Guangzhou',
      amountFen: 15_232n,
    });
  });
});
