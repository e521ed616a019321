/**
 * Resolvers of the orders subgraph: authorization and input checks here, SQL in `data.ts`, reads
 * through this request's loaders. Every mutation writes in one transaction and changes state only
 * through a conditional statement; when that statement matches nothing, the row is read again inside
 * the same transaction to tell the caller exactly why (unknown, not theirs, wrong state, wrong amount).
 */
import { canReadUser, NO_SUCH_PSEUDONYM, realUserId, requireIdentity, requireReadUser, requireRole, shouldPseudonymise, visiblePersonalText, visibleUser, visibleUserId, type UserRef } from '../kit/auth';
import { loadVisible, notVisible, requireVisible } from '../kit/visible';
import { badInput, conflict, forbidden, notFound } from '../../platform/errors';
import type { Identity } from '../../platform/identity';
import { isPlausibleId, newId } from '../kit/ids';
import { formatFen, money } from '../../platform/money';
import { readPageArgs, toConnection, type PageArgs } from '../kit/pagination';
import type { TxQueryable } from '../kit/db';
import { addYears } from '../kit/seed';
import type { SubgraphContext } from '../kit/subgraph';
import * as data from './data';
import type { Order, OrderStatus, PriceLine, StatusChange, TestDrive, TradeIn, Vehicle } from './data';
import { forgetChanged, type OrdersLoaders } from './loaders';
import { personOf } from './users';
import { quote, requireAvailableTrim, requireManufacturer } from './catalog';
import {
  checkIdempotencyKey,
  checkTestDriveTime,
  MAX_ACCESSORIES,
  MAX_APPRAISAL_FEN,
  parseVin,
  requestFingerprint,
  splitPrice,
} from './rules';

export type Ctx = SubgraphContext<OrdersLoaders>;

/**
 * What a vehicle's package entitles it to: the terms copied onto its order, with the maintenance years
 * counted from the day the car was handed over.
 */
function packageEntitlement(v: Vehicle, o: Order | null) {
  if (!o) throw new Error(`vehicle ${v.vin} has no order ${v.orderId}`);
  const { maintenanceServices, maintenanceYears, maintenanceAllowanceFen, fittedItems } = o.entitlement;
  return {
    packageId: o.packageId,
    maintenanceServices,
    maintenanceAllowancePerService: maintenanceAllowanceFen,
    maintenanceValidUntil: maintenanceServices > 0 ? addYears(v.deliveredAt, maintenanceYears) : null,
    fittedItems,
  };
}

// ---------------------------------------------------------------------------------------------------
// Who may do what
// ---------------------------------------------------------------------------------------------------

/** Requires a signed-in customer: buying is done by the buyer themself, never on their behalf. */
function requireCustomer(identity: Identity | null, action: string): Identity {
  const who = requireIdentity(identity);
  if (who.role !== 'customer') throw forbidden(`only customers can ${action}; your token has the role ${who.role}`);
  return who;
}

/** Requires a partner (with an organisation) or an admin; returns the organisation a partner is limited to. */
function requirePartnerOrAdmin(identity: Identity | null): { who: Identity; org: string | null } {
  const who = requireRole(identity, 'partner', 'admin');
  if (who.role !== 'partner') return { who, org: null };
  if (!who.org) throw forbidden('your partner token names no organisation');
  return { who, org: who.org };
}

const isPartnerOf = (identity: Identity | null, org: string) => identity?.role === 'partner' && identity.org === org;

/** The buyer, analysts, admins, other subgraphs, and partners of the manufacturer (who deliver it). */
const canReadOrder = (identity: Identity | null, o: Order) => canReadUser(identity, o.userId) || isPartnerOf(identity, o.manufacturerOrg);
/** The owner, analysts, admins, other subgraphs, and partners of the manufacturer. */
const canReadVehicle = (identity: Identity | null, v: Vehicle) => canReadUser(identity, v.ownerId) || isPartnerOf(identity, v.manufacturerOrg);
/**
 * The owner, analysts, admins, other subgraphs, and partners of the dealer it was asked of while it
 * waits for their appraisal. Once appraised, what a customer was offered is theirs again.
 */
