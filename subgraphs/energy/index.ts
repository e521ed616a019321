/**
 * The energy subgraph: running the car — swap stations, battery plans and subscriptions
 * (battery-as-a-service), swap and charging sessions, and their share of the spending report.
 */
import type { SubgraphModule } from '../kit/module';
import { seedEnergy } from './seed';
import { createEnergyLoaders, type EnergyLoaders } from './loaders';
import { resolvers } from './resolvers';

const energy: SubgraphModule<EnergyLoaders> = {
  name: 'energy',
  port: 4005,
  seed: { stage: seedEnergy, after: ['catalog', 'orders'] },
  dir: __dirname,
  resolvers: resolvers as unknown as SubgraphModule<EnergyLoaders>['resolvers'],
  createLoaders: (db) => createEnergyLoaders(db),
};

export default energy;
