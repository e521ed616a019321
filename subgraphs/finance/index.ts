/** The finance subgraph: loans and leases for orders, their instalment schedules, and insurance for vehicles. */
import type { SubgraphModule } from '../kit/module';
import { seedFinance } from './seed';
import { createFinanceLoaders, type FinanceLoaders } from './loaders';
import { financeResolvers } from './resolvers';

const financeModule: SubgraphModule<FinanceLoaders> = {
  name: 'finance',
  port: 4003,
  seed: { stage: seedFinance, after: ['orders'] },
  dir: __dirname,
  resolvers: financeResolvers as never,
  createLoaders: (db) => createFinanceLoaders(db),
};

export default financeModule;
