/**
 * Energy's writes: subscribing to and cancelling a battery plan, recording swaps (priced by the plan)
 * and charging sessions, and charging a subscription's month. Each validates its input, authorizes,
 * then writes in one transaction where a unique key or a row lock settles every race.
 */
import { canActAsUser, requirePartnerOf, requireRole } from '../kit/auth';
import { loadVisible, notVisible } from '../kit/visible';
import { badInput, conflict, notFound } from '../../platform/errors';
import { checkId, newId, parseVin } from '../kit/ids';
import type { Ctx } from './access';
import { checkChargingInput, checkPeriod, checkRecentTime, checkStateOfCharge, loadCharger, loadStation, type RecordChargingInput } from './validation';
import {
  cancelActiveSubscription,
  insertActiveSubscription,
  insertChargeOnce,
  lockActiveSubscriptionOfVin,
  lockSubscription,
  plansByIds,
} from './data/subscriptions';
import { countCoveredSwaps, insertSwap } from './data/swaps';
import { insertCharging } from './data/charging';
import { monthBounds, periodOf, priceSwap } from './fees';

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

interface RecordSwapInput {
  stationId: string;
  vin: string;
  swappedAt: Date;
  stateOfChargeBefore: number;
  stateOfChargeAfter: number;
}

export const Mutation = {
  async subscribeBatteryPlan(_: unknown, { input }: { input: { vin: string; planId: string } }, ctx: Ctx) {
    requireRole(ctx.identity, 'customer', 'admin');
    const vin = parseVin(input.vin);
    const plan = await ctx.loaders.plan.load(checkId(input.planId, 'planId'));
    if (!plan) throw notFound(`no battery plan ${input.planId}; see \`batteryPlans\``);
    const vehicle = await lookupVehicle(ctx, vin);
    // Someone else's vehicle is NOT_FOUND, word for word what orders answers for a VIN nobody has.
    if (!canActAsUser(ctx.identity, vehicle.ownerId)) throw notVisible('vehicle with VIN', vin);
    if (!vehicle.batteryRental) throw badInput(`vehicle ${vin} owns its battery; battery plans are for battery-rental vehicles`, 'vin');
    const now = new Date();
    return ctx.db.tx(async (q) => {
      const sub = await insertActiveSubscription(q, { id: newId('bsub'), vin, userId: vehicle.ownerId, planId: plan.id, startedAt: now });
      if (!sub) {
        throw conflict(
          `vehicle ${vin} already has an active battery subscription; cancel it before choosing another plan (a previous owner's subscription is cancelled by its holder or an admin)`,
        );
      }
      // The battery is rented from the first day, so the first month is paid at once.
      await insertChargeOnce(q, { id: newId('bchg'), subscriptionId: sub.id, period: periodOf(now), amountFen: plan.monthlyFeeFen, chargedAt: now });
      return sub;
    });
  },

  async cancelBatterySubscription(_: unknown, args: { id: string }, ctx: Ctx) {
    // A role that never cancels is FORBIDDEN; a customer's reach is their own subscriptions (others' are NOT_FOUND).
    requireRole(ctx.identity, 'customer', 'admin');
    const id = checkId(args.id, 'id');
    const existing = await loadVisible(ctx.identity, ctx.loaders.subscription, id, (who, s) => canActAsUser(who, s.userId), 'battery subscription');
    const cancelled = await ctx.db.tx((q) => cancelActiveSubscription(q, existing.id, new Date()));
    if (!cancelled) throw conflict(`battery subscription ${existing.id} is already cancelled`);
    return cancelled;
  },

  async recordSwap(_: unknown, { input }: { input: RecordSwapInput }, ctx: Ctx) {
    const who = requireRole(ctx.identity, 'partner', 'admin');
    const now = new Date();
    const stationId = checkId(input.stationId, 'stationId');
    const vin = parseVin(input.vin);
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
      const locked = await lockActiveSubscriptionOfVin(q, vin);
      const sub = locked && locked.userId === vehicle.ownerId && locked.startedAt.getTime() <= swappedAt.getTime() ? locked : null;
      const plan = sub ? (await plansByIds(q, [sub.planId]))[0] : null;
      let used = 0;
      if (sub) {
        const { start, end } = monthBounds(periodOf(swappedAt));
        used = await countCoveredSwaps(q, sub, start, end);
      }
      const price = priceSwap(plan, used);
      return insertSwap(q, {
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
    const { vin, startedAt, endedAt } = checkChargingInput(input, now);
    const vehicle = await lookupVehicle(ctx, vin);
    return ctx.db.tx((q) =>
      insertCharging(q, {
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
    checkPeriod(args.period);
    const now = new Date();
    return ctx.db.tx(async (q) => {
      // Locked so a concurrent cancel cannot slip between the life-span check and the charge.
      const sub = await lockSubscription(q, id);
      if (!sub) throw notVisible('battery subscription', id);
      const first = periodOf(sub.startedAt);
      const last = periodOf(sub.cancelledAt ?? now);
      if (args.period < first || args.period > last) {
        throw badInput(`\`period\` must be a month of the subscription's life, ${first} to ${last}`, 'period');
      }
      const plan = (await plansByIds(q, [sub.planId]))[0];
      const charge = await insertChargeOnce(q, { id: newId('bchg'), subscriptionId: sub.id, period: args.period, amountFen: plan.monthlyFeeFen, chargedAt: now });
      if (!charge) throw conflict(`${args.period} of battery subscription ${sub.id} is already charged`);
      return charge;
    });
  },
};
