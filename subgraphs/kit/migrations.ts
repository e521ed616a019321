/**
 * A subgraph's migrations as the runner takes them (`platform/migrations.ts`): the folder's
 * `migrations/NNN.do.name.sql` files into the subgraph's own schema, then the kit's own step, the
 * lifecycle change log (`lifecycle-feed.ts`), derived from the `lifecycle_events` view those files made.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { MigrationSet } from '../../platform/migrations';
import { installLifecycleChangeLog } from './lifecycle-feed';
import type { SubgraphModule } from './module';

/** The subgraph's migrations, or undefined for a stateless one (no tables, no `migrations/`). */
export function subgraphMigrations(mod: Pick<SubgraphModule<unknown>, 'name' | 'dir' | 'stateless'>): MigrationSet | undefined {
  const dir = join(mod.dir, 'migrations');
  if (mod.stateless || !existsSync(dir)) return undefined;
  return {
    schema: mod.name,
    dir,
    afterMigrations: async (q) => {
      await installLifecycleChangeLog(q, mod.name);
    },
  };
}
