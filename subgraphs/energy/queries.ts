/**
 * Energy's reads: the Query fields (stations, plans, chargers, a station's swaps) and the entity and
 * field resolvers (subscriptions and their charges, swap and charging sessions, the Vehicle and User
 * lists). Each authorizes, checks its arguments, then reads through the request's loaders.
 */
import { canReadUser, realUserId, requireIdentity, requirePartnerOf, requireReadUser, shouldPseudonymise, visibleUserId, type UserRef } from '../kit/auth';
import { requireVisible } from '../kit/visible';
import { checkOrgId, isPlausibleId } from '../kit/ids';
import { money } from '../../platform/money';
import { readPage, toConnection, type PageArgs } from '../kit/pagination';
import { canReadCharging, canReadSwap, vehicleOwner, visibleLocation, type Ctx, type VehicleRep } from './access';
import { checkCity, loadStation } from './validation';
import { listChargers, listStations } from './data/network';
import { listPlans, type ChargeRow, type PlanRow, type SubscriptionRow } from './data/subscriptions';
import type { SwapRow } from './data/swaps';
import type { ChargingRow } from './data/charging';

const swapConnection = (rows: SwapRow[], limit: number) => toConnection(rows, limit, (s) => [s.swappedAt, s.id]);
const chargingConnection = (rows: ChargingRow[], limit: number) => toConnection(rows, limit, (c) => [c.startedAt, c.id]);

export const Query = {
  async stations(_: unknown, args: PageArgs & { city?: string | null }, ctx: Ctx) {
    const { limit, after } = readPage(args, ['text', 'text']);
    const city = checkCity(args.city);
    const rows = await listStations(ctx.db, city, after, limit + 1);
    return toConnection(rows, limit, (s) => [s.name, s.id]);
  },
  async station(_: unknown, args: { id: string }, ctx: Ctx) {
    if (!isPlausibleId(args.id)) return null;
    return ctx.loaders.station.load(args.id);
  },
  // Read and checked as the entity is (a spending line's `paidFor`); an id of no plausible shape is NOT_FOUND too.
  async swapSession(_: unknown, args: { id: string }, ctx: Ctx) {
    requireIdentity(ctx.identity);
    const swap = isPlausibleId(args.id) ? await ctx.loaders.swap.load(args.id) : null;
    return requireVisible(ctx.identity, swap, args.id, (who, s) => canReadSwap(who, s, ctx), 'swap session');
  },
  batteryPlans: (_: unknown, _args: unknown, ctx: Ctx) => listPlans(ctx.db),
  async chargers(_: unknown, args: PageArgs & { networkOrg?: string | null }, ctx: Ctx) {
    const { limit, after } = readPage(args, ['text', 'text']);
    const networkOrg = args.networkOrg == null ? null : checkOrgId(args.networkOrg, 'networkOrg', 'state-grid');
    const rows = await listChargers(ctx.db, networkOrg, after, limit + 1);
    return toConnection(rows, limit, (c) => [c.name, c.id]);
  },
  async stationSwaps(_: unknown, args: PageArgs & { stationId: string }, ctx: Ctx) {
    requireIdentity(ctx.identity);
    const { limit, after } = readPage(args, ['time', 'text']);
    const station = await loadStation(ctx, args.stationId);
    requirePartnerOf(ctx.identity, station.operatorOrg);
    return swapConnection(await ctx.loaders.swapsByStation.load({ parent: station.id, limit: limit + 1, after }), limit);
  },
};

