/**
 * What a server does with its schema when it starts. Migrations are a deploy step (`npm run migrate`): in
 * production a server on PostgreSQL only checks that its schema is at the version this code ships, and
 * refuses to start otherwise. Outside production (and whenever MIGRATE_ON_START=true) it migrates first,
 * as before. An embedded PGlite always migrates itself: one process owns it, so there is no deploy step
 * that could reach it first.
 *
 * A database *ahead* of the code (newer code migrated it, then the code was rolled back) is refused too:
 * this code does not know what the newer migrations changed, and would fail mid-request rather than at
 * start. When those migrations are known to be additive (columns or tables the older code never reads),
 * ALLOW_SCHEMA_AHEAD=true starts it anyway, with a warning naming the versions.
 */
import { bool } from './env';
import type { Db } from './db';
import { migrateSchema, schemaStatus, type MigrationSet } from './migrations';

export interface SchemaOnStart {
  /** Migrate at start (true) or only check the version (false). */
  migrate: boolean;
  /** Start on a schema newer than the code, with a warning, instead of refusing. */
  allowAhead: boolean;
}

/** Migrate at start, as the test harness and `npm start` on the embedded database do. */
export const MIGRATE_AT_START: SchemaOnStart = { migrate: true, allowAhead: false };

/** MIGRATE_ON_START (default: true outside production) and ALLOW_SCHEMA_AHEAD (default false). */
export function readSchemaOnStart(env: NodeJS.ProcessEnv, production: boolean, problems: string[]): SchemaOnStart {
  return { migrate: bool(env, 'MIGRATE_ON_START', !production, problems), allowAhead: bool(env, 'ALLOW_SCHEMA_AHEAD', false, problems) };
}

/** The policy for a server on `db`: the embedded database always migrates itself. */
export function schemaOnStartFor(db: Pick<Db, 'kind'>, policy: SchemaOnStart): SchemaOnStart {
  return db.kind === 'pglite' ? { ...policy, migrate: true } : policy;
}

/** A server refusing to start on a schema that is not at its version. */
export class SchemaVersionError extends Error {}

/**
 * Migrates `set`'s schema, or checks it is at the latest shipped version: refuses (SchemaVersionError) a
 * schema behind the code (naming `npm run migrate`), one the earlier runner migrated and `npm run migrate`
 * has not yet adopted, and one ahead of the code unless `allowAhead` (then `warn` is told).
 */
export async function prepareSchema(db: Db, set: MigrationSet, policy: SchemaOnStart, warn: (message: string) => void = console.warn): Promise<void> {
  if (policy.migrate) {
    await migrateSchema(db, set);
    return;
  }
  const status = await schemaStatus(db, set);
  if (status.toAdopt.length) {
    throw new SchemaVersionError(
      `the ${set.schema} schema was migrated by the earlier runner (${set.schema}.schema_migrations) and its record is not yet in ${set.schema}.schemaversion: ` +
        'run `npm run migrate` against this database once (it records the applied files and runs only what is pending), then start the servers',
    );
  }
  if (status.pending.length) {
    throw new SchemaVersionError(
      `the ${set.schema} schema is at version ${status.version}, and this code needs ${status.latest} (${status.pending.length} pending: ${status.pending.join(', ')}): ` +
        'run `npm run migrate` against this database before starting the servers (or MIGRATE_ON_START=true to migrate at start)',
    );
  }
  if (status.version > status.latest) {
    const ahead = `the ${set.schema} schema is at version ${status.version}, ahead of this code's ${status.latest}: newer code migrated it (a rollback?)`;
    if (!policy.allowAhead) throw new SchemaVersionError(`${ahead}. Deploy the code that matches the database, or, when the newer migrations only add what this code never reads, start with ALLOW_SCHEMA_AHEAD=true`);
    warn(`warning: ${ahead}; starting anyway (ALLOW_SCHEMA_AHEAD=true)`);
  }
}
