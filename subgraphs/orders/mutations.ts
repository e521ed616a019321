/**
 * Orders' mutations. Each checks its input, authorizes the caller, then writes in one transaction that
 * changes state only through a conditional statement; when that statement matches nothing, the row is
 * read again inside the same transaction to tell the caller exactly why (unknown, not theirs, wrong
 * state, wrong amount).
 */
import { badInput, conflict } from '../../platform/errors';
import type { Identity } from '../../platform/identity';
import { formatFen } from '../../platform/money';
import type { TxQueryable } from '../../platform/db';
import { checkId, newId, parseVin } from '../kit/ids';
import type { SubgraphContext } from '../kit/subgraph';
import { notVisible } from '../kit/visible';
import * as orders from './data/orders';
import { PAYMENTS, type Order, type OrderStatus, type Payment } from './data/orders';
import * as testDrives from './data/test-drives';
import type { TestDrive } from './data/test-drives';
import * as tradeIns from './data/trade-ins';
import type { TradeIn } from './data/trade-ins';
import * as vehicles from './data/vehicles';
import { forgetChanged, type OrdersLoaders } from './loaders';
import { quote, requireAvailableTrim, requireManufacturer } from './catalog';
import { requestFingerprint, splitPrice } from './rules';
import { requireCustomer, requirePartnerOrAdmin } from './access';
import { checkAppraisal, checkCity, checkPaymentAmount, checkTestDriveTime, checkTradeInRequest, readPlaceOrderInput, type PlaceOrderInput } from './validation';

type Ctx = SubgraphContext<OrdersLoaders>;

