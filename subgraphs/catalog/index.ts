/** The catalog subgraph: what can be bought and configured, and users' stated preferences (co-creation). */
import type { SubgraphModule } from '../kit/subgraph';
import { createCatalogLoaders, type CatalogLoaders } from './loaders';
import { resolvers } from './resolvers';

const catalogModule: SubgraphModule<CatalogLoaders> = {
  name: 'catalog',
  dir: __dirname,
  resolvers: resolvers as unknown as SubgraphModule<CatalogLoaders>['resolvers'],
  createLoaders: (db) => createCatalogLoaders(db),
};

export default catalogModule;
export { seedCatalog } from './seed';
