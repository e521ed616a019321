/**
 * The cost-of-ownership quote — what every subgraph that prices a part of owning a car shares.
 *
 * A quote is the entity `OwnershipQuote @key(fields: "spec")`. Catalog owns `Query.ownershipQuote`: it
 * validates the configuration part of the input, prices each option's car, and writes the normalised
 * input as the key `spec` (canonical JSON, `encodeQuoteSpec`) and what it knows of each option's car as
 * the inaccessible `facts` (JSON, `encodeQuoteFacts`). Every other subgraph that prices a part (finance:
 * the purchase payment, instalments and insurance; energy: battery rental and energy; aftermarket:
 * maintenance) adds `<name>QuoteCosts` with `@requires(fields: "facts")` — one cost per option, month and
 * item — and the `quote` subgraph (a merged list, `kit/merged-list`) derives the totals from all of them.
 * A new contributor (a partner insurer, say) is merged without an edit anywhere else.
 *
 * Months are counted from the purchase: month 1 is the month the car is bought, month `12 × years` the
 * last month the owner keeps it.
 */
import { badInput } from '../../platform/errors';
import type { MergedListSpec } from './merged-list/generate';

/** The quote as a list merged across contributors: each adds `<name>QuoteCosts` to `OwnershipQuote`. */
export const QUOTE_LIST: MergedListSpec = {
  parts: [{ type: 'OwnershipQuote', suffix: 'QuoteCosts', itemType: 'QuoteCost', derived: ['options', 'comparisons'] }],
  categoryEnum: 'OwnershipCostCategory',
  subjectUnion: null,
  contributionRequires: 'facts',
};

/** Limits of a quote's input, stated in the schema. */
export const QUOTE_LIMITS = { minYears: 1, maxYears: 8, minOptions: 1, maxOptions: 4, maxAnnualDistanceKm: 200_000, maxLabelLength: 40 } as const;

export type QuoteFinancingSpec =
  | { kind: 'CASH' }
  | {
      kind: 'LOAN' | 'LEASE';
      /** Paid in month 1; what is left of the price is financed. Integer fen as a decimal string. */
      downPaymentFen: string;
      termMonths: number;
      annualRateBps: number;
    };

/** One option as the input gave it, normalised (defaults filled, ids as given). */
export interface QuoteOptionSpec {
  label: string;
  trimId: string;
  colourId: string | null;
  packageId: string | null;
  accessoryIds: string[];
  /** RENTAL trims: the battery plan; null means "the plan that costs least for the expected swaps". */
  batteryPlanId: string | null;
  financing: QuoteFinancingSpec;
}

/** The normalised input: the key of `OwnershipQuote`. */
export interface QuoteSpec {
  v: 1;
  years: number;
  annualDistanceKm: number;
  city: string;
  options: QuoteOptionSpec[];
}

/** What catalog knows of one option's car, as contributors read it from `facts`. */
export interface QuoteVehicleFacts {
  /** 1-based position of the option in the input. */
  option: number;
  /** The configuration's total price at today's catalog prices (trim, colour, package, accessories). */
  totalPriceFen: string;
  modelId: string;
  trimId: string;
  batteryOption: 'OWNED' | 'RENTAL';
  swapCapable: boolean;
  rangeKm: number;
  /** Usable capacity as an exact decimal string, e.g. "44.12". */
  batteryKwh: string;
  /** The chosen package's scheduled maintenance, or null when it has none. */
  maintenancePlan: { services: number; years: number; allowancePerServiceFen: string } | null;
}

/** One priced item of one option in one month, as a contributor reports it (`QuoteCost` in the schema). */
export interface QuoteCostItem {
  option: number;
  month: number;
  category: string;
  description: string;
  /** Integer fen; formatted as a Decimal on the wire. */
  amountFen: bigint;
}

