import type { SubgraphModule } from '../kit/subgraph';
import { createSpendingLoaders, spendingContributorResolvers } from '../kit/contributor';

const financeModule: SubgraphModule<{ spending: ReturnType<typeof createSpendingLoaders> }> = {
  name: 'finance',
  dir: __dirname,
  resolvers: { ...spendingContributorResolvers('finance'), Query: { financeVersion: () => '0' } } as never,
  createLoaders: (db) => ({ spending: createSpendingLoaders(db, 'finance') }),
};
export default financeModule;
export const seedFinance = async () => {};
