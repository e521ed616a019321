/**
 * Catalog resolvers: thin — authorize, validate, then call loaders / data.ts. The catalog itself is
 * public (anonymous reads allowed); preferences are the user's own; the demand view is for the model's
 * manufacturer, analysts and admins.
 */
import { forbidden, badInput, notFound } from '../../platform/errors';
import { realUserId, requireIdentity, requireReadUser, type UserRef } from '../kit/auth';
import { isPlausibleId, newId } from '../kit/ids';
import { money, sumFen } from '../../platform/money';
import { readPageArgs, toConnection } from '../kit/pagination';
import type { SubgraphContext } from '../kit/subgraph';
import {
  ACCESSORY_CATEGORIES,
  accessoriesPage,
  allColours,
  allPackages,
  demandSummary,
  findModelAndColour,
  modelsPage,
  upsertPreference,
  type AccessoryCategory,
  type AccessoryRecord,
  type BatteryOption,
  type ColourRecord,
  type DemandSummary,
  type PackageRecord,
  type PreferenceRecord,
  type TrimRecord,
  type VehicleModelRecord,
} from './data';
import type { CatalogLoaders } from './loaders';

type Ctx = SubgraphContext<CatalogLoaders>;

/** Most accessories one quote may carry. */
export const MAX_QUOTE_ACCESSORIES = 20;
/** Highest price expectation accepted: 1,000,000.00 yuan. */
export const MAX_PRICE_EXPECTATION_FEN = 100_000_000n;
export const MAX_MIN_RANGE_KM = 2000;
export const MAX_FEATURES = 10;
export const MAX_FEATURE_LENGTH = 40;
/** What an organisation id looks like, e.g. `gac-aion`. */
const ORG_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Most features the demand view ranks. */
export const MAX_TOP_FEATURES = 50;

/**
 * Minimum-range buckets of the demand view, matched to where trims sit (330 / 420 / 500 km): a
 * manufacturer reads "how many want at least a 500-class battery".
 */
export const RANGE_BUCKETS: ReadonlyArray<{ minKm: number; maxKm: number | null }> = [
  { minKm: 0, maxKm: 299 },
  { minKm: 300, maxKm: 399 },
  { minKm: 400, maxKm: 499 },
  { minKm: 500, maxKm: 599 },
  { minKm: 600, maxKm: null },
];

// ---------------------------------------------------------------------------------------------
// Input checks

/** Shortens a client value for an error message. */
function shown(value: string): string {
  return value.length > 64 ? `${value.slice(0, 64)}…` : value;
}

/** Refuses an id that can never match a row (too long, odd characters) before any SQL runs. */
function checkId(value: string, field: string): string {
  if (!isPlausibleId(value)) throw badInput(`${field} "${shown(value)}" is not a valid id`, field);
  return value;
}

const CURSOR_ERROR = () => badInput('`after` is not a cursor returned by this field', 'after');

