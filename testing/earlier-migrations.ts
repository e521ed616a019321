/**
 * Databases as the project's earlier, hand-written migration runner left them, for the tests that prove
 * they carry over to postgrator without anything running again.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Db } from '../platform/db';

/**
 * The runner this project used before postgrator, as it was (platform/db.ts `migrate`): a table of applied
 * file names, `NNN_name.sql` files, all in one transaction. Here to make databases as it left them.
 */
export async function earlierRunner(db: Db, schema: string, dir: string): Promise<void> {
  const files = readdirSync(dir).filter((f) => /^\d+_.*\.sql$/.test(f)).sort();
  await db.tx(async (q) => {
    await q.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`autograph-migrate-${schema}`]);
    await q.exec(
      `CREATE SCHEMA IF NOT EXISTS ${schema};
       CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());`,
    );
    const done = new Set((await q.query<{ version: string }>(`SELECT version FROM ${schema}.schema_migrations`)).map((r) => r.version));
    for (const file of files) {
      if (done.has(file)) continue;
      await q.exec(readFileSync(join(dir, file), 'utf8'));
      await q.query(`INSERT INTO ${schema}.schema_migrations (version) VALUES ($1)`, [file]);
    }
  });
}

/** The same files under the earlier runner's names (`001.do.init.sql` → `001_init.sql`). */
export function asEarlierNames(dir: string): string {
  const old = mkdtempSync(join(tmpdir(), 'autograph-mig-old-'));
  for (const f of readdirSync(dir)) cpSync(join(dir, f), join(old, f.replace(/^(\d+)\.do\./, '$1_')));
  return old;
}
