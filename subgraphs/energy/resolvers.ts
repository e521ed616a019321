/**
 * Resolvers of the energy subgraph: authorization and input validation here, SQL in `data.ts`,
 * batching in `loaders.ts`, prices in `fees.ts`.
 */
import { canActAsUser, canReadUser, realUserId, type UserRef, requireIdentity, requirePartnerOf, requireReadUser, requireRole, requireActAsUser, shouldPseudonymise, visiblePersonalText, visibleUserId } from '../kit/auth';
import { lineToWire, readableUserId, spendingContributorResolvers, type SpendingLinePageRef } from '../kit/contributor';
import { loadVisible, notVisible, requireVisible } from '../kit/visible';
import { badInput, conflict, forbidden, notFound } from '../../platform/errors';
import { isPlausibleId, newId } from '../kit/ids';
import type { Identity } from '../../platform/identity';
import { money } from '../../platform/money';
import { readPageArgs, toConnection, type PageArgs } from '../kit/pagination';
import type { SubgraphContext } from '../kit/subgraph';
import * as data from './data';
import type { EnergyLoaders } from './loaders';
import {
  FUTURE_SKEW_MS,
  isPeriod,
  MAX_BACKDATE_DAYS,
  MAX_CHARGING_FEE_FEN,
  MAX_CHARGING_HOURS,
  MAX_ENERGY_WH,
  MIN_ENERGY_WH,
  monthBounds,
  periodOf,
  priceSwap,
  VIN_RE,
} from './fees';

type Ctx = SubgraphContext<EnergyLoaders>;

// ---------------------------------------------------------------------------------------------------
// Helpers

/** Reads page arguments whose cursor is `[sortValue, id]`; anything else is not one of our cursors. */
function pageArgs(args: PageArgs, sort: 'time' | 'text'): { limit: number; after: data.PageAfter } {
  const { limit, after } = readPageArgs(args);
  if (after === null) return { limit, after: null };
  const [value, id] = after;
  const ok =
    after.length === 2 &&
    typeof value === 'string' &&
    typeof id === 'string' &&
    id.length <= 64 &&
    value.length <= 200 &&
    (sort === 'text' || !Number.isNaN(new Date(value).getTime()));
  if (!ok) throw badInput('`after` is not a cursor returned by this field', 'after');
  return { limit, after: [sort === 'time' ? new Date(value as string) : (value as string), id as string] };
}

/** Refuses an id that can never be one of ours (too long, odd characters) before it reaches SQL. */
function checkId(value: string, field: string): string {
  if (!isPlausibleId(value)) throw badInput(`\`${field}\` is not a valid id`, field);
  return value;
}

/** Normalises and checks a VIN (lower case is accepted, as orders does). */
function checkVin(value: string): string {
  const vin = value.trim().toUpperCase();
  if (!VIN_RE.test(vin)) throw badInput('`vin` must be 17 characters from 0-9 and A-Z without I, O and Q', 'vin');
  return vin;
}

/** Checks that an event time lies within the last MAX_BACKDATE_DAYS and not in the future. */
function checkRecentTime(at: Date, field: string, now: Date): Date {
  if (at.getTime() > now.getTime() + FUTURE_SKEW_MS) throw badInput(`\`${field}\` is in the future`, field);
  if (at.getTime() < now.getTime() - MAX_BACKDATE_DAYS * 86_400_000) {
    throw badInput(`\`${field}\` is more than ${MAX_BACKDATE_DAYS} days ago; older events cannot be recorded`, field);
  }
  return at;
}

function checkStateOfCharge(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 100) throw badInput(`\`${field}\` must be a whole percentage from 0 to 100`, field);
  return value;
}

/** Organisation ids as tokens carry them: lower-case words joined by hyphens, e.g. `state-grid`. */
const ORG_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;

interface OwnedVehicle {
  vin: string;
  ownerId: string;
  batteryRental: boolean;
  trim: { id: string };
}

