/**
 * Catalog's part of the cost-of-ownership quote (kit/ownership-quote.ts): `Query.ownershipQuote` checks
 * the input's shape and every option's configuration, and answers with the key `spec`; the entity
 * `OwnershipQuote` prices each option's car again from that key (a representation's `spec` comes from a
 * client as much as from the gateway, so it is parsed and recomputed, never trusted) and hands what it
 * knows of each car to the other pricing subgraphs as `facts`.
 */
import { badInput } from '../../platform/errors';
import {
  encodeQuoteFacts,
  encodeQuoteSpec,
  optionField,
  parseQuoteSpec,
  QUOTE_LIMITS,
  type QuoteFinancingSpec,
  type QuoteOptionSpec,
  type QuoteSpec,
  type QuoteVehicleFacts,
} from '../kit/ownership-quote';
import { optionalId } from '../kit/ids';
import type { SubgraphContext } from '../kit/subgraph';
import type { CatalogLoaders } from './loaders';
import { priceConfiguration, type PricedConfiguration } from './pricing';

type Ctx = SubgraphContext<CatalogLoaders>;

interface FinancingInput {
  kind: 'CASH' | 'LOAN' | 'LEASE';
  /** Parsed by the Decimal scalar: fen. */
  downPayment?: bigint | null;
  termMonths?: number | null;
  annualRateBps?: number | null;
}
interface OptionInput {
  label?: string | null;
  trimId: string;
  colourId?: string | null;
  packageId?: string | null;
  accessoryIds?: string[] | null;
  batteryPlanId?: string | null;
  financing: FinancingInput;
}
export interface OwnershipQuoteInput {
  years: number;
  annualDistanceKm: number;
  city: string;
  options: OptionInput[];
}

const MAX_CITY_LENGTH = 100;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function readFinancing(f: FinancingInput, i: number): QuoteFinancingSpec {
  const at = (field: string) => optionField(i, `financing.${field}`);
  const given = (['downPayment', 'termMonths', 'annualRateBps'] as const).filter((k) => f[k] !== null && f[k] !== undefined);
  if (f.kind === 'CASH') {
    if (given.length) throw badInput(`a CASH option takes no ${given.join(', ')}: leave ${given.length > 1 ? 'them' : 'it'} out, or choose LOAN or LEASE`, at(given[0]));
    return { kind: 'CASH' };
  }
  for (const k of ['downPayment', 'termMonths', 'annualRateBps'] as const) {
    if (f[k] === null || f[k] === undefined) throw badInput(`a ${f.kind} option needs \`${k}\` (and downPayment, termMonths, annualRateBps)`, at(k));
  }
  const down = f.downPayment as bigint;
  if (down < 0n) throw badInput('`downPayment` must be at least "0.00"', at('downPayment'));
  return { kind: f.kind, downPaymentFen: down.toString(), termMonths: f.termMonths as number, annualRateBps: f.annualRateBps as number };
}

