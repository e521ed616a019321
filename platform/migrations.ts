/**
 * Migrations, one runner for every owner of a PostgreSQL schema (each subgraph, the registry): postgrator,
 * one instance per schema, with its version table `<schema>.schemaversion` (version, name, md5, run_at) in
 * that schema. Files are `migrations/NNN.do.name.sql`, applied in version order, each once; the md5 of every
 * applied file is recorded, and a file edited after it was applied is refused by name.
 *
 * Postgrator runs over our `Db` (PostgreSQL or PGlite alike) through its `execQuery`/`execSqlScript`
 * hooks. It neither locks nor opens a transaction, so a schema's pending migrations run inside one
 * `db.tx` holding an advisory lock: all or nothing, and two replicas migrating at once take turns (the
 * second finds nothing left to do). The lock's key is the one the earlier hand-written runner took, so an
 * old and a new process cannot collide either.
 *
 * A schema migrated by that earlier runner (`<schema>.schema_migrations`, a table of file names) is
 * adopted: its files are recorded as applied in postgrator's table with their checksums, and nothing is
 * run again. The old table is left as it was (never written again), so older code still reads it.
 */
import { readdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type Postgrator from 'postgrator';
import { DbUsageError, type Db, type Queryable, type TxQueryable } from './db';

/** One schema's migrations: the folder of files, and optionally a step its owner runs after them. */
export interface MigrationSet {
  /** The PostgreSQL schema the files write to, and where the version table lives. */
  schema: string;
  /** The folder of `NNN.do.name.sql` files. */
  dir: string;
  /**
   * Run in the same transaction after the files, at every migration run (also when none was pending):
   * schema its owner derives from what the files made (the lifecycle change log, `kit/lifecycle-feed.ts`).
   * Must be idempotent.
   */
  afterMigrations?: (q: TxQueryable) => Promise<void>;
}

/** Where a schema stands against the files this code ships. */
export interface SchemaStatus {
  schema: string;
  /** The highest version recorded as applied (0: none, or only by the earlier runner). */
  version: number;
  /** The highest version among the files. */
  latest: number;
  /** Files not yet applied, in order (file names). */
  pending: string[];
  /** Files the earlier runner applied that postgrator's table does not record yet (adopted at the next run). */
  toAdopt: string[];
}

/** What one run did. */
export interface MigrationRun {
  schema: string;
  /** File names applied by this run, in order. */
  applied: string[];
  /** File names recorded from the earlier runner's table, without running them. */
  adopted: string[];
  /** The schema's version afterwards. */
  version: number;
  latest: number;
}

/** A migration folder or database that the runner refuses: a bad file name, an edited applied file, a failed file. */
export class MigrationError extends Error {}

/** The version table postgrator keeps in each schema. */
export const VERSION_TABLE = 'schemaversion';
const OLD_TABLE = 'schema_migrations';
const FILE = /^(\d+)\.do\.([a-z0-9_]+)\.sql$/;
const SCHEMA = /^[a-z_][a-z0-9_]*$/;

/** Where a migration file is, said relative to the working directory (the repository root for the npm scripts). */
function shown(path: string): string {
  return relative(process.cwd(), path) || path;
}

/**
 * The migration files of `dir`, in order. Every `.sql` file must be named `NNN.do.name.sql` (postgrator
 * would silently skip another name: a migration that never runs), versions unique and starting above 0.
 */
export function migrationFiles(dir: string): { file: string; version: number }[] {
  const found = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  const files = found.map((file) => {
    const m = FILE.exec(file);
    if (!m) throw new MigrationError(`${shown(join(dir, file))} is not named NNN.do.name.sql (a number, ".do.", lower-case letters, digits and _): the runner would skip it`);
    return { file, version: Number(m[1]) };
  });
  const seen = new Map<number, string>();
  for (const f of files) {
    if (f.version < 1) throw new MigrationError(`${shown(join(dir, f.file))}: versions start at 1`);
    const other = seen.get(f.version);
    if (other) throw new MigrationError(`${shown(join(dir, other))} and ${f.file} have the same version ${f.version}: renumber the one not yet applied anywhere`);
    seen.set(f.version, f.file);
  }
  return files.sort((a, b) => a.version - b.version);
}

// postgrator is an ES module; this file is loaded as CommonJS (jest transforms it keeping this `import()`).
async function loadPostgrator(): Promise<typeof Postgrator> {
  return (await import('postgrator')).default;
}

async function postgratorFor(q: Queryable & Partial<Pick<TxQueryable, 'exec'>>, set: MigrationSet): Promise<Postgrator> {
  const Runner = await loadPostgrator();
  return new Runner({
    driver: 'pg',
    migrationPattern: join(set.dir, '*.do.*.sql'),
    schemaTable: `${set.schema}.${VERSION_TABLE}`,
    validateChecksums: true,
    execQuery: async (sql) => ({ rows: await q.query(sql) }),
    // A file is a script of several statements: PGlite runs those only through exec, not query.
    execSqlScript: async (sql) => {
      if (!q.exec) throw new DbUsageError('migrations run only inside a transaction');
      await q.exec(sql);
    },
  });
}

function checkSchema(schema: string): void {
  if (!SCHEMA.test(schema)) throw new DbUsageError(`bad schema name ${schema}`);
}

/** The earlier runner's file name for a postgrator file: `001.do.init.sql` was `001_init.sql`. */
function oldName(file: string): string {
  return file.replace(/^(\d+)\.do\./, '$1_');
}

/** The files the earlier runner recorded (by their new names), or null when it never ran here. */
async function oldRunnerFiles(q: Queryable, set: MigrationSet, files: readonly { file: string }[]): Promise<{ file: string; appliedAt: Date }[] | null> {
  const [old] = await q.query<{ present: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS present`, [`${set.schema}.${OLD_TABLE}`]);
  if (!old?.present) return null;
  const rows = await q.query<{ version: string; applied_at: Date }>(`SELECT version, applied_at FROM ${set.schema}.${OLD_TABLE} ORDER BY version`);
  const byOld = new Map(files.map((f) => [oldName(f.file), f.file]));
  const unknown = rows.filter((r) => !byOld.has(r.version)).map((r) => r.version);
  if (unknown.length) throw new MigrationError(`${set.schema}.${OLD_TABLE} records ${unknown.join(', ')}, which ${shown(set.dir)} does not ship (as NNN.do.name.sql): this code cannot tell what that schema holds`);
  const recorded = new Set(rows.map((r) => r.version));
  // Postgrator's model is one number, "applied up to N": the earlier runner's files must be the first ones.
  const firstMissing = files.findIndex((f) => !recorded.has(oldName(f.file)));
  const prefix = firstMissing === -1 ? files.length : firstMissing;
  const gap = files.slice(prefix).find((f) => recorded.has(oldName(f.file)));
  if (gap) throw new MigrationError(`${set.schema}.${OLD_TABLE} records ${oldName(gap.file)} but not ${oldName(files[prefix].file)}: the earlier runner applied them out of order; apply ${files[prefix].file} by hand and record it, then migrate`);
  const appliedAt = new Map(rows.map((r) => [r.version, new Date(r.applied_at)]));
  return files.slice(0, prefix).map((f) => ({ file: f.file, appliedAt: appliedAt.get(oldName(f.file))! }));
}

/** Postgrator's checksum refusal, said with the file's name and what to do. */
function editedFile(set: MigrationSet, migration: Postgrator.Migration | undefined, err: unknown): unknown {
  if (!migration || !/checksum failed/i.test((err as Error)?.message ?? '')) return err;
  return new MigrationError(
    `${shown(migration.filename)} was edited after it was applied to the ${set.schema} schema (its md5 differs from the one in ${set.schema}.${VERSION_TABLE}): ` +
      'restore the file as it was applied, and put the change in a new migration',
  );
}

/**
 * Applies `set`'s pending migrations (adopting the earlier runner's record first), then its
 * `afterMigrations` step, all in one transaction under the schema's advisory lock. `onApply` hears each
 * file as it starts.
 */
export async function migrateSchema(db: Db, set: MigrationSet, onApply?: (file: string) => void): Promise<MigrationRun> {
  checkSchema(set.schema);
  const files = migrationFiles(set.dir);
  const latest = files.at(-1)?.version ?? 0;
  return db.tx(async (q) => {
    await q.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`autograph-migrate-${set.schema}`]);
    const runner = await postgratorFor(q, set);
    const adopted: string[] = [];
    const fromOld = (await runner.getDatabaseVersion()) === 0 ? await oldRunnerFiles(q, set, files) : null;
    if (fromOld?.length) {
      await runner.migrate('0'); // creates postgrator's table (and the schema), applies nothing
      const known = new Map((await runner.getMigrations()).map((m) => [basename(m.filename), m]));
      for (const { file, appliedAt } of fromOld) {
        const m = known.get(file)!;
        await q.query(`INSERT INTO ${set.schema}.${VERSION_TABLE} (version, name, md5, run_at) VALUES ($1, $2, $3, $4)`, [m.version, m.name, m.md5, appliedAt]);
        adopted.push(file);
      }
    }
    let validating: Postgrator.Migration | undefined;
    let running: string | undefined;
    runner.on('validation-started', (m) => (validating = m));
    runner.on('validation-finished', () => (validating = undefined));
    runner.on('migration-started', (m) => {
      running = basename(m.filename);
      onApply?.(running);
    });
    let applied: Postgrator.Migration[];
    try {
      applied = await runner.migrate();
    } catch (err) {
      const refused = editedFile(set, validating, err);
      if (refused !== err) throw refused;
      if (running) throw new MigrationError(`${shown(join(set.dir, running))} failed on the ${set.schema} schema (nothing of this run was kept): ${(err as Error).message}`, { cause: err });
      throw err;
    }
    await set.afterMigrations?.(q);
    return { schema: set.schema, applied: applied.map((m) => basename(m.filename)), adopted, version: await runner.getDatabaseVersion(), latest };
  });
}

/**
 * Where `set`'s schema stands, read only (nothing is created): its version, the files pending, and those
 * the earlier runner applied that wait to be adopted. An applied file edited since is refused
 * (`MigrationError` naming it), as a run would refuse it.
 */
export async function schemaStatus(db: Queryable, set: MigrationSet): Promise<SchemaStatus> {
  checkSchema(set.schema);
  const files = migrationFiles(set.dir);
  const latest = files.at(-1)?.version ?? 0;
  const runner = await postgratorFor(db, set);
  const version = await runner.getDatabaseVersion();
  let validating: Postgrator.Migration | undefined;
  runner.on('validation-started', (m) => (validating = m));
  try {
    await runner.validateMigrations(version);
  } catch (err) {
    throw editedFile(set, validating, err);
  }
  const toAdopt = version === 0 ? ((await oldRunnerFiles(db, set, files)) ?? []).map((f) => f.file) : [];
  const done = new Set(toAdopt);
  const pending = files.filter((f) => f.version > version && !done.has(f.file)).map((f) => f.file);
  return { schema: set.schema, version, latest, pending, toAdopt };
}
