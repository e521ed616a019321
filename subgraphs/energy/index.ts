/**
 * The energy subgraph: running the car — swap stations, battery plans and subscriptions
 * (battery-as-a-service), swap and charging sessions, and their share of the spending report.
 */
import type { SubgraphModule } from '../kit/subgraph';
import { createEnergyLoaders, type EnergyLoaders } from './loaders';
import { resolvers } from './resolvers';

const energy: SubgraphModule<EnergyLoaders> = {
  name: 'energy',
  dir: __dirname,
  resolvers: resolvers as unknown as SubgraphModule<EnergyLoaders>['resolvers'],
  createLoaders: (db) => createEnergyLoaders(db),
};

export default energy;
export { seedEnergy } from './seed';
