/**
 * `tsx src/main.ts` — the insurer's subgraph: reads its configuration, opens its database (migrating and
 * seeding the demo data), and serves the subgraph until SIGINT/SIGTERM. Prints its URL when it is up.
 */
import { InsurerConfigError, loadInsurerConfig } from './config';
import { openInsurerDb } from './db';
import { createGatewayTokenVerifier } from './identity';
import { seed } from './seed';
import { startInsurer } from './server';
import { migrate } from './store';

async function main() {
  const config = loadInsurerConfig();
  const db = await openInsurerDb(config);
  await migrate(db);
  await seed(db, config.seedUser, process.env.INSURER_SEED_VIN || undefined);
  const verify = createGatewayTokenVerifier(config);
  const server = await startInsurer({ db, verify, port: config.port, host: config.host });
  console.log(`insurer subgraph ${server.url} (tokens from ${config.issuer} for ${config.audience}, keys at ${config.jwksUrl}; ${config.databaseUrl ? `PostgreSQL schema ${config.dbSchema}` : `PGlite ${config.pgliteDir}`})`);
  const shutdown = async () => {
    await server.stop();
    await db.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err) => {
  console.error(`error: ${err instanceof InsurerConfigError ? err.message : (err as Error).message}`);
  process.exit(1);
});