/** The decoded cursor of a connection whose sort key is `n` strings. */
function stringCursor(after: unknown[] | null, n: number): string[] | null {
  if (after === null) return null;
  if (after.length !== n || !after.every((v) => typeof v === 'string' && v.length <= 200)) throw CURSOR_ERROR();
  return after as string[];
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

// ---------------------------------------------------------------------------------------------
// Quote

interface QuoteArgs {
  trimId: string;
  colourId?: string | null;
  packageId?: string | null;
  accessoryIds?: string[] | null;
}

type PriceLineKind = 'TRIM' | 'COLOUR' | 'PACKAGE' | 'ACCESSORY';
interface PriceLine {
  kind: PriceLineKind;
  refId: string;
  description: string;
  amountFen: bigint;
}

async function quote(args: QuoteArgs, ctx: Ctx) {
  const trimId = checkId(args.trimId, 'trimId');
  const colourId = args.colourId == null ? null : checkId(args.colourId, 'colourId');
  const packageId = args.packageId == null ? null : checkId(args.packageId, 'packageId');
  const accessoryIds = args.accessoryIds ?? [];
  if (accessoryIds.length > MAX_QUOTE_ACCESSORIES) {
    throw badInput(`at most ${MAX_QUOTE_ACCESSORIES} accessories per quote, got ${accessoryIds.length}`, 'accessoryIds');
  }
  const seen = new Set<string>();
  for (const id of accessoryIds) {
    checkId(id, 'accessoryIds');
    if (seen.has(id)) throw badInput(`accessory "${id}" is listed twice; list each accessory once`, 'accessoryIds');
    seen.add(id);
  }

  const { loaders } = ctx;
  // All lookups start together, so each kind is one batched statement.
  const [trim, colour, pkg, accessories] = await Promise.all([
    loaders.trim.load(trimId),
    colourId ? loaders.colour.load(colourId) : Promise.resolve(null),
    packageId ? loaders.package.load(packageId) : loaders.packageByCode.load('STANDARD'),
    Promise.all(accessoryIds.map((id) => loaders.accessory.load(id))),
  ]);

  if (!trim) throw notFound(`unknown trim "${trimId}"`);
  if (!trim.available) throw badInput(`trim "${trimId}" (${trim.modelName} ${trim.name}) is no longer available; choose an available trim`, 'trimId');
  if (colourId && !colour) throw notFound(`unknown colour "${colourId}"`);
  if (!pkg) throw packageId ? notFound(`unknown package "${packageId}"`) : new Error('the STANDARD package is missing from the catalog');
  const missing = accessoryIds.find((_, i) => !accessories[i]);
  if (missing) throw notFound(`unknown accessory "${missing}"`);

  const lines: PriceLine[] = [{ kind: 'TRIM', refId: trim.id, description: `${trim.modelName} ${trim.name}`, amountFen: trim.guidePriceFen }];
  if (colour) lines.push({ kind: 'COLOUR', refId: colour.id, description: `Colour: ${colour.name}`, amountFen: colour.surchargeFen });
  lines.push({ kind: 'PACKAGE', refId: pkg.id, description: `Package: ${pkg.name}`, amountFen: pkg.priceFen });
  for (const a of accessories as AccessoryRecord[]) lines.push({ kind: 'ACCESSORY', refId: a.id, description: `Accessory: ${a.name}`, amountFen: a.priceFen });

  return {
    trim,
    package: pkg,
    trimId: trim.id,
    batteryRental: trim.batteryOption === 'RENTAL',
    manufacturerOrg: trim.manufacturerOrg,
    lines: lines.map((l) => ({ kind: l.kind, refId: l.refId, description: l.description, amount: money(l.amountFen) })),
    total: money(sumFen(lines.map((l) => l.amountFen))),
  };
}

// ---------------------------------------------------------------------------------------------
// Preferences

interface PreferenceInput {
  modelId: string;
  colourId?: string | null;
  minRangeKm?: number | null;
  batteryOption?: BatteryOption | null;
  /** Parsed by the Decimal scalar: fen. */
  priceExpectation: bigint;
  features?: string[] | null;
}

async function statePreference(input: PreferenceInput, ctx: Ctx): Promise<PreferenceRecord> {
  const who = requireIdentity(ctx.identity);
  if (who.role !== 'customer') {
    throw forbidden(`only customers state preferences; your token has the role ${who.role}`);
  }
  const modelId = checkId(input.modelId, 'modelId');
  const colourId = input.colourId == null ? null : checkId(input.colourId, 'colourId');
  const minRangeKm = input.minRangeKm ?? null;
  if (minRangeKm !== null && (minRangeKm < 0 || minRangeKm > MAX_MIN_RANGE_KM)) {
    throw badInput(`minRangeKm must be between 0 and ${MAX_MIN_RANGE_KM}, got ${minRangeKm}`, 'minRangeKm');
  }
  const price = input.priceExpectation;
  if (price <= 0n) throw badInput('priceExpectation must be more than 0', 'priceExpectation');
  if (price > MAX_PRICE_EXPECTATION_FEN) throw badInput('priceExpectation must be at most "1000000.00"', 'priceExpectation');
  const features = checkFeatures(input.features);

  return ctx.db.tx(async (q) => {
    const found = await findModelAndColour(q, modelId, colourId);
    if (!found.model) throw notFound(`unknown model "${modelId}"`);
    if (colourId && !found.colour) throw notFound(`unknown colour "${colourId}"`);
    return upsertPreference(q, {
      id: newId('pref'),
      userId: who.sub,
      modelId,
      colourId,
      minRangeKm,
      batteryOption: input.batteryOption ?? null,
      priceExpectationFen: price,
      features,
      at: new Date(),
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Demand view

interface DemandParent {
  model: VehicleModelRecord;
  summary: DemandSummary;
}

async function demand(modelIdArg: string, ctx: Ctx): Promise<DemandParent> {
  const who = requireIdentity(ctx.identity);
  const modelId = checkId(modelIdArg, 'modelId');
  const model = await ctx.loaders.model.load(modelId);
  if (!model) throw notFound(`unknown model "${modelId}"`);
  const allowed =
    who.role === 'analyst' || who.role === 'admin' || who.role === 'service' || (who.role === 'partner' && who.org === model.manufacturerOrg);
  if (!allowed) {
    throw forbidden(`the demand view of ${model.name} is for partners of ${model.manufacturerOrg}, analysts and admins`);
  }
  return { model, summary: await demandSummary(ctx.db, model.id, MAX_TOP_FEATURES) };
}

function rangeBuckets(byMinRangeKm: DemandSummary['byMinRangeKm']) {
  return RANGE_BUCKETS.map((b) => ({
    label: b.maxKm === null ? `${b.minKm}+ km` : `${b.minKm}-${b.maxKm} km`,
    minKm: b.minKm,
    maxKm: b.maxKm,
    respondents: byMinRangeKm.filter((r) => r.key >= b.minKm && (b.maxKm === null || r.key <= b.maxKm)).reduce((n, r) => n + r.n, 0),
  }));
}

// ---------------------------------------------------------------------------------------------

export const resolvers = {
  Query: {
    async models(_: unknown, args: { manufacturerOrg?: string | null; first?: number | null; after?: string | null }, ctx: Ctx) {
      const page = readPageArgs(args);
      const after = stringCursor(page.after, 2);
      const org = args.manufacturerOrg ?? null;
      if (org !== null && !ORG_RE.test(org)) throw badInput('`manufacturerOrg` must be an organisation id such as "gac-aion"', 'manufacturerOrg');
      const rows = await modelsPage(ctx.db, after && { name: after[0], id: after[1] }, page.limit + 1, org);
      for (const m of rows) ctx.loaders.model.prime(m.id, m);
      return toConnection(rows, page.limit, (m) => [m.name, m.id]);
    },
    model: (_: unknown, args: { id: string }, ctx: Ctx) => (isPlausibleId(args.id) ? ctx.loaders.model.load(args.id) : null),
    trim: (_: unknown, args: { id: string }, ctx: Ctx) => (isPlausibleId(args.id) ? ctx.loaders.trim.load(args.id) : null),
    colours: (_: unknown, __: unknown, ctx: Ctx) => allColours(ctx.db),
    packages: (_: unknown, __: unknown, ctx: Ctx) => allPackages(ctx.db),
    async accessories(_: unknown, args: { category?: AccessoryCategory | null; first?: number | null; after?: string | null }, ctx: Ctx) {
      const page = readPageArgs(args);
      const after = stringCursor(page.after, 3);
      if (after && !(ACCESSORY_CATEGORIES as readonly string[]).includes(after[0])) throw CURSOR_ERROR();
      const rows = await accessoriesPage(ctx.db, args.category ?? null, after && { category: after[0], name: after[1], id: after[2] }, page.limit + 1);
      return toConnection(rows, page.limit, (a) => [a.category, a.name, a.id]);
    },
    quote: (_: unknown, args: QuoteArgs, ctx: Ctx) => quote(args, ctx),
    demand: (_: unknown, args: { modelId: string }, ctx: Ctx) => demand(args.modelId, ctx),
  },

  Mutation: {
    statePreference: (_: unknown, args: { input: PreferenceInput }, ctx: Ctx) => statePreference(args.input, ctx),
  },

  VehicleModel: {
    __resolveReference: (ref: { id: string }, ctx: Ctx) => ctx.loaders.model.load(ref.id),
    trims: (m: VehicleModelRecord, _: unknown, ctx: Ctx) => ctx.loaders.trimsOfModel.load(m.id),
    async guidePriceFrom(m: VehicleModelRecord, _: unknown, ctx: Ctx) {
      const prices = (await ctx.loaders.trimsOfModel.load(m.id)).filter((t) => t.available).map((t) => t.guidePriceFen);
      return prices.length ? money(prices.reduce((a, b) => (b < a ? b : a))) : null;
    },
    async guidePriceTo(m: VehicleModelRecord, _: unknown, ctx: Ctx) {
      const prices = (await ctx.loaders.trimsOfModel.load(m.id)).filter((t) => t.available).map((t) => t.guidePriceFen);
      return prices.length ? money(prices.reduce((a, b) => (b > a ? b : a))) : null;
    },
  },

  Trim: {
    __resolveReference: (ref: { id: string }, ctx: Ctx) => ctx.loaders.trim.load(ref.id),
    model: (t: TrimRecord, _: unknown, ctx: Ctx) => ctx.loaders.model.load(t.modelId),
    guidePrice: (t: TrimRecord) => money(t.guidePriceFen),
    batteryRentalMonthlyFee: (t: TrimRecord) => (t.batteryRentalMonthlyFen === null ? null : money(t.batteryRentalMonthlyFen)),
  },

  Colour: {
    __resolveReference: (ref: { id: string }, ctx: Ctx) => ctx.loaders.colour.load(ref.id),
    surcharge: (c: ColourRecord) => money(c.surchargeFen),
  },

  Package: {
    __resolveReference: (ref: { id: string }, ctx: Ctx) => ctx.loaders.package.load(ref.id),
    price: (p: PackageRecord) => money(p.priceFen),
    maintenancePlan: (p: PackageRecord) =>
      p.maintenanceServices > 0 ? { services: p.maintenanceServices, years: p.maintenanceYears, allowancePerService: money(p.maintenanceAllowanceFen) } : null,
  },

  Accessory: {
    __resolveReference: (ref: { id: string }, ctx: Ctx) => ctx.loaders.accessory.load(ref.id),
    price: (a: AccessoryRecord) => money(a.priceFen),
  },

  User: {
    // Authorization is per field (`preferences`): the reference itself carries nothing private.
    // The representation carries `internalId` (the real user id, from orders) for `preferences`.
    __resolveReference: (ref: UserRef) => ref,
    async preferences(user: UserRef, args: { first?: number | null; after?: string | null }, ctx: Ctx) {
      const userId = realUserId(ctx.identity, user);
      requireReadUser(ctx.identity, userId);
      const page = readPageArgs(args);
      const cursor = stringCursor(page.after, 2);
      let after: { createdAt: Date; id: string } | null = null;
      if (cursor) {
        const createdAt = new Date(cursor[0]);
        if (Number.isNaN(createdAt.getTime())) throw CURSOR_ERROR();
        after = { createdAt, id: cursor[1] };
      }
      const rows = await ctx.loaders.preferencesOfUser.load({ userId, fetch: page.limit + 1, after });
      return toConnection(rows, page.limit, (p) => [p.createdAt, p.id]);
    },
  },

  Preference: {
    model: (p: PreferenceRecord, _: unknown, ctx: Ctx) => ctx.loaders.model.load(p.modelId),
    colour: (p: PreferenceRecord, _: unknown, ctx: Ctx) => (p.colourId ? ctx.loaders.colour.load(p.colourId) : null),
    priceExpectation: (p: PreferenceRecord) => money(p.priceExpectationFen),
  },

  DemandView: {
    model: (d: DemandParent) => d.model,
    respondents: (d: DemandParent) => d.summary.respondents,
    byColour: (d: DemandParent, _: unknown, ctx: Ctx) =>
      d.summary.byColour.map((c) => ({ colour: ctx.loaders.colour.load(c.key), respondents: c.n })),
    byBatteryOption: (d: DemandParent) => d.summary.byBatteryOption.map((b) => ({ batteryOption: b.key, respondents: b.n })),
    byRange: (d: DemandParent) => rangeBuckets(d.summary.byMinRangeKm),
    priceExpectation: (d: DemandParent) =>
      d.summary.price && { min: money(d.summary.price.minFen), median: money(d.summary.price.medianFen), max: money(d.summary.price.maxFen) },
    topFeatures(d: DemandParent, args: { first?: number | null }) {
      const first = args.first ?? 10;
      if (!Number.isInteger(first) || first < 1 || first > MAX_TOP_FEATURES) throw badInput(`\`first\` must be between 1 and ${MAX_TOP_FEATURES}`, 'first');
      return d.summary.topFeatures.slice(0, first).map((f) => ({ feature: f.key, respondents: f.n }));
    },
  },
};