const canReadTradeIn = (identity: Identity | null, t: TradeIn) =>
  canReadUser(identity, t.userId) || (t.status === 'REQUESTED' && t.dealerOrg !== null && isPartnerOf(identity, t.dealerOrg));

const canReadTestDrive = (identity: Identity | null, d: TestDrive) => canReadUser(identity, d.userId);


// ---------------------------------------------------------------------------------------------------
// Input checks
// ---------------------------------------------------------------------------------------------------

function checkId(value: string, field: string): string {
  if (!isPlausibleId(value)) throw badInput(`"${value.slice(0, 40)}" is not a valid id`, field);
  return value;
}

const optionalId = (value: string | null | undefined, field: string) => (value === null || value === undefined ? null : checkId(value, field));

/** Reads a connection's `first`/`after` for a list sorted by [time, id]. */
function timePage(args: PageArgs): { limit: number; after: [string, string] | null } {
  const { limit, after } = readPageArgs(args);
  if (after === null) return { limit, after: null };
  const [at, id] = after;
  if (after.length !== 2 || typeof at !== 'string' || typeof id !== 'string' || Number.isNaN(new Date(at).getTime())) {
    throw badInput('`after` is not a cursor returned by this field', 'after');
  }
  return { limit, after: [at, id] };
}

function checkPaymentAmount(amountFen: bigint): bigint {
  if (amountFen < 0n) throw badInput('amount must not be negative', 'amount');
  return amountFen;
}

// ---------------------------------------------------------------------------------------------------
// Explaining a conditional write that matched nothing
// ---------------------------------------------------------------------------------------------------

/** The order a conditional write matched nothing on, re-read in its transaction; one the caller may not see is NOT_FOUND like a missing one. */
async function orderForDiagnosis(q: TxQueryable, orderId: string, canSee: (o: Order) => boolean): Promise<Order> {
  const [o] = await data.ordersByIds(q, [orderId]);
  if (!o || !canSee(o)) throw notVisible('order', orderId);
  return o;
}

const STATUS_WORDS: Record<OrderStatus, string> = {
  PLACED: 'placed and unpaid',
  DEPOSIT_PAID: 'waiting for its balance',
  BALANCE_PAID: 'paid and waiting for delivery',
  DELIVERED: 'delivered',
  CANCELLED: 'cancelled',
};

/** Why a buyer's payment did not apply: someone else's order, the wrong state, or the wrong amount. */
async function explainRefusedPayment(q: TxQueryable, orderId: string, who: Identity, kind: 'deposit' | 'balance', amountFen: bigint): Promise<never> {
  const o = await orderForDiagnosis(q, orderId, (row) => row.userId === who.sub);
  const due = kind === 'deposit' ? o.depositFen : o.balanceDueFen;
  const expected: OrderStatus = kind === 'deposit' ? 'PLACED' : 'DEPOSIT_PAID';
  if (o.status !== expected) {
    if (o.status === 'CANCELLED') throw conflict(`order ${o.id} is cancelled`);
    if (kind === 'balance' && o.status === 'PLACED') throw conflict(`pay the deposit of order ${o.id} first`);
    throw conflict(`the ${kind} of order ${o.id} is already paid`);
  }
  if (amountFen !== due) throw badInput(`the ${kind} of order ${o.id} is ${formatFen(due)}; pay exactly that amount, not ${formatFen(amountFen)}`, 'amount');
  throw conflict(`order ${o.id} changed while paying; try again`);
}

