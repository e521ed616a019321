/**
 * Orders' reads: the `Query` fields and the fields of the entities it owns (`User`, `Order`,
 * `Vehicle`, `TestDrive`, `TradeIn`). Every read is authorized here, where the data lives, and goes
 * through this request's loaders; someone else's object is NOT_FOUND exactly like a missing one.
 */
import { NO_SUCH_PSEUDONYM, realUserId, requireIdentity, requireReadUser, requireRole, shouldPseudonymise, visiblePersonalText, visibleUser, visibleUserId, type UserRef } from '../kit/auth';
import { loadVisible, requireVisible } from '../kit/visible';
import { notFound } from '../../platform/errors';
import { money } from '../../platform/money';
import { checkId, parseVin } from '../kit/ids';
import { readTimePage, toConnection, type PageArgs } from '../kit/pagination';
import type { SubgraphContext } from '../kit/subgraph';
import { ordersAwaitingDelivery, type Order, type PriceLine, type StatusChange } from './data/orders';
import type { TestDrive } from './data/test-drives';
import { tradeInsAwaitingAppraisal, type TradeIn } from './data/trade-ins';
import type { Vehicle } from './data/vehicles';
import type { OrdersLoaders } from './loaders';
import { personOf } from './users';
import { canReadOrder, canReadTestDrive, canReadTradeIn, canReadVehicle, requirePartnerOrAdmin } from './access';
import { owed, packageEntitlement } from './rules';

type Ctx = SubgraphContext<OrdersLoaders>;

/** One of a user's lists, newest first, a page at a time: readable by the user, an analyst or an admin. */
function userList<R>(loader: 'ordersOfUser' | 'vehiclesOfUser' | 'testDrivesOfUser' | 'tradeInsOfUser', keyOf: (row: R) => [Date, string]) {
  return async (user: UserRef, args: PageArgs, ctx: Ctx) => {
    const userId = realUserId(ctx.identity, user);
    requireReadUser(ctx.identity, userId);
    const { limit, after } = readTimePage(args);
    const rows = (await ctx.loaders[loader].load({ parent: userId, limit: limit + 1, after })) as R[];
    return toConnection(rows, limit, keyOf);
  };
}

export const queryResolvers = {
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
      const { limit, after } = readTimePage(args);
      const rows = await tradeInsAwaitingAppraisal(ctx.db, org, limit + 1, after);
      return toConnection(rows, limit, (t) => [t.requestedAt, t.id]);
    },

    async ordersAwaitingDelivery(_: unknown, args: PageArgs, ctx: Ctx) {
      const { org } = requirePartnerOrAdmin(ctx.identity);
      const { limit, after } = readTimePage(args);
      const rows = await ordersAwaitingDelivery(ctx.db, org, limit + 1, after);
      return toConnection(rows, limit, (o) => [o.balancePaidAt!, o.id]);
    },
  },

  User: {
    __resolveReference: (ref: UserRef, ctx: Ctx) => personOf(ctx.identity, ctx.loaders, ref.id),

    orders: userList<Order>('ordersOfUser', (o) => [o.placedAt, o.id]),
    vehicles: userList<Vehicle>('vehiclesOfUser', (v) => [v.deliveredAt, v.vin]),
    testDrives: userList<TestDrive>('testDrivesOfUser', (d) => [d.bookedAt, d.id]),
    tradeIns: userList<TradeIn>('tradeInsOfUser', (t) => [t.requestedAt, t.id]),
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
};
