import type { SubgraphModule } from '../kit/subgraph';
import { createSpendingLoaders } from '../kit/contributor';
import { requireIdentity } from '../kit/auth';
import { spendingResolvers } from './spending';

const ordersModule: SubgraphModule<{ spending: ReturnType<typeof createSpendingLoaders> }> = {
  name: 'orders',
  dir: __dirname,
  resolvers: {
    ...spendingResolvers,
    Query: {
      me: (_: unknown, __: unknown, ctx: { identity: never }) => ({ id: requireIdentity(ctx.identity).sub }),
    },
    Order: { __resolveReference: (r: { id: string }) => r },
  } as never,
  createLoaders: (db) => ({ spending: createSpendingLoaders(db, 'orders') }),
};
export default ordersModule;
export const seedOrders = async () => {};
