/**
 * The orders subgraph: buying a car (test drives, trade-ins, orders, delivery) and the owner of `User`
 * and `Vehicle`. It also merges every contributor's part of the spending report (`spending.ts`).
 */
import type { SubgraphModule } from '../kit/subgraph';
import { createOrdersLoaders, type OrdersLoaders } from './loaders';
import { ordersResolvers } from './resolvers';
import { spendingResolvers } from './spending';

const ordersModule: SubgraphModule<OrdersLoaders> = {
  name: 'orders',
  dir: __dirname,
  resolvers: {
    ...spendingResolvers,
    ...ordersResolvers,
    User: { ...ordersResolvers.User, ...spendingResolvers.User },
  } as unknown as SubgraphModule<OrdersLoaders>['resolvers'],
  createLoaders: (db) => createOrdersLoaders(db),
};

export default ordersModule;
export { seedOrders } from './seed';