const VEHICLE_QUERY = 'query($v:String!){ vehicle(vin:$v){ vin ownerId batteryRental trim { id } } }';
const TRIM_QUERY = 'query($t:ID!){ trim(id:$t){ id name swapCapable } }';

/**
 * Asks orders (the owner of vehicles) who owns `vin`. A vehicle exists from its delivery on, so an
 * unknown VIN — never sold, or not delivered yet — is NOT_FOUND, as orders says.
 */
async function lookupVehicle(ctx: Ctx, vin: string): Promise<OwnedVehicle> {
  const res = await ctx.services.call<{ vehicle: OwnedVehicle | null }>('orders', VEHICLE_QUERY, { v: vin });
  if (!res.vehicle) throw notFound(`no delivered vehicle with VIN ${vin}`);
  return res.vehicle;
}

/**
 * Refuses a swap for a vehicle whose trim has no swappable battery (the catalog's `swapCapable`;
 * every battery-rental trim is): nothing was swapped, so nothing may be billed.
 */
async function requireSwapCapable(ctx: Ctx, vehicle: OwnedVehicle): Promise<void> {
  if (vehicle.batteryRental) return;
  const { trim } = await ctx.services.call<{ trim: { id: string; name: string; swapCapable: boolean } | null }>('catalog', TRIM_QUERY, { t: vehicle.trim.id });
  if (!trim?.swapCapable) {
    throw badInput(`vehicle ${vehicle.vin} (trim ${trim?.name ?? vehicle.trim.id}) cannot swap its battery; swaps are recorded only for swap-capable trims`, 'vin');
  }
}

async function loadCharger(ctx: Ctx, id: string): Promise<data.ChargerRow> {
  const charger = await ctx.loaders.charger.load(checkId(id, 'chargerId'));
  if (!charger) throw notFound(`no charger ${id}; see \`chargers\` for the list`);
  return charger;
}

async function loadStation(ctx: Ctx, id: string): Promise<data.StationRow> {
  const station = await ctx.loaders.station.load(checkId(id, 'stationId'));
  if (!station) throw notFound(`no swap station ${id}; see \`stations\` for the list`);
  return station;
}

/** Who may read a swap: its payer (and those who may read them), or a partner of the station's operator. */
async function canReadSwap(identity: Identity | null, swap: data.SwapRow, ctx: Ctx): Promise<boolean> {
  if (canReadUser(identity, swap.userId)) return true;
  if (identity?.role !== 'partner') return false;
  const station = await ctx.loaders.station.load(swap.stationId);
  return station?.operatorOrg === identity.org;
}

/** Who may read a charging session: its payer (and those who may read them), or a partner of its network. */
function canReadCharging(identity: Identity | null, session: data.ChargingRow): boolean {
  return canReadUser(identity, session.userId) || (identity?.role === 'partner' && identity.org === session.networkOrg);
}

/**
 * Where a car was charged is free text a network typed (a car park, a home address) and says where a
 * person goes: analysts, who see people only pseudonymised, do not get it.
 */
function visibleLocation(identity: Identity | null, location: string): string | null {
  return visiblePersonalText(identity, location);
}

/** The spending line of a charging session as an analyst sees it: without the location its description names. */
const ANALYST_CHARGING_DESCRIPTION = 'Charging session';

const contributor = spendingContributorResolvers('energy');

const swapConnection = (rows: data.SwapRow[], limit: number) => toConnection(rows, limit, (s) => [s.swappedAt, s.id]);
const chargingConnection = (rows: data.ChargingRow[], limit: number) => toConnection(rows, limit, (c) => [c.startedAt, c.id]);

/**
 * A Vehicle as the gateway hands it over: its key, plus its owner's real user id (from orders, via
 * @requires of the inaccessible `internalOwnerId`: the public `ownerId` is a pseudonym for analysts).
 */
interface VehicleRep {
  vin: string;
  internalOwnerId?: string;
}

