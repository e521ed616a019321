import type { SubgraphModule } from '../kit/subgraph';
import type { SeedStage } from '../kit/seed';
import { createSpendingLoaders, spendingContributorResolvers } from '../kit/contributor';

const mod: SubgraphModule<{ spending: ReturnType<typeof createSpendingLoaders> }> = {
  name: 'energy',
  dir: __dirname,
  resolvers: { ...spendingContributorResolvers('energy') } as never,
  createLoaders: (db) => ({ spending: createSpendingLoaders(db, 'energy') }),
};
export default mod;
export const seedEnergy: SeedStage = async () => {};
