/**
 * `npm run registry -- [--port N]` — the schema registry as its own process (README "Schema registry"):
 * on DATABASE_URL, or an embedded PGlite in REGISTRY_PGLITE_DIR (`.data/registry`); admin JWTs verified as
 * the gateway verifies them (JWT_*), registry keys against its database. Port: --port, else REGISTRY_PORT, else 4100.
 * The spending merger is derived from the published peers by this tree's own generator (`stack/graph.ts` derivedSubgraphs).
 */
import { openDb } from '../platform/db';
import { loadRegistryConfig } from '../registry/config';
import { derivedSubgraphs } from '../stack/graph';
import { startRegistry } from '../registry/server';
import { exitOnStartFailure, fail, parseFlags } from './cli';

async function main() {
  const flags = parseFlags(process.argv.slice(2), { port: 'int' });
  let config;
  try {
    config = loadRegistryConfig(process.env, { port: flags.port as number | undefined });
  } catch (err) {
    fail((err as Error).message);
  }
  const db = await openDb({ databaseUrl: config.databaseUrl, pgliteDir: config.pgliteDir });
  const registry = await startRegistry({ db, jwt: config.jwt, port: config.port, host: config.host, maxBodyBytes: config.maxBodyBytes, usageDays: config.usageDays, derived: derivedSubgraphs(), schemaOnStart: config.schemaOnStart });
  console.log(`schema registry ${registry.url} on ${config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${config.pgliteDir}`}`);
  const shutdown = async () => {
    await registry.stop();
    await db.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch(exitOnStartFailure);
