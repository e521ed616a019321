/** Every subgraph of the product, in seed order (catalog first: orders prices from it). */
import type { SubgraphModule, SubgraphName } from './kit/subgraph';
import type { SeedStage } from './kit/seed';
import catalog, { seedCatalog } from './catalog';
import orders, { seedOrders } from './orders';
import finance, { seedFinance } from './finance';
import aftermarket, { seedAftermarket } from './aftermarket';
import energy, { seedEnergy } from './energy';

export const SUBGRAPHS: Record<SubgraphName, SubgraphModule<any>> = { catalog, orders, finance, aftermarket, energy };

/** Seed stages in dependency order. */
export const SEED_STAGES: Array<[SubgraphName, SeedStage]> = [
  ['catalog', seedCatalog],
  ['orders', seedOrders],
  ['finance', seedFinance],
  ['aftermarket', seedAftermarket],
  ['energy', seedEnergy],
];
