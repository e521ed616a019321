/**
 * The aftermarket subgraph: keeping the car — the service store network, appointments, service
 * invoices (parts, labour, warranty-covered and owner-paid parts) and warranty claims.
 */
import type { SubgraphModule } from '../kit/module';
import { seedAftermarket } from './seed';
import { createLoaders, type AftermarketLoaders } from './loaders';
import { resolvers } from './resolvers';

const aftermarket: SubgraphModule<AftermarketLoaders> = {
  name: 'aftermarket',
  port: 4004,
  seed: { stage: seedAftermarket, after: ['catalog', 'orders'] },
  dir: __dirname,
  resolvers: resolvers as unknown as SubgraphModule<AftermarketLoaders>['resolvers'],
  createLoaders: (db) => createLoaders(db),
};
export default aftermarket;