async function explainUncreditableTradeIn(q: TxQueryable, tradeInId: string, userId: string, manufacturerOrg: string): Promise<never> {
  const [t] = await data.tradeInsByIds(q, [tradeInId]);
  if (!t || t.userId !== userId) throw notVisible('trade-in', tradeInId);
  if (t.status === 'REQUESTED') throw conflict(`trade-in ${tradeInId} has not been appraised yet; it can be credited once appraised`);
  if (t.status === 'APPRAISED' && t.appraisedByOrg !== null && t.appraisedByOrg !== manufacturerOrg) {
    throw conflict(`trade-in ${tradeInId} was appraised by ${t.appraisedByOrg}; its credit can only go to an order of a ${t.appraisedByOrg} car`);
  }
  if (t.status === 'CREDITED') throw conflict(`trade-in ${tradeInId} is already credited to order ${t.creditedOrderId}; a trade-in is credited once`);
  throw conflict(`trade-in ${tradeInId} changed while ordering; try again`);
}

/** Carries the order that already holds an idempotency key out of a transaction, rolling back whatever it wrote. */
class Replay extends Error {
  constructor(readonly order: Order) {
    super(`idempotent replay of order ${order.id}`);
  }
}

function replayed(order: Order, fingerprint: string, key: string): Order {
  if (order.requestFingerprint !== fingerprint) {
    throw conflict(`idempotencyKey "${key}" was already used for order ${order.id} with a different configuration; use a new key for a new order`);
  }
  return order;
}

const actor = (who: Identity) => ({ role: who.role, sub: who.sub });

/**
 * What the buyer still owes: a part is owed until it is paid. A cancelled order owes nothing (only an
 * unpaid order can be cancelled). The priced amounts stay on the order for `deposit` and `balance`.
 */
function owed(o: Order): { depositFen: bigint; balanceFen: bigint } {
  if (o.status === 'CANCELLED') return { depositFen: 0n, balanceFen: 0n };
  return { depositFen: o.depositPaidAt ? 0n : o.depositFen, balanceFen: o.balancePaidAt ? 0n : o.balanceDueFen };
}

// ---------------------------------------------------------------------------------------------------
// Resolvers
// ---------------------------------------------------------------------------------------------------

