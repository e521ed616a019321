/** How one model's stated and ordered demand become rows: buckets, zeros against nulls, exact amounts. */
import { demandRows } from './demand-view';

const stated = {
  respondents: 3,
  byColour: [{ colour: { id: 'colour-lake-blue' }, respondents: 2 }],
  byBatteryOption: [{ batteryOption: 'RENTAL', respondents: 1 }],
  byRange: [
    { label: '300-399 km', minKm: 300, maxKm: 399, respondents: 1 },
    { label: '400-499 km', minKm: 400, maxKm: 499, respondents: 0 },
    { label: '500+ km', minKm: 500, maxKm: null, respondents: 2 },
  ],
  priceExpectation: { min: { amount: '100000.00' }, median: { amount: '120000.50' }, max: { amount: '150000.00' } },
  topFeatures: [{ feature: 'heat pump', respondents: 2 }],
};
const ordered = {
  orders: 4,
  byTrim: [{ trimId: 'trim-a', orders: 3 }, { trimId: 'trim-b', orders: 1 }],
  byColour: [{ colourId: null, orders: 3 }, { colourId: 'colour-lake-blue', orders: 1 }],
  byBatteryOption: [{ batteryOption: 'OWNED', orders: 4 }],
  byRange: [{ rangeKm: 420, orders: 3 }, { rangeKm: 620, orders: 1 }],
  price: { min: { amount: '99999.99' }, max: { amount: '130000.00' }, average: { amount: '107500.00' } },
};

const rows = demandRows('model-x', stated, ordered);
const find = (dimension: string, value: string | null) => rows.find((r) => r.dimension === dimension && r.value === value);

test('an order goes in the stated bucket holding its range, the open top bucket too; a bucket nobody ordered has 0', () => {
  expect(find('range', '400-499 km')).toMatchObject({ statedRespondents: 0, ordered: 3 });
  expect(find('range', '500+ km')).toMatchObject({ statedRespondents: 2, ordered: 1 });
  expect(find('range', '300-399 km')).toMatchObject({ statedRespondents: 1, ordered: 0 });
});

test('a value only one side names is 0 on the other side; a dimension one side has not is null there', () => {
  expect(find('colour', null)).toMatchObject({ statedRespondents: 0, ordered: 3 });
  expect(find('battery_option', 'OWNED')).toMatchObject({ statedRespondents: 0, ordered: 4 });
  expect(find('battery_option', 'RENTAL')).toMatchObject({ statedRespondents: 1, ordered: 0 });
  expect(find('trim', 'trim-a')).toMatchObject({ statedRespondents: null, ordered: 3 });
  expect(find('feature', 'heat pump')).toMatchObject({ statedRespondents: 2, ordered: null });
});

test('prices stay the exact strings the graph sent, each statistic on the side that has it', () => {
  expect(find('price', 'median')).toMatchObject({ statedAmount: '120000.50', orderedAmount: null });
  expect(find('price', 'min')).toMatchObject({ statedAmount: '100000.00', orderedAmount: '99999.99' });
  expect(find('price', 'average')).toMatchObject({ statedAmount: null, orderedAmount: '107500.00' });
  expect(find('total', null)).toMatchObject({ statedRespondents: 3, ordered: 4 });
});

test('nothing stated and nothing ordered: totals 0, prices null', () => {
  const empty = demandRows('m', { ...stated, respondents: 0, byColour: [], byBatteryOption: [], topFeatures: [], priceExpectation: null, byRange: stated.byRange.map((b) => ({ ...b, respondents: 0 })) }, { orders: 0, byTrim: [], byColour: [], byBatteryOption: [], byRange: [], price: null });
  expect(empty.find((r) => r.dimension === 'total')).toMatchObject({ statedRespondents: 0, ordered: 0 });
  expect(empty.filter((r) => r.dimension === 'price').every((r) => r.statedAmount === null && r.orderedAmount === null)).toBe(true);
});