/** The order a conditional write matched nothing on, re-read in its transaction; one the caller may not see is NOT_FOUND like a missing one. */
async function orderForDiagnosis(q: TxQueryable, orderId: string, canSee: (o: Order) => boolean): Promise<Order> {
  const [o] = await orders.ordersByIds(q, [orderId]);
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
async function explainRefusedPayment(q: TxQueryable, orderId: string, who: Identity, kind: Payment, amountFen: bigint): Promise<never> {
  const o = await orderForDiagnosis(q, orderId, (row) => row.userId === who.sub);
  const due = kind === 'deposit' ? o.depositFen : o.balanceDueFen;
  if (o.status !== PAYMENTS[kind].from) {
    if (o.status === 'CANCELLED') throw conflict(`order ${o.id} is cancelled`);
    if (kind === 'balance' && o.status === 'PLACED') throw conflict(`pay the deposit of order ${o.id} first`);
    throw conflict(`the ${kind} of order ${o.id} is already paid`);
  }
  if (amountFen !== due) throw badInput(`the ${kind} of order ${o.id} is ${formatFen(due)}; pay exactly that amount, not ${formatFen(amountFen)}`, 'amount');
  throw conflict(`order ${o.id} changed while paying; try again`);
}

async function explainUncreditableTradeIn(q: TxQueryable, tradeInId: string, userId: string, manufacturerOrg: string): Promise<never> {
  const [t] = await tradeIns.tradeInsByIds(q, [tradeInId]);
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

interface PaymentArgs {
  orderId: string;
  amount: bigint;
}

/** The buyer pays `kind` of an order (`payDeposit`, `payBalance`): exactly its amount, in the state it is paid in. */
async function pay(kind: Payment, args: PaymentArgs, ctx: Ctx): Promise<Order> {
  const who = requireCustomer(ctx.identity, 'pay for orders');
  const orderId = checkId(args.orderId, 'orderId');
  const amount = checkPaymentAmount(args.amount);
  const order = await ctx.db.tx(async (q) => {
    const now = new Date();
    const paid = await orders.payOrder(q, kind, orderId, who.sub, amount, now);
    if (!paid) return explainRefusedPayment(q, orderId, who, kind, amount);
    await orders.insertStatusChange(q, orderId, PAYMENTS[kind].to, now, actor(who));
    return paid;
  });
  forgetChanged(ctx.loaders, { orderIds: [orderId] });
  return order;
}

export const mutationResolvers = {
  async bookTestDrive(_: unknown, { input }: { input: { trimId: string; city: string; at: Date } }, ctx: Ctx): Promise<TestDrive> {
    const who = requireCustomer(ctx.identity, 'book test drives');
    const trimId = checkId(input.trimId, 'trimId');
    const city = checkCity(input.city);
    const now = new Date();
    checkTestDriveTime(input.at, now);
    await requireAvailableTrim(ctx.services, trimId);
    const drive = await ctx.db.tx((q) =>
      testDrives.insertTestDrive(q, { id: newId('td'), userId: who.sub, trimId, city, at: input.at, status: 'BOOKED', bookedAt: now, cancelledAt: null }),
    );
    forgetChanged(ctx.loaders, { testDriveIds: [drive.id] });
    return drive;
  },

  async cancelTestDrive(_: unknown, args: { id: string }, ctx: Ctx): Promise<TestDrive> {
    const who = requireCustomer(ctx.identity, 'cancel test drives');
    const id = checkId(args.id, 'id');
    const now = new Date();
    const drive = await ctx.db.tx(async (q) => {
      const cancelled = await testDrives.cancelTestDrive(q, id, who.sub, now);
      if (cancelled) return cancelled;
      const [d] = await testDrives.testDrivesByIds(q, [id]);
      if (!d || d.userId !== who.sub) throw notVisible('test drive', id);
      if (d.status === 'CANCELLED') throw conflict(`test drive ${id} is already cancelled`);
      throw conflict(`test drive ${id} was at ${d.at.toISOString()}; a past test drive cannot be cancelled`);
    });
    forgetChanged(ctx.loaders, { testDriveIds: [id] });
    return drive;
  },

  async requestTradeIn(_: unknown, { input }: { input: { description: string; year: number; mileageKm: number; dealerOrg: string } }, ctx: Ctx): Promise<TradeIn> {
    const who = requireCustomer(ctx.identity, 'request trade-ins');
    const now = new Date();
    const description = checkTradeInRequest(input, now);
    const dealerOrg = input.dealerOrg.trim();
    await requireManufacturer(ctx.services, dealerOrg, 'dealerOrg');
    const tradeIn = await ctx.db.tx((q) =>
      tradeIns.insertTradeIn(q, { id: newId('ti'), userId: who.sub, description, year: input.year, mileageKm: input.mileageKm, requestedAt: now, dealerOrg }),
    );
    forgetChanged(ctx.loaders, { tradeInIds: [tradeIn.id] });
    return tradeIn;
  },

  async appraiseTradeIn(_: unknown, args: { id: string; amount: bigint }, ctx: Ctx): Promise<TradeIn> {
    const { who, org } = requirePartnerOrAdmin(ctx.identity);
    const id = checkId(args.id, 'id');
    const amount = checkAppraisal(args.amount);
    const tradeIn = await ctx.db.tx(async (q) => {
      const appraised = await tradeIns.appraiseTradeIn(q, id, amount, new Date(), { ...actor(who), org });
      if (appraised) return appraised;
      const [t] = await tradeIns.tradeInsByIds(q, [id]);
      // Not asked of this partner's organisation: as if it did not exist.
      if (!t || (org !== null && t.dealerOrg !== org)) throw notVisible('trade-in', id);
      throw conflict(`trade-in ${id} is already ${t.status.toLowerCase()}; a trade-in is appraised once`);
    });
    forgetChanged(ctx.loaders, { tradeInIds: [id] });
    return tradeIn;
  },

  async placeOrder(_: unknown, { input }: { input: PlaceOrderInput }, ctx: Ctx): Promise<Order> {
    const who = requireCustomer(ctx.identity, 'place orders');
    const { key, request } = readPlaceOrderInput(input);
    const { trimId, colourId, packageId, accessoryIds, financedFen, tradeInId } = request;
    const fingerprint = requestFingerprint(request);

    // A retry of an order already placed is answered from the order itself, before asking the catalog.
    const earlier = await orders.orderByIdempotencyKey(ctx.db, who.sub, key);
    if (earlier) return replayed(earlier, fingerprint, key);

    const priced = await quote(ctx.services, { trimId, colourId, packageId, accessoryIds });
    let order: Order;
    try {
      order = await ctx.db.tx(async (q) => {
        const id = newId('ord');
        const now = new Date();
        let tradeInCreditFen = 0n;
        if (tradeInId) {
          const credit = await tradeIns.creditTradeIn(q, tradeInId, who.sub, id, priced.manufacturerOrg);
          if (credit === null) {
            // A concurrent request with the same key may have credited it: then that order is the answer.
            const winner = await orders.orderByIdempotencyKey(q, who.sub, key);
            if (winner) throw new Replay(winner);
            await explainUncreditableTradeIn(q, tradeInId, who.sub, priced.manufacturerOrg);
          }
          tradeInCreditFen = credit!;
        }
        const split = splitPrice(priced.totalFen, tradeInCreditFen, financedFen);
        const inserted = await orders.insertOrder(q, {
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
          const winner = await orders.orderByIdempotencyKey(q, who.sub, key);
          if (!winner) throw new Error(`order under idempotency key of ${who.sub} vanished`);
          throw new Replay(winner);
        }
        await orders.insertPriceLines(q, id, priced.lines);
        await orders.insertStatusChange(q, id, 'PLACED', now, actor(who));
        return inserted;
      });
    } catch (err) {
      if (err instanceof Replay) return replayed(err.order, fingerprint, key);
      throw err;
    }
    forgetChanged(ctx.loaders, { orderIds: [order.id], tradeInIds: tradeInId ? [tradeInId] : [] });
    return order;
  },

  payDeposit: (_: unknown, args: PaymentArgs, ctx: Ctx) => pay('deposit', args, ctx),
  payBalance: (_: unknown, args: PaymentArgs, ctx: Ctx) => pay('balance', args, ctx),

  async deliverOrder(_: unknown, args: { orderId: string; vin: string }, ctx: Ctx): Promise<Order> {
    const { who, org } = requirePartnerOrAdmin(ctx.identity);
    const orderId = checkId(args.orderId, 'orderId');
    const vin = parseVin(args.vin);
    const order = await ctx.db.tx(async (q) => {
      const now = new Date();
      const delivered = await orders.markDelivered(q, orderId, org, now);
      if (!delivered) {
        // A partner of another manufacturer is told nothing about the order: NOT_FOUND like a missing one.
        const o = await orderForDiagnosis(q, orderId, (row) => org === null || row.manufacturerOrg === org);
        if (o.status === 'DELIVERED') throw conflict(`order ${o.id} is already delivered`);
        throw conflict(`order ${o.id} is ${STATUS_WORDS[o.status]}; only an order whose balance is paid can be delivered`);
      }
      const vehicle = await vehicles.insertVehicle(q, {
        vin,
        orderId,
        ownerId: delivered.userId,
        trimId: delivered.trimId,
        batteryRental: delivered.batteryRental,
        manufacturerOrg: delivered.manufacturerOrg,
        deliveredAt: now,
      });
      if (!vehicle) throw conflict(`VIN ${vin} is already registered to another vehicle; check the VIN`);
      await orders.insertStatusChange(q, orderId, 'DELIVERED', now, actor(who));
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
      const cancelled = await orders.cancelOrder(q, orderId, who.sub, now);
      if (!cancelled) {
        const o = await orderForDiagnosis(q, orderId, (row) => row.userId === who.sub);
        if (o.status === 'CANCELLED') throw conflict(`order ${o.id} is already cancelled`);
        throw conflict(`order ${o.id} is ${STATUS_WORDS[o.status]}; only an order with nothing paid can be cancelled`);
      }
      if (cancelled.tradeInId) await tradeIns.releaseTradeIn(q, cancelled.tradeInId, cancelled.id);
      await orders.insertStatusChange(q, orderId, 'CANCELLED', now, actor(who));
      return cancelled;
    });
    forgetChanged(ctx.loaders, { orderIds: [orderId], tradeInIds: order.tradeInId ? [order.tradeInId] : [] });
    return order;
  },
};
