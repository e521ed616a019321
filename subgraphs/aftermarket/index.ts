import type { SubgraphModule } from '../kit/subgraph';
import type { SeedStage } from '../kit/seed';
import { createSpendingLoaders, spendingContributorResolvers } from '../kit/contributor';

const mod: SubgraphModule<{ spending: ReturnType<typeof createSpendingLoaders> }> = {
  name: 'aftermarket',
  dir: __dirname,
  resolvers: { ...spendingContributorResolvers('aftermarket') } as never,
  createLoaders: (db) => ({ spending: createSpendingLoaders(db, 'aftermarket') }),
};
export default mod;
export const seedAftermarket: SeedStage = async () => {};
