/** Seeding parts of the graph in tests: the discovered seed stages, run in seed order. */
import type { Db } from '../subgraphs/kit/db';
import type { SeedWorld } from '../subgraphs/kit/seed';
import { subgraphs } from '../subgraphs';

/** Runs the seed stages of `only` (every subgraph when omitted) in the graph's seed order. */
export async function runSeedStages(db: Db, world: SeedWorld, only?: readonly string[]): Promise<void> {
  for (const mod of subgraphs()) {
    if (mod.seed && (!only || only.includes(mod.name))) await mod.seed.stage(db, world);
  }
}
