/**
 * The orders subgraph: buying a car (test drives, trade-ins, orders, delivery) and the owner of `User`
 * and `Vehicle`. It contributes purchases and trade-in credits to the spending report (`spending.ts`), and
 * its test drives, orders, payments, deliveries and trade-ins to the lifecycle timeline.
 */
import type { SubgraphModule } from '../kit/module';
import { seedOrders } from './seed';
import { createOrdersLoaders, type OrdersLoaders } from './loaders';
import { ordersResolvers } from './resolvers';
import { spendingResolvers } from './spending';
import { timelineContributorResolvers } from '../kit/timeline-contributor';

const ordersModule: SubgraphModule<OrdersLoaders> = {
  name: 'orders',
  port: 4002,
  seed: { stage: seedOrders, after: ['catalog'] },
  dir: __dirname,
  resolvers: { ...spendingResolvers, ...timelineContributorResolvers('orders'), ...ordersResolvers } as unknown as SubgraphModule<OrdersLoaders>['resolvers'],
  createLoaders: (db) => createOrdersLoaders(db),
};

export default ordersModule;
