/** The shared resolvers of a quote contributor: a key and facts catalog would not write are refused, items are checked and put on the wire. */
import { refusalOf } from '../../testing/assertions';
import { encodeQuoteFacts, encodeQuoteSpec, type QuoteSpec, type QuoteVehicleFacts } from './ownership-quote';
import { quoteContributorResolvers, quoteCostsToWire } from './quote-contributor';

const SPEC: QuoteSpec = {
  v: 1,
  years: 1,
  annualDistanceKm: 12_000,
  city: 'Guangzhou',
  options: [{ label: 'Option 1', trimId: 'trim-ut-420', colourId: null, packageId: null, accessoryIds: [], batteryPlanId: null, financing: { kind: 'CASH' } }],
};
const FACTS: QuoteVehicleFacts[] = [{ option: 1, totalPriceFen: '7980000', modelId: 'm', trimId: 'trim-ut-420', batteryOption: 'OWNED', swapCapable: false, rangeKm: 420, batteryKwh: '44.12', maintenancePlan: null }];

const resolvers = quoteContributorResolvers('demo', (spec, facts) => [{ option: 1, month: 12 * spec.years, category: 'DEMO', description: 'Price', amountFen: BigInt(facts[0].totalPriceFen) }]);
const costs = resolvers.OwnershipQuote.demoQuoteCosts as (ref: { spec: string; facts?: string }, args: unknown, ctx: unknown) => Promise<unknown>;

test('prices from the parsed spec and facts, with amounts as Decimal strings', async () => {
  await expect(costs({ spec: encodeQuoteSpec(SPEC), facts: encodeQuoteFacts(FACTS) }, {}, {})).resolves.toEqual([{ option: 1, month: 12, category: 'DEMO', description: 'Price', amount: '79800.00' }]);
});

test('a forged key or forged facts are BAD_USER_INPUT naming them; no token is needed', async () => {
  expect(refusalOf(() => resolvers.OwnershipQuote.__resolveReference({ spec: encodeQuoteSpec(SPEC).replace('"v":1', '"v": 1') }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'spec' });
  await expect(costs({ spec: encodeQuoteSpec(SPEC), facts: 'not json' }, {}, {})).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'facts' } });
  await expect(costs({ spec: encodeQuoteSpec(SPEC), facts: encodeQuoteFacts([...FACTS, { ...FACTS[0], option: 2 }]) }, {}, {})).rejects.toThrow(/2 options; the quote has 1/);
});

test('an item outside the quote (another option, a month after the last) is a bug, said, never sent', () => {
  const item = { option: 1, month: 1, category: 'DEMO', description: 'x', amountFen: 1n };
  expect(() => quoteCostsToWire('demo', SPEC, [{ ...item, month: 13 }])).toThrow(/month 13; the quote runs months 1..12/);
  expect(() => quoteCostsToWire('demo', SPEC, [{ ...item, option: 2 }])).toThrow(/option 2; the quote has 1/);
});