export const entityResolvers = {
  SwapStation: {
    __resolveReference: (ref: { id: string }, ctx: Ctx) => (isPlausibleId(ref.id) ? ctx.loaders.station.load(ref.id) : null),
  },

  BatteryPlan: {
    monthlyFee: (p: PlanRow) => money(p.monthlyFeeFen),
    perSwapFee: (p: PlanRow) => money(p.perSwapFeeFen),
  },

  BatterySubscription: {
    async __resolveReference(ref: { id: string }, ctx: Ctx) {
      const sub = isPlausibleId(ref.id) ? await ctx.loaders.subscription.load(ref.id) : null;
      return sub && requireVisible(ctx.identity, sub, sub.id, (who, s) => canReadUser(who, s.userId), 'battery subscription');
    },
    vehicle: (s: SubscriptionRow) => ({ vin: s.vin }),
    userId: (s: SubscriptionRow, _: unknown, ctx: Ctx) => visibleUserId(ctx.identity, s.userId),
    plan: async (s: SubscriptionRow, _: unknown, ctx: Ctx) => (await ctx.loaders.plan.load(s.planId))!,
    async charges(s: SubscriptionRow, args: PageArgs, ctx: Ctx) {
      const { limit, after } = readPage(args, ['text', 'text']);
      const rows = await ctx.loaders.chargesBySubscription.load({ parent: s.id, limit: limit + 1, after });
      return toConnection(rows, limit, (c) => [c.period, c.id]);
    },
  },

  SubscriptionCharge: {
    amount: (c: ChargeRow) => money(c.amountFen),
  },

  SwapSession: {
    async __resolveReference(ref: { id: string }, ctx: Ctx) {
      requireIdentity(ctx.identity);
      const swap = isPlausibleId(ref.id) ? await ctx.loaders.swap.load(ref.id) : null;
      return swap && requireVisible(ctx.identity, swap, swap.id, (who, s) => canReadSwap(who, s, ctx), 'swap session');
    },
    station: async (s: SwapRow, _: unknown, ctx: Ctx) => (await ctx.loaders.station.load(s.stationId))!,
    vehicle: (s: SwapRow) => ({ vin: s.vin }),
    userId: (s: SwapRow, _: unknown, ctx: Ctx) => visibleUserId(ctx.identity, s.userId),
    fee: (s: SwapRow) => money(s.feeFen),
  },

  ChargingSession: {
    async __resolveReference(ref: { id: string }, ctx: Ctx) {
      requireIdentity(ctx.identity);
      const session = isPlausibleId(ref.id) ? await ctx.loaders.charging.load(ref.id) : null;
      return session && requireVisible(ctx.identity, session, session.id, canReadCharging, 'charging session');
    },
    vehicle: (c: ChargingRow) => ({ vin: c.vin }),
    userId: (c: ChargingRow, _: unknown, ctx: Ctx) => visibleUserId(ctx.identity, c.userId),
    location: (c: ChargingRow, _: unknown, ctx: Ctx) => visibleLocation(ctx.identity, c.location),
    // Which charger says where a person went as plainly as the location: analysts do not get it either.
    charger: (c: ChargingRow, _: unknown, ctx: Ctx) => (c.chargerId === null || shouldPseudonymise(ctx.identity) ? null : ctx.loaders.charger.load(c.chargerId)),
    fee: (c: ChargingRow) => money(c.feeFen),
  },

  Vehicle: {
    __resolveReference: (ref: VehicleRep) => ref,
    async batterySubscription(v: VehicleRep, _: unknown, ctx: Ctx) {
      const owner = vehicleOwner(v, ctx.identity);
      const sub = await ctx.loaders.activeSubscriptionByVin.load(v.vin);
      // A subscription left behind by a previous owner is not this owner's plan.
      return sub && sub.userId === owner ? sub : null;
    },
    async swapSessions(v: VehicleRep, args: PageArgs, ctx: Ctx) {
      const owner = vehicleOwner(v, ctx.identity);
      const { limit, after } = readPage(args, ['time', 'text']);
      return swapConnection(await ctx.loaders.swapsByVehicleOwner.load({ parent: [v.vin, owner], limit: limit + 1, after }), limit);
    },
    async chargingSessions(v: VehicleRep, args: PageArgs, ctx: Ctx) {
      const owner = vehicleOwner(v, ctx.identity);
      const { limit, after } = readPage(args, ['time', 'text']);
      return chargingConnection(await ctx.loaders.chargingByVehicleOwner.load({ parent: [v.vin, owner], limit: limit + 1, after }), limit);
    },
  },

  User: {
    __resolveReference: (ref: UserRef) => ref,
    async batterySubscriptions(u: UserRef, args: PageArgs, ctx: Ctx) {
      const userId = realUserId(ctx.identity, u);
      requireReadUser(ctx.identity, userId);
      const { limit, after } = readPage(args, ['time', 'text']);
      const rows = await ctx.loaders.subscriptionsByUser.load({ parent: userId, limit: limit + 1, after });
      return toConnection(rows, limit, (s) => [s.startedAt, s.id]);
    },
    async swapSessions(u: UserRef, args: PageArgs, ctx: Ctx) {
      const userId = realUserId(ctx.identity, u);
      requireReadUser(ctx.identity, userId);
      const { limit, after } = readPage(args, ['time', 'text']);
      return swapConnection(await ctx.loaders.swapsByUser.load({ parent: userId, limit: limit + 1, after }), limit);
    },
    async chargingSessions(u: UserRef, args: PageArgs, ctx: Ctx) {
      const userId = realUserId(ctx.identity, u);
      requireReadUser(ctx.identity, userId);
      const { limit, after } = readPage(args, ['time', 'text']);
      return chargingConnection(await ctx.loaders.chargingByUser.load({ parent: userId, limit: limit + 1, after }), limit);
    },
  },
};
