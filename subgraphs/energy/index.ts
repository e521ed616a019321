import type { SubgraphModule } from '../kit/subgraph';
import type { SeedStage } from '../kit/seed';

const mod: SubgraphModule<Record<string, never>> = { name: 'energy', dir: __dirname, resolvers: {}, createLoaders: () => ({}) };
export default mod;
export const seedEnergy: SeedStage = async () => {};
