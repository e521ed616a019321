import type { SubgraphModule } from '../kit/subgraph';
import type { SeedStage } from '../kit/seed';

const mod: SubgraphModule<Record<string, never>> = { name: 'catalog', dir: __dirname, resolvers: {}, createLoaders: () => ({}) };
export default mod;
export const seedCatalog: SeedStage = async () => {};
