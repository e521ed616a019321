/**
 * Input checks of the catalog's queries and mutations, before any SQL runs: each refusal is
 * BAD_USER_INPUT naming the argument and saying what would be accepted.
 */
import { badInput } from '../../platform/errors';
import { checkId, optionalId } from '../kit/ids';
import type { BatteryOption } from './data/models';

/** Most accessories one quote may carry. */
export const MAX_QUOTE_ACCESSORIES = 20;
/** Highest price expectation accepted: 1,000,000.00 yuan. */
export const MAX_PRICE_EXPECTATION_FEN = 100_000_000n;
export const MAX_MIN_RANGE_KM = 2000;
export const MAX_FEATURES = 10;
export const MAX_FEATURE_LENGTH = 40;
/** Most features the demand view ranks. */
export const MAX_TOP_FEATURES = 50;

/** Shortens a client value for an error message. */
function shown(value: string): string {
  return value.length > 64 ? `${value.slice(0, 64)}…` : value;
}

/** Normalises a wished-for feature so the demand view counts "Heated  Seats" and "heated seats" together. */
export function normaliseFeature(raw: string): string {
  return raw.trim().replace(/\s+/g, ' ').toLowerCase();
}

function checkFeatures(features: readonly string[] | null | undefined): string[] {
  if (!features) return [];
  if (features.length > MAX_FEATURES) throw badInput(`at most ${MAX_FEATURES} features, got ${features.length}`, 'features');
  const out: string[] = [];
  for (const raw of features) {
    const f = normaliseFeature(raw);
    if (f === '') throw badInput('a feature must not be empty', 'features');
    if ([...f].length > MAX_FEATURE_LENGTH) throw badInput(`feature "${shown(f)}" is longer than ${MAX_FEATURE_LENGTH} characters`, 'features');
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(f)) throw badInput('a feature must not contain control characters', 'features');
    if (!out.includes(f)) out.push(f);
  }
  return out;
}

export interface QuoteArgs {
  trimId: string;
  colourId?: string | null;
  packageId?: string | null;
  accessoryIds?: string[] | null;
}

/** Where an argument of a configuration is in the request: `trimId` for `quote`, `input.options[1].trimId` for `ownershipQuote`. */
export type FieldPath = (field: keyof QuoteArgs) => string;

/** Checks a quote's arguments; returns the ids to price. */
export function readQuoteArgs(args: QuoteArgs, at: FieldPath = (f) => f): { trimId: string; colourId: string | null; packageId: string | null; accessoryIds: string[] } {
  const trimId = checkId(args.trimId, at('trimId'));
  const colourId = optionalId(args.colourId, at('colourId'));
  const packageId = optionalId(args.packageId, at('packageId'));
  const accessoryIds = args.accessoryIds ?? [];
  if (accessoryIds.length > MAX_QUOTE_ACCESSORIES) {
    throw badInput(`at most ${MAX_QUOTE_ACCESSORIES} accessories per quote, got ${accessoryIds.length}`, at('accessoryIds'));
  }
  const seen = new Set<string>();
  for (const id of accessoryIds) {
    checkId(id, at('accessoryIds'));
    if (seen.has(id)) throw badInput(`accessory "${id}" is listed twice; list each accessory once`, at('accessoryIds'));
    seen.add(id);
  }
  return { trimId, colourId, packageId, accessoryIds };
}

export interface PreferenceInput {
  modelId: string;
  colourId?: string | null;
  minRangeKm?: number | null;
  batteryOption?: BatteryOption | null;
  /** Parsed by the Decimal scalar: fen. */
  priceExpectation: bigint;
  features?: string[] | null;
}

/** Checks a stated preference (the model and colour are looked up when it is written). */
export function readPreferenceInput(input: PreferenceInput) {
  const modelId = checkId(input.modelId, 'modelId');
  const colourId = optionalId(input.colourId, 'colourId');
  const minRangeKm = input.minRangeKm ?? null;
  if (minRangeKm !== null && (minRangeKm < 0 || minRangeKm > MAX_MIN_RANGE_KM)) {
    throw badInput(`minRangeKm must be between 0 and ${MAX_MIN_RANGE_KM}, got ${minRangeKm}`, 'minRangeKm');
  }
  const price = input.priceExpectation;
  if (price <= 0n) throw badInput('priceExpectation must be more than 0', 'priceExpectation');
  if (price > MAX_PRICE_EXPECTATION_FEN) throw badInput('priceExpectation must be at most "1000000.00"', 'priceExpectation');
  const features = checkFeatures(input.features);
  return { modelId, colourId, minRangeKm, price, features };
}

/** Checks `DemandView.topFeatures(first:)`. */
export function checkTopFeaturesFirst(firstArg: number | null | undefined): number {
  const first = firstArg ?? 10;
  if (!Number.isInteger(first) || first < 1 || first > MAX_TOP_FEATURES) throw badInput(`\`first\` must be between 1 and ${MAX_TOP_FEATURES}`, 'first');
  return first;
}