/** Checks the input's shape (no lookups) and normalises it into the quote's key. */
export function readOwnershipQuoteInput(input: OwnershipQuoteInput): QuoteSpec {
  const { minYears, maxYears, minOptions, maxOptions, maxAnnualDistanceKm, maxLabelLength } = QUOTE_LIMITS;
  if (!Number.isInteger(input.years) || input.years < minYears || input.years > maxYears) {
    throw badInput(`\`years\` must be from ${minYears} to ${maxYears}; got ${input.years}`, 'input.years');
  }
  if (!Number.isInteger(input.annualDistanceKm) || input.annualDistanceKm < 0 || input.annualDistanceKm > maxAnnualDistanceKm) {
    throw badInput(`\`annualDistanceKm\` must be from 0 to ${maxAnnualDistanceKm} km; got ${input.annualDistanceKm}`, 'input.annualDistanceKm');
  }
  const city = input.city.trim();
  if (!city) throw badInput('`city` must name the city the car is driven in, e.g. "Guangzhou"', 'input.city');
  if (city.length > MAX_CITY_LENGTH || CONTROL.test(city)) throw badInput(`\`city\` must be a city's name: at most ${MAX_CITY_LENGTH} characters, no control characters`, 'input.city');
  if (input.options.length < minOptions || input.options.length > maxOptions) {
    throw badInput(`a quote compares ${minOptions} to ${maxOptions} options; got ${input.options.length}`, 'input.options');
  }
  const options = input.options.map((o, i): QuoteOptionSpec => {
    const label = o.label === null || o.label === undefined ? `Option ${i + 1}` : o.label.trim();
    if (!label) throw badInput('`label` must not be empty: leave it out for "Option N"', optionField(i, 'label'));
    if ([...label].length > maxLabelLength || CONTROL.test(label)) throw badInput(`\`label\` must be at most ${maxLabelLength} characters, without control characters`, optionField(i, 'label'));
    return {
      label,
      trimId: o.trimId,
      colourId: o.colourId ?? null,
      packageId: o.packageId ?? null,
      accessoryIds: o.accessoryIds ?? [],
      batteryPlanId: optionalId(o.batteryPlanId, optionField(i, 'batteryPlanId')),
      financing: readFinancing(o.financing, i),
    };
  });
  return { v: 1, years: input.years, annualDistanceKm: input.annualDistanceKm, city, options };
}

/** Prices every option's car (NOT_FOUND / BAD_USER_INPUT naming `input.options[i].<field>`). */
async function priceOptions(spec: QuoteSpec, ctx: Ctx): Promise<PricedConfiguration[]> {
  return Promise.all(
    spec.options.map(async (o, i) => {
      const priced = await priceConfiguration(o, ctx, (f) => optionField(i, f));
      if (o.batteryPlanId !== null && !priced.batteryRental) {
        throw badInput(`trim "${priced.trim.id}" owns its battery: a battery plan is only for a RENTAL trim; leave \`batteryPlanId\` out`, optionField(i, 'batteryPlanId'));
      }
      return priced;
    }),
  );
}

function factsOf(priced: readonly PricedConfiguration[]): QuoteVehicleFacts[] {
  return priced.map((p, i) => ({
    option: i + 1,
    totalPriceFen: p.totalFen.toString(),
    modelId: p.trim.modelId,
    trimId: p.trim.id,
    batteryOption: p.trim.batteryOption,
    swapCapable: p.trim.swapCapable,
    rangeKm: p.trim.rangeKm,
    batteryKwh: p.trim.batteryKwh,
    maintenancePlan:
      p.package.maintenanceServices > 0
        ? { services: p.package.maintenanceServices, years: p.package.maintenanceYears, allowancePerServiceFen: p.package.maintenanceAllowanceFen.toString() }
        : null,
  }));
}

/** A quote as catalog resolves it: the key, the parsed spec and each option's priced car. */
interface QuoteParent {
  spec: string;
  parsed: QuoteSpec;
  priced: PricedConfiguration[];
}

async function resolveQuote(spec: QuoteSpec, ctx: Ctx): Promise<QuoteParent> {
  return { spec: encodeQuoteSpec(spec), parsed: spec, priced: await priceOptions(spec, ctx) };
}

export const ownershipQuoteResolvers = {
  Query: {
    ownershipQuote: (_: unknown, args: { input: OwnershipQuoteInput }, ctx: Ctx) => resolveQuote(readOwnershipQuoteInput(args.input), ctx),
  },
  OwnershipQuote: {
    // A forged or stale key is refused: parseQuoteSpec accepts only what encodeQuoteSpec writes, and the
    // configuration is checked against today's catalog again.
    __resolveReference: (ref: { spec: string }, ctx: Ctx) => resolveQuote(parseQuoteSpec(ref.spec), ctx),
    years: (q: QuoteParent) => q.parsed.years,
    months: (q: QuoteParent) => 12 * q.parsed.years,
    annualDistanceKm: (q: QuoteParent) => q.parsed.annualDistanceKm,
    city: (q: QuoteParent) => q.parsed.city,
    configurations: (q: QuoteParent) => q.priced,
    facts: (q: QuoteParent) => encodeQuoteFacts(factsOf(q.priced)),
  },
};
