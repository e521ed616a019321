/**
 * The catalog's reads: models, trims (with the packages each is offered with), colours, packages and
 * accessories (public), the price of a configuration (`quote`, priced in `pricing.ts`), users'
 * preferences and the demand view aggregated from them.
 */
import { notFound, badInput } from '../../platform/errors';
import { realUserId, requireIdentity, requireReadUser, type UserRef } from '../kit/auth';
import { checkId, checkOrgId, isPlausibleId } from '../kit/ids';
import { money } from '../../platform/money';
import { badCursor, readPage, readTimePage, toConnection } from '../kit/pagination';
import type { SubgraphContext } from '../kit/subgraph';
import { modelsPage, type TrimRecord, type VehicleModelRecord } from './data/models';
import { ACCESSORY_CATEGORIES, accessoriesPage, allColours, allPackages, type AccessoryCategory, type AccessoryRecord, type ColourRecord, type PackageRecord } from './data/options';
import { demandSummary, type DemandSummary, type PreferenceRecord } from './data/preferences';
import type { CatalogLoaders } from './loaders';
import { requireDemandReader } from './access';
import { checkTopFeaturesFirst, MAX_TOP_FEATURES, type QuoteArgs } from './validation';
import { priceConfiguration } from './pricing';

type Ctx = SubgraphContext<CatalogLoaders>;

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

interface DemandParent {
  model: VehicleModelRecord;
  summary: DemandSummary;
}

async function demand(modelIdArg: string, ctx: Ctx): Promise<DemandParent> {
  const who = requireIdentity(ctx.identity);
  const modelId = checkId(modelIdArg, 'modelId');
  const model = await ctx.loaders.model.load(modelId);
  if (!model) throw notFound(`unknown model "${modelId}"`);
  requireDemandReader(who, model);
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

export const queryResolvers = {
  Query: {
    async models(_: unknown, args: { manufacturerOrg?: string | null; first?: number | null; after?: string | null }, ctx: Ctx) {
      const { limit, after } = readPage(args, ['text', 'text']);
      const org = args.manufacturerOrg == null ? null : checkOrgId(args.manufacturerOrg, 'manufacturerOrg', 'gac-aion');
      const rows = await modelsPage(ctx.db, after && { name: after[0], id: after[1] }, limit + 1, org);
      for (const m of rows) ctx.loaders.model.prime(m.id, m);
      return toConnection(rows, limit, (m) => [m.name, m.id]);
    },
    model: (_: unknown, args: { id: string }, ctx: Ctx) => (isPlausibleId(args.id) ? ctx.loaders.model.load(args.id) : null),
    trim: (_: unknown, args: { id: string }, ctx: Ctx) => (isPlausibleId(args.id) ? ctx.loaders.trim.load(args.id) : null),
    colours: (_: unknown, __: unknown, ctx: Ctx) => allColours(ctx.db),
    packages: (_: unknown, __: unknown, ctx: Ctx) => allPackages(ctx.db),
    async accessories(_: unknown, args: { category?: AccessoryCategory | null; first?: number | null; after?: string | null }, ctx: Ctx) {
      const { limit, after } = readPage(args, ['text', 'text', 'text']);
      if (after && !(ACCESSORY_CATEGORIES as readonly string[]).includes(after[0])) throw badCursor();
      const rows = await accessoriesPage(ctx.db, args.category ?? null, after && { category: after[0], name: after[1], id: after[2] }, limit + 1);
      return toConnection(rows, limit, (a) => [a.category, a.name, a.id]);
    },
    quote: (_: unknown, args: QuoteArgs, ctx: Ctx) => priceConfiguration(args, ctx),
    demand: (_: unknown, args: { modelId: string }, ctx: Ctx) => demand(args.modelId, ctx),
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
    packages: (t: TrimRecord, _: unknown, ctx: Ctx) => ctx.loaders.packagesOfTrim.load(t.id),
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
      const { limit, after } = readTimePage(args);
      const rows = await ctx.loaders.preferencesOfUser.load({ parent: userId, limit: limit + 1, after });
      return toConnection(rows, limit, (p) => [p.createdAt, p.id]);
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
      const first = checkTopFeaturesFirst(args.first);
      return d.summary.topFeatures.slice(0, first).map((f) => ({ feature: f.key, respondents: f.n }));
    },
  },
};
