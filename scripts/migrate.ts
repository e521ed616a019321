/**
 * `npm run migrate -- [--database-url URL] [--only a,b] [--check]` — the deploy step that migrates every
 * schema of the graph (each subgraph's, and the registry's) to the version this code ships, one schema at
 * a time, each in one transaction (`platform/migrations.ts`). Servers on PostgreSQL in production only
 * check the version at start, so this runs before them. `--check` changes nothing: it says what is
 * pending and exits 1 if anything is.
 *
 * The database: --database-url, else DATABASE_URL, else the embedded PGlite at PGLITE_DIR (its subgraph
 * schemas; the registry's embedded database is its own, migrated by the process that opens it).
 * Exit codes: 0 done (or nothing pending), 1 pending (--check) or a failure, 2 a usage error.
 */
import { parseArgs } from 'node:util';
import { openPglite, openPostgres, type Db } from '../platform/db';
import { url } from '../platform/env';
import { MigrationError, migrateSchema, schemaStatus, type MigrationSet } from '../platform/migrations';
import { REGISTRY_MIGRATIONS } from '../registry/server';
import { subgraphMigrations } from '../subgraphs/kit/migrations';
import { subgraphs } from '../subgraphs';

const USAGE = `usage: npm run migrate -- [--database-url URL] [--only NAME,NAME] [--check]

  --database-url URL  the PostgreSQL database (default: DATABASE_URL; unset: the embedded PGlite at PGLITE_DIR)
  --only NAMES        only these schemas (comma-separated subgraph names, or registry)
  --check             change nothing: list what is pending, exit 1 if anything is
  --help              this text`;

function usageError(message: string): never {
  console.error(`error: ${message}\n\n${USAGE}`);
  process.exit(2);
}

/** The URL without its password, for output. */
function redacted(raw: string): string {
  const u = new URL(raw);
  if (u.password) u.password = '***';
  return u.toString();
}

/** Every schema of the graph with migrations: the subgraphs' in seed order, then the registry's. */
function graphMigrations(): MigrationSet[] {
  return [...subgraphs().map(subgraphMigrations).filter((s): s is MigrationSet => s !== undefined), REGISTRY_MIGRATIONS];
}

async function open(databaseUrl: string | undefined, pgliteDir: string): Promise<Db> {
  if (!databaseUrl) return openPglite(pgliteDir);
  try {
    return await openPostgres(databaseUrl, { maxConnections: 2, statementTimeoutMs: 0 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN' ? `${e.code}: is the server running and the URL right?` : e.message;
    console.error(`error: cannot open ${redacted(databaseUrl)} (${why})`);
    process.exit(1);
  }
}

async function main() {
  let values;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: { 'database-url': { type: 'string' }, only: { type: 'string' }, check: { type: 'boolean' }, help: { type: 'boolean' } },
      allowPositionals: false,
    }));
  } catch (err) {
    usageError((err as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const problems: string[] = [];
  const given = values['database-url'];
  const databaseUrl = given !== undefined ? url({ '--database-url': given }, '--database-url', ['postgres:', 'postgresql:'], problems) : url(process.env, 'DATABASE_URL', ['postgres:', 'postgresql:'], problems);
  if (given === '') problems.push('--database-url needs a postgres:// URL');
  if (problems.length) usageError(problems.join('; '));
  const pgliteDir = process.env.PGLITE_DIR || '.data/pglite';

  const all = graphMigrations().filter((s) => databaseUrl || s !== REGISTRY_MIGRATIONS);
  let sets = all;
  if (values.only !== undefined) {
    const names = values.only.split(',').map((n) => n.trim()).filter(Boolean);
    if (!names.length) usageError('--only needs schema names, comma-separated');
    const unknown = names.filter((n) => !all.some((s) => s.schema === n));
    if (unknown.includes('registry') && !databaseUrl) usageError("--only registry: the registry's embedded database is its own, migrated by `npm run registry` or `npm start` as it opens it; give --database-url for a registry on PostgreSQL");
    if (unknown.length) usageError(`--only: no schema with migrations named ${unknown.join(', ')} (there are: ${all.map((s) => s.schema).join(', ')})`);
    sets = all.filter((s) => names.includes(s.schema));
  }

  const where = databaseUrl ? redacted(databaseUrl) : `the embedded PGlite at ${pgliteDir}`;
  const db = await open(databaseUrl, pgliteDir);
  const width = Math.max(...sets.map((s) => s.schema.length));
  const say = (schema: string, text: string) => console.log(`  ${schema.padEnd(width)}  ${text}`);
  let pending = 0;
  let toRecord = 0;
  try {
    console.log(`${values.check ? 'checking' : 'migrating'} ${sets.length} schema${sets.length === 1 ? '' : 's'} of ${where}`);
    for (const set of sets) {
      if (values.check) {
        const status = await schemaStatus(db, set);
        const waiting = status.toAdopt.length + status.pending.length;
        pending += status.pending.length;
        toRecord += status.toAdopt.length;
        if (status.toAdopt.length) say(set.schema, `migrated by the earlier runner: ${status.toAdopt.length} applied file(s) to record (not run again)`);
        if (status.pending.length) say(set.schema, `version ${status.version} of ${status.latest}: pending ${status.pending.join(', ')}`);
        else if (status.version > status.latest) say(set.schema, `version ${status.version}, ahead of this code's ${status.latest} (servers refuse it unless ALLOW_SCHEMA_AHEAD=true)`);
        else if (!waiting) say(set.schema, `version ${status.version}, up to date`);
        continue;
      }
      const run = await migrateSchema(db, set, (file) => say(set.schema, `applying ${file}`));
      const did = [run.adopted.length ? `recorded ${run.adopted.length} file(s) the earlier runner applied` : '', run.applied.length ? `applied ${run.applied.length}` : ''].filter(Boolean).join(', ');
      const ahead = run.version > run.latest ? `, ahead of this code's ${run.latest}: nothing to do` : '';
      say(set.schema, `version ${run.version}${ahead}${did ? ` (${did})` : ahead ? '' : ', up to date'}`);
    }
  } catch (err) {
    console.error(`error: ${err instanceof MigrationError ? err.message : (err as Error).message ?? String(err)}`);
    process.exitCode = 1;
  } finally {
    await db.close();
  }
  if (process.exitCode) return;
  if (values.check && (pending || toRecord)) {
    const waiting = [pending ? `${pending} migration(s) pending` : '', toRecord ? `${toRecord} applied file(s) of the earlier runner to record` : ''].filter(Boolean).join(', ');
    console.log(`${waiting}: run \`npm run migrate\``);
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(`error: ${(err as Error)?.message ?? String(err)}`);
  process.exit(1);
});