export const ordersResolvers = {
  Query: {
    me: (_: unknown, __: unknown, ctx: Ctx): UserRef => {
      const { sub } = requireIdentity(ctx.identity);
      return { id: sub, internalId: sub };
    },

    async user(_: unknown, args: { id: string }, ctx: Ctx): Promise<UserRef> {
      requireRole(ctx.identity, 'analyst', 'admin');
      const id = checkId(args.id, 'id');
      if (shouldPseudonymise(ctx.identity)) {
        // A real user id is never a pseudonym, so it is NOT_FOUND like an unknown pseudonym; the message
        // does not repeat the argument, so neither answer says anything about the id.
        const person = await personOf(ctx.identity, ctx.loaders, id);
        if (!person) throw notFound(NO_SUCH_PSEUDONYM);
        return person;
      }
      if (!(await ctx.loaders.userExists.load(id))) throw notFound(`there is no user ${id}`);
      return { id, internalId: id };
    },

    order: (_: unknown, args: { id: string }, ctx: Ctx): Promise<Order> =>
      loadVisible(ctx.identity, ctx.loaders.order, checkId(args.id, 'id'), canReadOrder, 'order'),

    vehicle: (_: unknown, args: { vin: string }, ctx: Ctx): Promise<Vehicle> =>
      loadVisible(ctx.identity, ctx.loaders.vehicle, parseVin(args.vin), canReadVehicle, 'vehicle with VIN'),

    tradeIn: (_: unknown, args: { id: string }, ctx: Ctx): Promise<TradeIn> =>
      loadVisible(ctx.identity, ctx.loaders.tradeIn, checkId(args.id, 'id'), canReadTradeIn, 'trade-in'),

    async tradeInsAwaitingAppraisal(_: unknown, args: PageArgs, ctx: Ctx) {
      // A partner's queue holds only what was asked of its own organisation.
      const { org } = requirePartnerOrAdmin(ctx.identity);
      const { limit, after } = timePage(args);
      const rows = await data.tradeInsAwaitingAppraisal(ctx.db, org, limit + 1, after);
      return toConnection(rows, limit, (t) => [t.requestedAt, t.id]);
    },

    async ordersAwaitingDelivery(_: unknown, args: PageArgs, ctx: Ctx) {
      const { org } = requirePartnerOrAdmin(ctx.identity);
      const { limit, after } = timePage(args);
      const rows = await data.ordersAwaitingDelivery(ctx.db, org, limit + 1, after);
      return toConnection(rows, limit, (o) => [o.balancePaidAt!, o.id]);
    },
  },

  User: {
    __resolveReference: (ref: UserRef, ctx: Ctx) => personOf(ctx.identity, ctx.loaders, ref.id),

    async orders(user: UserRef, args: PageArgs, ctx: Ctx) {
      const userId = realUserId(ctx.identity, user);
      requireReadUser(ctx.identity, userId);
      const { limit, after } = timePage(args);
      const rows = await ctx.loaders.ordersOfUser.load({ userId, limit: limit + 1, after });
      return toConnection(rows, limit, (o) => [o.placedAt, o.id]);
    },

    async vehicles(user: UserRef, args: PageArgs, ctx: Ctx) {
      const userId = realUserId(ctx.identity, user);
      requireReadUser(ctx.identity, userId);
      const { limit, after } = timePage(args);
      const rows = await ctx.loaders.vehiclesOfUser.load({ userId, limit: limit + 1, after });
      return toConnection(rows, limit, (v) => [v.deliveredAt, v.vin]);
    },

    async testDrives(user: UserRef, args: PageArgs, ctx: Ctx) {
      const userId = realUserId(ctx.identity, user);
      requireReadUser(ctx.identity, userId);
      const { limit, after } = timePage(args);
      const rows = await ctx.loaders.testDrivesOfUser.load({ userId, limit: limit + 1, after });
      return toConnection(rows, limit, (d) => [d.bookedAt, d.id]);
    },

    async tradeIns(user: UserRef, args: PageArgs, ctx: Ctx) {
      const userId = realUserId(ctx.identity, user);
      requireReadUser(ctx.identity, userId);
      const { limit, after } = timePage(args);
      const rows = await ctx.loaders.tradeInsOfUser.load({ userId, limit: limit + 1, after });
      return toConnection(rows, limit, (t) => [t.requestedAt, t.id]);
    },
  },

  Order: {
    async __resolveReference(ref: { id: string }, ctx: Ctx): Promise<Order | null> {
      const o = await ctx.loaders.order.load(ref.id);
      return o && requireVisible(ctx.identity, o, o.id, canReadOrder, 'order');
    },
    userId: (o: Order, _: unknown, ctx: Ctx) => visibleUserId(ctx.identity, o.userId),
    buyer: (o: Order, _: unknown, ctx: Ctx): UserRef => visibleUser(ctx.identity, o.userId),
    trim: (o: Order) => ({ id: o.trimId }),
    colour: (o: Order) => (o.colourId ? { id: o.colourId } : null),
    package: (o: Order) => (o.packageId ? { id: o.packageId } : null),
    accessories: (o: Order) => o.accessoryIds.map((id) => ({ id })),
    priceLines: (o: Order, _: unknown, ctx: Ctx) => ctx.loaders.priceLines.load(o.id),
    totalPrice: (o: Order) => money(o.totalFen),
    deposit: (o: Order) => money(o.depositFen),
    tradeInCredit: (o: Order) => money(o.tradeInCreditFen),
    financedAmount: (o: Order) => money(o.financedFen),
    balance: (o: Order) => money(o.balanceDueFen),
    depositDue: (o: Order) => money(owed(o).depositFen),
    balanceDue: (o: Order) => money(owed(o).balanceFen),
    amountDue: (o: Order) => money(owed(o).depositFen + owed(o).balanceFen),
    amountPaid: (o: Order) => money((o.depositPaidAt ? o.depositFen : 0n) + (o.balancePaidAt ? o.balanceDueFen : 0n)),
    tradeIn: (o: Order, _: unknown, ctx: Ctx) => (o.tradeInId ? ctx.loaders.tradeIn.load(o.tradeInId) : null),
    vehicle: (o: Order, _: unknown, ctx: Ctx) => (o.status === 'DELIVERED' ? ctx.loaders.vehicleOfOrder.load(o.id) : null),
    statusHistory: (o: Order, _: unknown, ctx: Ctx) => ctx.loaders.statusHistory.load(o.id),
  },

  OrderPriceLine: {
    amount: (l: PriceLine) => money(l.amountFen),
  },

  OrderStatusChange: {
    byRole: (c: StatusChange) => c.byRole.toUpperCase(),
  },

  Vehicle: {
    async __resolveReference(ref: { vin: string }, ctx: Ctx): Promise<Vehicle | null> {
      const v = await ctx.loaders.vehicle.load(ref.vin);
      return v && requireVisible(ctx.identity, v, v.vin, canReadVehicle, 'vehicle with VIN');
    },
    ownerId: (v: Vehicle, _: unknown, ctx: Ctx) => visibleUserId(ctx.identity, v.ownerId),
    // Fetched only by the gateway for other subgraphs' @requires (inaccessible to clients).
    internalOwnerId: (v: Vehicle) => v.ownerId,
    owner: (v: Vehicle, _: unknown, ctx: Ctx): UserRef => visibleUser(ctx.identity, v.ownerId),
    trim: (v: Vehicle) => ({ id: v.trimId }),
    order: (v: Vehicle, _: unknown, ctx: Ctx) => ctx.loaders.order.load(v.orderId),
    // Fetched only by the gateway for aftermarket's @requires (inaccessible to clients).
    packageEntitlement: async (v: Vehicle, _: unknown, ctx: Ctx) => packageEntitlement(v, await ctx.loaders.order.load(v.orderId)),
  },

  TestDrive: {
    async __resolveReference(ref: { id: string }, ctx: Ctx): Promise<TestDrive | null> {
      const d = await ctx.loaders.testDrive.load(ref.id);
      return d && requireVisible(ctx.identity, d, d.id, canReadTestDrive, 'test drive');
    },
    trim: (d: TestDrive) => ({ id: d.trimId }),
  },

  TradeIn: {
    async __resolveReference(ref: { id: string }, ctx: Ctx): Promise<TradeIn | null> {
      const t = await ctx.loaders.tradeIn.load(ref.id);
      return t && requireVisible(ctx.identity, t, t.id, canReadTradeIn, 'trade-in');
    },
    description: (t: TradeIn, _: unknown, ctx: Ctx) => visiblePersonalText(ctx.identity, t.description),
    appraisedValue: (t: TradeIn) => (t.appraisedValueFen === null ? null : money(t.appraisedValueFen)),
    async creditedOrder(t: TradeIn, _: unknown, ctx: Ctx): Promise<Order | null> {
      if (!t.creditedOrderId) return null;
      const o = await ctx.loaders.order.load(t.creditedOrderId);
      return o && requireVisible(ctx.identity, o, o.id, canReadOrder, 'order');
    },
  },

  Mutation: {
    async bookTestDrive(_: unknown, { input }: { input: { trimId: string; city: string; at: Date } }, ctx: Ctx): Promise<TestDrive> {
      const who = requireCustomer(ctx.identity, 'book test drives');
      const trimId = checkId(input.trimId, 'trimId');
      const city = input.city.trim();
      if (city.length < 1 || city.length > 100) throw badInput('city must be 1 to 100 characters', 'city');
      const now = new Date();
      checkTestDriveTime(input.at, now);
      await requireAvailableTrim(ctx.services, trimId);
      const drive = await ctx.db.tx((q) =>
        data.insertTestDrive(q, { id: newId('td'), userId: who.sub, trimId, city, at: input.at, status: 'BOOKED', bookedAt: now, cancelledAt: null }),
      );
      forgetChanged(ctx.loaders, { testDriveIds: [drive.id] });
      return drive;
    },

    async cancelTestDrive(_: unknown, args: { id: string }, ctx: Ctx): Promise<TestDrive> {
      const who = requireCustomer(ctx.identity, 'cancel test drives');
      const id = checkId(args.id, 'id');
      const now = new Date();
      const drive = await ctx.db.tx(async (q) => {
        const cancelled = await data.cancelTestDrive(q, id, who.sub, now);
        if (cancelled) return cancelled;
        const [d] = await data.testDrivesByIds(q, [id]);
        if (!d || d.userId !== who.sub) throw notVisible('test drive', id);
        if (d.status === 'CANCELLED') throw conflict(`test drive ${id} is already cancelled`);
        throw conflict(`test drive ${id} was at ${d.at.toISOString()}; a past test drive cannot be cancelled`);
      });
      forgetChanged(ctx.loaders, { testDriveIds: [id] });
      return drive;
    },

    async requestTradeIn(_: unknown, { input }: { input: { description: string; year: number; mileageKm: number; dealerOrg: string } }, ctx: Ctx): Promise<TradeIn> {
      const who = requireCustomer(ctx.identity, 'request trade-ins');
      const description = input.description.trim();
      if (description.length < 1 || description.length > 500) throw badInput('description must be 1 to 500 characters', 'description');
      const now = new Date();
      const latestYear = now.getUTCFullYear() + 1;
      if (input.year < 1980 || input.year > latestYear) throw badInput(`year must be from 1980 to ${latestYear}`, 'year');
      if (input.mileageKm < 0 || input.mileageKm > 2_000_000) throw badInput('mileageKm must be from 0 to 2000000', 'mileageKm');
      const dealerOrg = input.dealerOrg.trim();
      await requireManufacturer(ctx.services, dealerOrg, 'dealerOrg');
      const tradeIn = await ctx.db.tx((q) =>
        data.insertTradeIn(q, { id: newId('ti'), userId: who.sub, description, year: input.year, mileageKm: input.mileageKm, requestedAt: now, dealerOrg }),
      );
      forgetChanged(ctx.loaders, { tradeInIds: [tradeIn.id] });
      return tradeIn;
    },

    async appraiseTradeIn(_: unknown, args: { id: string; amount: bigint }, ctx: Ctx): Promise<TradeIn> {
      const { who, org } = requirePartnerOrAdmin(ctx.identity);
      const id = checkId(args.id, 'id');
      if (args.amount <= 0n) throw badInput('amount must be more than 0.00', 'amount');
      if (args.amount > MAX_APPRAISAL_FEN) throw badInput(`amount must be at most ${formatFen(MAX_APPRAISAL_FEN)}`, 'amount');
      const tradeIn = await ctx.db.tx(async (q) => {
        const appraised = await data.appraiseTradeIn(q, id, args.amount, new Date(), { ...actor(who), org });
        if (appraised) return appraised;
        const [t] = await data.tradeInsByIds(q, [id]);
        // Not asked of this partner's organisation: as if it did not exist.
        if (!t || (org !== null && t.dealerOrg !== org)) throw notVisible('trade-in', id);
        throw conflict(`trade-in ${id} is already ${t.status.toLowerCase()}; a trade-in is appraised once`);
      });
      forgetChanged(ctx.loaders, { tradeInIds: [id] });
      return tradeIn;
    },

    async placeOrder(
      _: unknown,
      {
        input,
      }: {
        input: {
          trimId: string;
          colourId?: string | null;
          packageId?: string | null;
          accessoryIds?: string[] | null;
          financedAmount?: bigint | null;
          tradeInId?: string | null;
          idempotencyKey: string;
        };
      },
      ctx: Ctx,
    ): Promise<Order> {
      const who = requireCustomer(ctx.identity, 'place orders');
      const key = checkIdempotencyKey(input.idempotencyKey);
      const trimId = checkId(input.trimId, 'trimId');
      const colourId = optionalId(input.colourId, 'colourId');
      const packageId = optionalId(input.packageId, 'packageId');
      const accessoryIds = (input.accessoryIds ?? []).map((id) => checkId(id, 'accessoryIds'));
      if (accessoryIds.length > MAX_ACCESSORIES) throw badInput(`at most ${MAX_ACCESSORIES} accessories per order`, 'accessoryIds');
      const repeated = accessoryIds.find((id, i) => accessoryIds.indexOf(id) !== i);
      if (repeated) throw badInput(`accessory ${repeated} is listed twice; list each accessory once`, 'accessoryIds');
      const financedFen = input.financedAmount ?? 0n;
      if (financedFen < 0n) throw badInput('financedAmount must not be negative', 'financedAmount');
      const tradeInId = optionalId(input.tradeInId, 'tradeInId');
      const fingerprint = requestFingerprint({ trimId, colourId, packageId, accessoryIds, financedFen, tradeInId });

      // A retry of an order already placed is answered from the order itself, before asking the catalog.
      const earlier = await data.orderByIdempotencyKey(ctx.db, who.sub, key);
      if (earlier) return replayed(earlier, fingerprint, key);

      const priced = await quote(ctx.services, { trimId, colourId, packageId, accessoryIds });
      let order: Order;
      try {
        order = await ctx.db.tx(async (q) => {
          const id = newId('ord');
          const now = new Date();
          let tradeInCreditFen = 0n;
          if (tradeInId) {
            const credit = await data.creditTradeIn(q, tradeInId, who.sub, id, priced.manufacturerOrg);
            if (credit === null) {
              // A concurrent request with the same key may have credited it: then that order is the answer.
              const winner = await data.orderByIdempotencyKey(q, who.sub, key);
              if (winner) throw new Replay(winner);
              await explainUncreditableTradeIn(q, tradeInId, who.sub, priced.manufacturerOrg);
            }
            tradeInCreditFen = credit!;
          }
          const split = splitPrice(priced.totalFen, tradeInCreditFen, financedFen);
          const inserted = await data.insertOrder(q, {
            id,
            userId: who.sub,
            idempotencyKey: key,
            requestFingerprint: fingerprint,
            trimId,
            trimName: priced.trimName,
            colourId,
            packageId: priced.packageId,
            entitlement: priced.entitlement,
            accessoryIds,
            batteryRental: priced.batteryRental,
            manufacturerOrg: priced.manufacturerOrg,
            ...split,
            tradeInId,
            placedAt: now,
          });
          if (!inserted) {
            // The same key committed by a concurrent request while this one waited on the unique index.
            const winner = await data.orderByIdempotencyKey(q, who.sub, key);
            if (!winner) throw new Error(`order under idempotency key of ${who.sub} vanished`);
            throw new Replay(winner);
          }
          await data.insertPriceLines(q, id, priced.lines);
          await data.insertStatusChange(q, id, 'PLACED', now, actor(who));
          return inserted;
        });
      } catch (err) {
        if (err instanceof Replay) return replayed(err.order, fingerprint, key);
        throw err;
      }
      forgetChanged(ctx.loaders, { orderIds: [order.id], tradeInIds: tradeInId ? [tradeInId] : [] });
      return order;
    },

    async payDeposit(_: unknown, args: { orderId: string; amount: bigint }, ctx: Ctx): Promise<Order> {
      const who = requireCustomer(ctx.identity, 'pay for orders');
      const orderId = checkId(args.orderId, 'orderId');
      const amount = checkPaymentAmount(args.amount);
      const order = await ctx.db.tx(async (q) => {
        const now = new Date();
        const paid = await data.payDeposit(q, orderId, who.sub, amount, now);
        if (!paid) return explainRefusedPayment(q, orderId, who, 'deposit', amount);
        await data.insertStatusChange(q, orderId, 'DEPOSIT_PAID', now, actor(who));
        return paid;
      });
      forgetChanged(ctx.loaders, { orderIds: [orderId] });
      return order;
    },

    async payBalance(_: unknown, args: { orderId: string; amount: bigint }, ctx: Ctx): Promise<Order> {
      const who = requireCustomer(ctx.identity, 'pay for orders');
      const orderId = checkId(args.orderId, 'orderId');
      const amount = checkPaymentAmount(args.amount);
      const order = await ctx.db.tx(async (q) => {
        const now = new Date();
        const paid = await data.payBalance(q, orderId, who.sub, amount, now);
        if (!paid) return explainRefusedPayment(q, orderId, who, 'balance', amount);
        await data.insertStatusChange(q, orderId, 'BALANCE_PAID', now, actor(who));
        return paid;
      });
      forgetChanged(ctx.loaders, { orderIds: [orderId] });
      return order;
    },

    async deliverOrder(_: unknown, args: { orderId: string; vin: string }, ctx: Ctx): Promise<Order> {
      const { who, org } = requirePartnerOrAdmin(ctx.identity);
      const orderId = checkId(args.orderId, 'orderId');
      const vin = parseVin(args.vin);
      const order = await ctx.db.tx(async (q) => {
        const now = new Date();
        const delivered = await data.markDelivered(q, orderId, org, now);
        if (!delivered) {
          // A partner of another manufacturer is told nothing about the order: NOT_FOUND like a missing one.
          const o = await orderForDiagnosis(q, orderId, (row) => org === null || row.manufacturerOrg === org);
          if (o.status === 'DELIVERED') throw conflict(`order ${o.id} is already delivered`);
          throw conflict(`order ${o.id} is ${STATUS_WORDS[o.status]}; only an order whose balance is paid can be delivered`);
        }
        const vehicle = await data.insertVehicle(q, {
          vin,
          orderId,
          ownerId: delivered.userId,
          trimId: delivered.trimId,
          batteryRental: delivered.batteryRental,
          manufacturerOrg: delivered.manufacturerOrg,
          deliveredAt: now,
        });
        if (!vehicle) throw conflict(`VIN ${vin} is already registered to another vehicle; check the VIN`);
        await data.insertStatusChange(q, orderId, 'DELIVERED', now, actor(who));
        return delivered;
      });
      forgetChanged(ctx.loaders, { orderIds: [orderId] });
      return order;
    },

    async cancelOrder(_: unknown, args: { orderId: string }, ctx: Ctx): Promise<Order> {
      const who = requireCustomer(ctx.identity, 'cancel orders');
      const orderId = checkId(args.orderId, 'orderId');
      const order = await ctx.db.tx(async (q) => {
        const now = new Date();
        const cancelled = await data.cancelOrder(q, orderId, who.sub, now);
        if (!cancelled) {
          const o = await orderForDiagnosis(q, orderId, (row) => row.userId === who.sub);
          if (o.status === 'CANCELLED') throw conflict(`order ${o.id} is already cancelled`);
          throw conflict(`order ${o.id} is ${STATUS_WORDS[o.status]}; only an order with nothing paid can be cancelled`);
        }
        if (cancelled.tradeInId) await data.releaseTradeIn(q, cancelled.tradeInId, cancelled.id);
        await data.insertStatusChange(q, orderId, 'CANCELLED', now, actor(who));
        return cancelled;
      });
      forgetChanged(ctx.loaders, { orderIds: [orderId], tradeInIds: order.tradeInId ? [order.tradeInId] : [] });
      return order;
    },
  },
};