/** The quote's key: the same input always gives the same text (fixed key order), so caches share it. */
export function encodeQuoteSpec(spec: QuoteSpec): string {
  return JSON.stringify({
    v: 1,
    years: spec.years,
    annualDistanceKm: spec.annualDistanceKm,
    city: spec.city,
    options: spec.options.map((o) => ({
      label: o.label,
      trimId: o.trimId,
      colourId: o.colourId,
      packageId: o.packageId,
      accessoryIds: o.accessoryIds,
      batteryPlanId: o.batteryPlanId,
      financing:
        o.financing.kind === 'CASH'
          ? { kind: 'CASH' }
          : { kind: o.financing.kind, downPaymentFen: o.financing.downPaymentFen, termMonths: o.financing.termMonths, annualRateBps: o.financing.annualRateBps },
    })),
  });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number, max: number): v is number => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const isIdOrNull = (v: unknown) => v === null || (typeof v === 'string' && v.length > 0 && v.length <= 100);

/**
 * Reads a key made by `encodeQuoteSpec`. A client can send any `spec` in an entity representation, so
 * anything that `encodeQuoteSpec` would not have written is BAD_USER_INPUT, never trusted.
 */
export function parseQuoteSpec(text: string): QuoteSpec {
  const bad = () => badInput('not a quote: ask `ownershipQuote(input:)` for one', 'spec');
  if (typeof text !== 'string' || text.length > 20_000) throw bad();
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw bad();
  }
  if (!isObject(raw) || raw.v !== 1) throw bad();
  const { years, annualDistanceKm, city, options } = raw;
  if (!isInt(years, QUOTE_LIMITS.minYears, QUOTE_LIMITS.maxYears) || !isInt(annualDistanceKm, 0, QUOTE_LIMITS.maxAnnualDistanceKm)) throw bad();
  if (typeof city !== 'string' || !city || city.length > 100) throw bad();
  if (!Array.isArray(options) || options.length < QUOTE_LIMITS.minOptions || options.length > QUOTE_LIMITS.maxOptions) throw bad();
  for (const o of options) {
    if (!isObject(o) || typeof o.label !== 'string' || typeof o.trimId !== 'string' || !isIdOrNull(o.colourId) || !isIdOrNull(o.packageId) || !isIdOrNull(o.batteryPlanId)) throw bad();
    if (!Array.isArray(o.accessoryIds) || !o.accessoryIds.every((a) => typeof a === 'string')) throw bad();
    const f = o.financing;
    if (!isObject(f)) throw bad();
    if (f.kind !== 'CASH' && !((f.kind === 'LOAN' || f.kind === 'LEASE') && typeof f.downPaymentFen === 'string' && /^\d{1,16}$/.test(f.downPaymentFen) && Number.isInteger(f.termMonths) && Number.isInteger(f.annualRateBps))) throw bad();
  }
  const spec = raw as unknown as QuoteSpec;
  // Only the canonical text is a key: the same quote must never be cached under two keys.
  if (encodeQuoteSpec(spec) !== text) throw bad();
  return spec;
}

/** Catalog's `facts`: one entry per option, in option order. */
export function encodeQuoteFacts(facts: readonly QuoteVehicleFacts[]): string {
  return JSON.stringify(facts);
}

/**
 * Reads `facts` as a contributor receives it through `@requires`. Through the gateway it came from
 * catalog; a caller of the subgraph itself can send anything, so what `encodeQuoteFacts` would not have
 * written is BAD_USER_INPUT on `facts`, never priced.
 */
export function parseQuoteFacts(text: unknown): QuoteVehicleFacts[] {
  if (typeof text !== 'string') throw new Error('quote facts missing: the contribution must @requires(fields: "facts")');
  const bad = () => badInput('not the facts of a quote: ask `ownershipQuote(input:)` through the gateway', 'facts');
  let facts: unknown;
  try {
    facts = JSON.parse(text);
  } catch {
    throw bad();
  }
  if (!Array.isArray(facts) || !facts.every((f) => isObject(f) && Number.isInteger(f.option) && /^\d{1,16}$/.test(String(f.totalPriceFen)))) throw bad();
  return facts as QuoteVehicleFacts[];
}

/** The input path of option `i` (0-based) for error messages, e.g. `input.options[1].financing.termMonths`. */
export const optionField = (i: number, field: string) => `input.options[${i}].${field}`;
