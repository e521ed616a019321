/**
 * `npm run seed -- [--users N] [--reset]` — seeds the database (DATABASE_URL, or the embedded one at
 * PGLITE_DIR) with N users' deterministic car lifecycles; the first user is `demo-driver`.
 */
import { openDb } from '../platform/db';
import { migrateAll, resetAll, seedAll, seedInfo, seedStageCount } from '../subgraphs/seeding';
import { seedProgress } from './seed-progress';
import { fail, loadConfigOrExit, parseFlags } from './cli';

async function main() {
  const flags = parseFlags(process.argv.slice(2), { users: 'int', reset: 'boolean', seed: 'int' });
  const config = loadConfigOrExit();
  const users = (flags.users as number | undefined) ?? 200;
  if (users < 1 || users > 1_000_000) fail('--users must be from 1 to 1000000');
  // Seeding 100,000 users runs statements longer than a server's statement_timeout allows.
  const db = await openDb({ ...config, dbStatementTimeoutMs: 0 });
  try {
    if (flags.reset) await resetAll(db);
    else await migrateAll(db);
    const existing = await seedInfo(db);
    if (existing) fail(`the database already holds a seed of ${existing.users} users (from ${existing.seededAt.toISOString()}); add --reset to replace it`);
    const started = Date.now();
    const progress = seedProgress(seedStageCount());
    const summary = await seedAll(db, users, (flags.seed as number | undefined) ?? undefined, { progress }).finally(() => progress.stop());
    const where = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite at ${config.pgliteDir}`;
    console.log(`✓ seeded ${summary.users} users into ${where}: ${summary.rows.toLocaleString('en-US')} rows in ${Date.now() - started} ms (${Object.entries(summary.millis).map(([k, v]) => `${k} ${v} ms`).join(', ')})`);
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
