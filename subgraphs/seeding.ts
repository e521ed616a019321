/**
 * Schema management and the demo seed for the whole graph: migrate every subgraph, reset them, and
 * run the seed stages in dependency order. Each stage writes only its own subgraph's schema.
 */
import type { Db } from '../platform/db';
import { migrateSchema, type MigrationRun } from '../platform/migrations';
import { subgraphMigrations } from './kit/migrations';
import { Rng, SeedWorld, seedUsers, type SeedProgress } from './kit/seed';
import { subgraphs } from '.';

/** Applies every subgraph's migrations (idempotent); what each schema's run did. */
export async function migrateAll(db: Db): Promise<MigrationRun[]> {
  const runs: MigrationRun[] = [];
  for (const mod of subgraphs()) {
    const set = subgraphMigrations(mod);
    if (set) runs.push(await migrateSchema(db, set));
  }
  return runs;
}

/** Drops every subgraph's schema (and the seed marker), then migrates afresh. */
export async function resetAll(db: Db): Promise<void> {
  await db.tx(async (q) => {
    for (const mod of subgraphs()) if (!mod.stateless) await q.exec(`DROP SCHEMA IF EXISTS ${mod.name} CASCADE`);
    await q.exec('DROP TABLE IF EXISTS public.autograph_seed');
  });
  await migrateAll(db);
}

/** When the database was seeded, and with how many users; null when it never was. */
export async function seedInfo(db: Db): Promise<{ users: number; seededAt: Date } | null> {
  await db.query('CREATE TABLE IF NOT EXISTS public.autograph_seed (users integer NOT NULL, seeded_at timestamptz NOT NULL DEFAULT now())');
  const rows = await db.query<{ users: number; seeded_at: Date }>('SELECT users, seeded_at FROM public.autograph_seed LIMIT 1');
  return rows.length ? { users: rows[0].users, seededAt: new Date(rows[0].seeded_at) } : null;
}

export interface SeedSummary {
  users: number;
  /** Rows the stages wrote through the kit's writer. */
  rows: number;
  millis: Record<string, number>;
}

/** How a seed runs; none of it changes the data. */
export interface SeedRunOptions {
  /** Rows per table buffer and per INSERT of the stages' writers (default: the kit's). */
  batchRows?: number;
  /**
   * `'bypass'` (default): the seed writes the owner columns that per-row triggers fill on live inserts,
   * and those triggers are off during the load; `'fire'`: they run (slower; the same data).
   */
  triggers?: 'bypass' | 'fire';
  /** Where the stages report how far they are. */
  progress?: SeedProgress;
}

/** How many seed stages `seedAll` runs (for a progress display). */
export function seedStageCount(): number {
  return subgraphs().filter((m) => m.seed).length;
}

/**
 * Migrates when needed, then seeds `users` users (the first is `demo-driver`) deterministically from
 * `seed`. Each stage streams its rows through the kit's writer, so memory does not grow with `users`
 * beyond the facts the stages hand on (orders and vehicles).
 */
export async function seedAll(db: Db, users: number, seed = 20251111, opts: SeedRunOptions = {}): Promise<SeedSummary> {
  if (!Number.isInteger(users) || users < 1 || users > 1_000_000) throw new Error('users must be a whole number from 1 to 1000000');
  if (await seedInfo(db)) throw new Error('the database is already seeded; reset it first');
  await migrateAll(db); // idempotent: a fresh database gets its schemas, a migrated one is untouched
  const world = new SeedWorld({ rng: new Rng(seed), users: seedUsers(users), batchRows: opts.batchRows, triggers: opts.triggers, progress: opts.progress });
  const millis: Record<string, number> = {};
  for (const mod of subgraphs()) {
    if (!mod.seed) continue;
    const started = Date.now();
    await mod.seed.stage(db, world);
    millis[mod.name] = Date.now() - started;
  }
  const analyzing = Date.now();
  await analyzeSubgraphTables(db);
  millis.analyze = Date.now() - analyzing;
  await db.query('INSERT INTO public.autograph_seed (users) VALUES ($1)', [users]);
  return { users, rows: world.rowsWritten, millis };
}

/**
 * Gathers planner statistics for every subgraph table. Freshly bulk-loaded tables have none until
 * autovacuum gets round to them (a minute or more), and without them PostgreSQL plans the per-user
 * spending queries as sequential scans: measured right after seeding 10,000 users, finance's
 * `loadLines` scanned all 174,564 instalments (31 ms instead of 0.08 ms) and energy's took 12 ms
 * instead of 0.15 ms. `npm start` serves straight after seeding, so the seed analyses (about a
 * second at 10,000 users).
 */
export async function analyzeSubgraphTables(db: Db): Promise<void> {
  const tables = await db.query<{ name: string }>(
    `SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = ANY($1::text[]) ORDER BY 1`,
    [subgraphs().filter((m) => !m.stateless).map((m) => m.name)],
  );
  if (tables.length) await db.query(`ANALYZE ${tables.map((t) => t.name).join(', ')}`);
}
