/** Aftermarket's quote arithmetic: when scheduled services fall, their expected bills, and the package's plan applied as redemption applies it. */
import type { ScheduledServicePrice } from './data/service-prices';
import { priceMaintenanceOption, scheduledServiceMonths, servicePriceFor } from './quote-pricing';

/** The price list migration 006 ships. */
const BASIC: ScheduledServicePrice = { id: 'ssp-basic', name: 'Basic service', everyNthService: 1, expectedBillFen: 46_000n, description: '' };
const MAJOR: ScheduledServicePrice = { id: 'ssp-major', name: 'Major service', everyNthService: 2, expectedBillFen: 82_000n, description: '' };
const PRICES = [MAJOR, BASIC];
/** pkg-maintenance-enhanced: 6 services within 6 years, up to 800.00 each. */
const ENHANCED = { services: 6, years: 6, allowancePerServiceFen: 80_000n };

describe('scheduledServiceMonths: every 12 months or 10,000 km, whichever comes first', () => {
  test.each([
    [3, 10_000, [13, 25]], // yearly: 12 months after delivery is month 13; month 37 is past the 36
    [3, 0, [13, 25]],
    [2, 20_000, [7, 13, 19]], // 10,000 km every 6 months
    [1, 15_000, [9]], // every 8 months
    [3, 11_000, [11, 22, 33]], // every 10.9 months: floor(10.9 n) + 1, exact
  ])('%i years at %i km a year: months %o', (years, km, months) => {
    expect(scheduledServiceMonths(years, km)).toEqual(months);
  });
});

describe('servicePriceFor: the price with the largest every-nth dividing the service number', () => {
  test('odd services are basic, even ones major', () => {
    expect([1, 2, 3, 4].map((n) => servicePriceFor(PRICES, n).id)).toEqual(['ssp-basic', 'ssp-major', 'ssp-basic', 'ssp-major']);
  });
  test('a price list without a row for every service is a data error, said plainly', () => {
    expect(() => servicePriceFor([MAJOR], 1)).toThrow(/every_nth_service = 1/);
  });
});

describe('priceMaintenanceOption: the package covers its first services within its years, up to the allowance', () => {
  test('without a plan the owner pays every expected bill', () => {
    const items = priceMaintenanceOption(1, 3, 10_000, null, PRICES);
    expect(items.map((i) => [i.month, i.amountFen])).toEqual([
      [13, 46_000n],
      [25, 82_000n],
    ]);
    expect(items[1]).toMatchObject({ option: 1, category: 'MAINTENANCE' });
    expect(items[1].description).toBe('Scheduled service 2 (major service), expected bill 820.00; no maintenance plan in the package, so the owner pays it');
  });

  test('a covered service costs only what its bill exceeds the allowance; the plan ends after its years', () => {
    const items = priceMaintenanceOption(2, 8, 10_000, ENHANCED, PRICES);
    // Services in months 13, 25, …, 85; month 73 is 6 years after delivery, when the plan has ended.
    expect(items.map((i) => [i.month, i.amountFen])).toEqual([
      [13, 0n],
      [25, 2_000n],
      [37, 0n],
      [49, 2_000n],
      [61, 0n],
      [73, 82_000n],
      [85, 46_000n],
    ]);
    expect(items[1].description).toBe(
      'Scheduled service 2 (major service), expected bill 820.00; prepaid service 2 of 6: the package covers 800.00 (up to 800.00), the owner pays 20.00',
    );
    expect(items[5].description).toMatch(/the package's 6 years are over, so the owner pays it$/);
  });

  test('past its number of services the plan covers nothing more, even within its years', () => {
    const items = priceMaintenanceOption(1, 6, 20_000, ENHANCED, PRICES);
    expect(items).toHaveLength(11); // every 6 months: months 7 … 67
    expect(items.slice(0, 6).map((i) => i.amountFen)).toEqual([0n, 2_000n, 0n, 2_000n, 0n, 2_000n]);
    expect(items.slice(6).map((i) => i.amountFen)).toEqual([46_000n, 82_000n, 46_000n, 82_000n, 46_000n]);
    expect(items[6].description).toMatch(/the package's 6 prepaid services are used, so the owner pays it$/);
  });

  test('the package lowers the cost by exactly min(allowance, bill) per covered service', () => {
    const without = priceMaintenanceOption(1, 6, 20_000, null, PRICES);
    const withPlan = priceMaintenanceOption(1, 6, 20_000, ENHANCED, PRICES);
    const saved = without.reduce((s, i) => s + i.amountFen, 0n) - withPlan.reduce((s, i) => s + i.amountFen, 0n);
    expect(saved).toBe(3n * 46_000n + 3n * 80_000n);
  });
});