/** The vehicle's owner, once the caller is allowed to read that owner's data. */
function vehicleOwner(vehicle: VehicleRep, identity: Identity | null): string {
  requireIdentity(identity);
  // The owner always arrives through @requires; without it nobody can be shown another person's data.
  if (!vehicle.internalOwnerId) throw forbidden('the vehicle owner is unknown');
  requireReadUser(identity, vehicle.internalOwnerId);
  return vehicle.internalOwnerId;
}

// ---------------------------------------------------------------------------------------------------
// Resolvers

interface RecordSwapInput {
  stationId: string;
  vin: string;
  swappedAt: Date;
  stateOfChargeBefore: number;
  stateOfChargeAfter: number;
}

interface RecordChargingInput {
  vin: string;
  chargerId: string;
  startedAt: Date;
  endedAt: Date;
  energyWh: number;
  fee: bigint;
}

export const resolvers = {
  ...contributor,
  SpendingLinePage: {
    ...contributor.SpendingLinePage,
    // The kit's resolver, except that analysts get charging lines without the location.
    async energyLines(ref: SpendingLinePageRef, _args: unknown, ctx: Ctx) {
      const lines = (await ctx.loaders.spending.lines.load({ ...ref, userId: readableUserId(ref, ctx) })).map(lineToWire);
      if (!shouldPseudonymise(ctx.identity)) return lines;
      return lines.map((l) => (l.category === 'CHARGING' ? { ...l, description: ANALYST_CHARGING_DESCRIPTION } : l));
    },
  },

  Query: {
    async stations(_: unknown, args: PageArgs & { city?: string | null }, ctx: Ctx) {
      const { limit, after } = pageArgs(args, 'text');
      const city = args.city ?? null;
      if (city !== null && (city.length === 0 || city.length > 100)) throw badInput('`city` must be 1 to 100 characters', 'city');
      const rows = await data.listStations(ctx.db, city, after, limit + 1);
      return toConnection(rows, limit, (s) => [s.name, s.id]);
    },
    async station(_: unknown, args: { id: string }, ctx: Ctx) {
      if (!isPlausibleId(args.id)) return null;
      return ctx.loaders.station.load(args.id);
    },
    batteryPlans: (_: unknown, _args: unknown, ctx: Ctx) => data.listPlans(ctx.db),
    async chargers(_: unknown, args: PageArgs & { networkOrg?: string | null }, ctx: Ctx) {
      const { limit, after } = pageArgs(args, 'text');
      const networkOrg = args.networkOrg ?? null;
      if (networkOrg !== null && !ORG_RE.test(networkOrg)) throw badInput('`networkOrg` must be an organisation id such as "state-grid"', 'networkOrg');
      const rows = await data.listChargers(ctx.db, networkOrg, after, limit + 1);
      return toConnection(rows, limit, (c) => [c.name, c.id]);
    },
    async stationSwaps(_: unknown, args: PageArgs & { stationId: string }, ctx: Ctx) {
      requireIdentity(ctx.identity);
      const { limit, after } = pageArgs(args, 'time');
      const station = await loadStation(ctx, args.stationId);
      requirePartnerOf(ctx.identity, station.operatorOrg);
      return swapConnection(await ctx.loaders.swapsByStation.load({ parent: station.id, limit, after }), limit);
    },
  },

  Mutation: {
    async subscribeBatteryPlan(_: unknown, { input }: { input: { vin: string; planId: string } }, ctx: Ctx) {
      requireRole(ctx.identity, 'customer', 'admin');
      const vin = checkVin(input.vin);
      const plan = await ctx.loaders.plan.load(checkId(input.planId, 'planId'));
      if (!plan) throw notFound(`no battery plan ${input.planId}; see \`batteryPlans\``);
      const vehicle = await lookupVehicle(ctx, vin);
      // Someone else's vehicle is NOT_FOUND, word for word what orders answers for a VIN nobody has.
      if (!canActAsUser(ctx.identity, vehicle.ownerId)) throw notVisible('vehicle with VIN', vin);
      if (!vehicle.batteryRental) throw badInput(`vehicle ${vin} owns its battery; battery plans are for battery-rental vehicles`, 'vin');
      const now = new Date();
      return ctx.db.tx(async (q) => {
        const sub = await data.insertActiveSubscription(q, { id: newId('bsub'), vin, userId: vehicle.ownerId, planId: plan.id, startedAt: now });
        if (!sub) {
          throw conflict(
            `vehicle ${vin} already has an active battery subscription; cancel it before choosing another plan (a previous owner's subscription is cancelled by its holder or an admin)`,
          );
        }
        // The battery is rented from the first day, so the first month is paid at once.
        await data.insertChargeOnce(q, { id: newId('bchg'), subscriptionId: sub.id, period: periodOf(now), amountFen: plan.monthlyFeeFen, chargedAt: now });
        return sub;
      });
    },

    async cancelBatterySubscription(_: unknown, args: { id: string }, ctx: Ctx) {
      // A role that never cancels is FORBIDDEN; a customer's reach is their own subscriptions (others' are NOT_FOUND).
      requireRole(ctx.identity, 'customer', 'admin');
      const id = checkId(args.id, 'id');
      const existing = await loadVisible(ctx.identity, ctx.loaders.subscription, id, (who, s) => canActAsUser(who, s.userId), 'battery subscription');
      const cancelled = await ctx.db.tx((q) => data.cancelActiveSubscription(q, existing.id, new Date()));
      if (!cancelled) throw conflict(`battery subscription ${existing.id} is already cancelled`);
      return cancelled;
    },

    async recordSwap(_: unknown, { input }: { input: RecordSwapInput }, ctx: Ctx) {
      const who = requireRole(ctx.identity, 'partner', 'admin');
      const now = new Date();
      const stationId = checkId(input.stationId, 'stationId');
      const vin = checkVin(input.vin);
      const swappedAt = checkRecentTime(input.swappedAt, 'swappedAt', now);
      const socBefore = checkStateOfCharge(input.stateOfChargeBefore, 'stateOfChargeBefore');
      const socAfter = checkStateOfCharge(input.stateOfChargeAfter, 'stateOfChargeAfter');
      const station = await loadStation(ctx, stationId);
      requirePartnerOf(ctx.identity, station.operatorOrg);
      if (!station.active) throw conflict(`station ${station.id} is closed and takes no swaps`);
      const vehicle = await lookupVehicle(ctx, vin);
      await requireSwapCapable(ctx, vehicle);
      return ctx.db.tx(async (q) => {
        // Locking the plan's subscription serialises concurrent swaps of one vehicle, so two swaps can
        // never both take the month's last included swap.
        const locked = await data.lockActiveSubscriptionOfVin(q, vin);
        const sub = locked && locked.userId === vehicle.ownerId && locked.startedAt.getTime() <= swappedAt.getTime() ? locked : null;
        const plan = sub ? (await data.plansByIds(q, [sub.planId]))[0] : null;
        let used = 0;
        if (sub) {
          const { start, end } = monthBounds(periodOf(swappedAt));
          used = await data.countCoveredSwaps(q, sub, start, end);
        }
        const price = priceSwap(plan, used);
        return data.insertSwap(q, {
          id: newId('swp'),
          stationId: station.id,
          vin,
          userId: vehicle.ownerId,
          swappedAt,
          feeFen: price.feeFen,
          subscriptionId: sub?.id ?? null,
          coveredByPlan: price.coveredByPlan,
          stateOfChargeBefore: socBefore,
          stateOfChargeAfter: socAfter,
          recordedBy: who.sub,
        });
      });
    },

    async recordCharging(_: unknown, { input }: { input: RecordChargingInput }, ctx: Ctx) {
      const who = requireRole(ctx.identity, 'partner', 'admin');
      // The session is billed by the network operating the charger: only that network's partners (or
      // an admin) may record it, so no other organisation can bill a customer's car.
      const charger = await loadCharger(ctx, input.chargerId);
      requirePartnerOf(who, charger.networkOrg);
      const now = new Date();
      const vin = checkVin(input.vin);
      const startedAt = checkRecentTime(input.startedAt, 'startedAt', now);
      const endedAt = checkRecentTime(input.endedAt, 'endedAt', now);
      if (endedAt.getTime() <= startedAt.getTime()) throw badInput('`endedAt` must be after `startedAt`', 'endedAt');
      if (endedAt.getTime() - startedAt.getTime() > MAX_CHARGING_HOURS * 3_600_000) {
        throw badInput(`a charging session lasts at most ${MAX_CHARGING_HOURS} hours`, 'endedAt');
      }
      if (!Number.isInteger(input.energyWh) || input.energyWh < MIN_ENERGY_WH || input.energyWh > MAX_ENERGY_WH) {
        throw badInput(`\`energyWh\` must be a whole number of watt-hours from ${MIN_ENERGY_WH} to ${MAX_ENERGY_WH}`, 'energyWh');
      }
      if (input.fee < 0n) throw badInput('`fee` must not be negative', 'fee');
      if (input.fee > MAX_CHARGING_FEE_FEN) throw badInput('`fee` must be at most 10000.00', 'fee');
      const vehicle = await lookupVehicle(ctx, vin);
      return ctx.db.tx((q) =>
        data.insertCharging(q, {
          id: newId('chg'),
          vin,
          userId: vehicle.ownerId,
          chargerId: charger.id,
          networkOrg: charger.networkOrg,
          // Where the car was charged is where the charger is.
          location: charger.name,
          startedAt,
          endedAt,
          energyWh: input.energyWh,
          feeFen: input.fee,
          recordedBy: who.sub,
        }),
      );
    },

    async chargeSubscriptionMonth(_: unknown, args: { subscriptionId: string; period: string }, ctx: Ctx) {
      requireRole(ctx.identity, 'admin');
      const id = checkId(args.subscriptionId, 'subscriptionId');
      if (!isPeriod(args.period)) throw badInput('`period` must be a month "YYYY-MM", e.g. "2026-10"', 'period');
      const now = new Date();
      return ctx.db.tx(async (q) => {
        // Locked so a concurrent cancel cannot slip between the life-span check and the charge.
        const sub = await data.lockSubscription(q, id);
        if (!sub) throw notVisible('battery subscription', id);
        const first = periodOf(sub.startedAt);
        const last = periodOf(sub.cancelledAt ?? now);
        if (args.period < first || args.period > last) {
          throw badInput(`\`period\` must be a month of the subscription's life, ${first} to ${last}`, 'period');
        }
        const plan = (await data.plansByIds(q, [sub.planId]))[0];
        const charge = await data.insertChargeOnce(q, { id: newId('bchg'), subscriptionId: sub.id, period: args.period, amountFen: plan.monthlyFeeFen, chargedAt: now });
        if (!charge) throw conflict(`${args.period} of battery subscription ${sub.id} is already charged`);
        return charge;
      });
    },
  },

  SwapStation: {
    __resolveReference: (ref: { id: string }, ctx: Ctx) => (isPlausibleId(ref.id) ? ctx.loaders.station.load(ref.id) : null),
  },

  BatteryPlan: {
    monthlyFee: (p: data.PlanRow) => money(p.monthlyFeeFen),
    perSwapFee: (p: data.PlanRow) => money(p.perSwapFeeFen),
  },

  BatterySubscription: {
    async __resolveReference(ref: { id: string }, ctx: Ctx) {
      const sub = isPlausibleId(ref.id) ? await ctx.loaders.subscription.load(ref.id) : null;
      return sub && requireVisible(ctx.identity, sub, sub.id, (who, s) => canReadUser(who, s.userId), 'battery subscription');
    },
    vehicle: (s: data.SubscriptionRow) => ({ vin: s.vin }),
    userId: (s: data.SubscriptionRow, _: unknown, ctx: Ctx) => visibleUserId(ctx.identity, s.userId),
    plan: async (s: data.SubscriptionRow, _: unknown, ctx: Ctx) => (await ctx.loaders.plan.load(s.planId))!,
    async charges(s: data.SubscriptionRow, args: PageArgs, ctx: Ctx) {
      const { limit, after } = pageArgs(args, 'text');
      const rows = await ctx.loaders.chargesBySubscription.load({ parent: s.id, limit, after });
      return toConnection(rows, limit, (c) => [c.period, c.id]);
    },
  },

  SubscriptionCharge: {
    amount: (c: data.ChargeRow) => money(c.amountFen),
  },

  SwapSession: {
    async __resolveReference(ref: { id: string }, ctx: Ctx) {
      requireIdentity(ctx.identity);
      const swap = isPlausibleId(ref.id) ? await ctx.loaders.swap.load(ref.id) : null;
      return swap && requireVisible(ctx.identity, swap, swap.id, (who, s) => canReadSwap(who, s, ctx), 'swap session');
    },
    station: async (s: data.SwapRow, _: unknown, ctx: Ctx) => (await ctx.loaders.station.load(s.stationId))!,
    vehicle: (s: data.SwapRow) => ({ vin: s.vin }),
    userId: (s: data.SwapRow, _: unknown, ctx: Ctx) => visibleUserId(ctx.identity, s.userId),
    fee: (s: data.SwapRow) => money(s.feeFen),
  },

  ChargingSession: {
    async __resolveReference(ref: { id: string }, ctx: Ctx) {
      requireIdentity(ctx.identity);
      const session = isPlausibleId(ref.id) ? await ctx.loaders.charging.load(ref.id) : null;
      return session && requireVisible(ctx.identity, session, session.id, canReadCharging, 'charging session');
    },
    vehicle: (c: data.ChargingRow) => ({ vin: c.vin }),
    userId: (c: data.ChargingRow, _: unknown, ctx: Ctx) => visibleUserId(ctx.identity, c.userId),
    location: (c: data.ChargingRow, _: unknown, ctx: Ctx) => visibleLocation(ctx.identity, c.location),
    // Which charger says where a person went as plainly as the location: analysts do not get it either.
    charger: (c: data.ChargingRow, _: unknown, ctx: Ctx) => (c.chargerId === null || shouldPseudonymise(ctx.identity) ? null : ctx.loaders.charger.load(c.chargerId)),
    fee: (c: data.ChargingRow) => money(c.feeFen),
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
      const { limit, after } = pageArgs(args, 'time');
      return swapConnection(await ctx.loaders.swapsByVehicleOwner.load({ parent: [v.vin, owner], limit, after }), limit);
    },
    async chargingSessions(v: VehicleRep, args: PageArgs, ctx: Ctx) {
      const owner = vehicleOwner(v, ctx.identity);
      const { limit, after } = pageArgs(args, 'time');
      return chargingConnection(await ctx.loaders.chargingByVehicleOwner.load({ parent: [v.vin, owner], limit, after }), limit);
    },
  },

  User: {
    __resolveReference: (ref: UserRef) => ref,
    async batterySubscriptions(u: UserRef, args: PageArgs, ctx: Ctx) {
      const userId = realUserId(ctx.identity, u);
      requireReadUser(ctx.identity, userId);
      const { limit, after } = pageArgs(args, 'time');
      const rows = await ctx.loaders.subscriptionsByUser.load({ parent: userId, limit, after });
      return toConnection(rows, limit, (s) => [s.startedAt, s.id]);
    },
    async swapSessions(u: UserRef, args: PageArgs, ctx: Ctx) {
      const userId = realUserId(ctx.identity, u);
      requireReadUser(ctx.identity, userId);
      const { limit, after } = pageArgs(args, 'time');
      return swapConnection(await ctx.loaders.swapsByUser.load({ parent: userId, limit, after }), limit);
    },
    async chargingSessions(u: UserRef, args: PageArgs, ctx: Ctx) {
      const userId = realUserId(ctx.identity, u);
      requireReadUser(ctx.identity, userId);
      const { limit, after } = pageArgs(args, 'time');
      return chargingConnection(await ctx.loaders.chargingByUser.load({ parent: userId, limit, after }), limit);
    },
  },
};
