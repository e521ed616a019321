/** Seeding parts of the graph in tests: the discovered seed stages, run in seed order. */
import type { Db } from '../platform/db';
import { Rng, SeedWorld, seedUsers } from '../subgraphs/kit/seed';
import { subgraphs } from '../subgraphs';

/** Runs the seed stages of `only` (every subgraph when omitted) in the graph's seed order. */
export async function runSeedStages(db: Db, world: SeedWorld, only?: readonly string[]): Promise<void> {
  for (const mod of subgraphs()) {
    if (mod.seed && (!only || only.includes(mod.name))) await mod.seed.stage(db, world);
  }
}

/** A seed world before any stage has run: `users` seeded users (the demo user first), or these ids; the seed's fixed clock. */
export function emptyWorld(users: number | readonly string[] = 1, seed = 3): SeedWorld {
  return new SeedWorld({ rng: new Rng(seed), users: typeof users === 'number' ? seedUsers(users) : users });
}

/** The whole demo seed (every stage), as `npm run seed` writes it; every subgraph's migrations; planner statistics. */
export { analyzeSubgraphTables, migrateAll, seedAll } from '../subgraphs/seeding';
export { Rng, seedUsers } from '../subgraphs/kit/seed';
