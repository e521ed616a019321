/**
 * `npm run subgraph -- <name> [--port N]` — one subgraph alone (catalog, orders, finance, aftermarket
 * or energy): migrates its schema and serves it. It uses DATABASE_URL (each subgraph keeps to its own
 * PostgreSQL schema, so they may share one database or use separate ones); reaches the other subgraphs
 * at `<NAME>_URL` or their local ports; and shares AUTOGRAPH_INTERNAL_SECRET with the gateway.
 */
import { subgraphServiceUrls, hasSharedInternalSecret } from '../gateway/config';
import { SUBGRAPHS } from '../subgraphs';
import { openDb } from '../subgraphs/kit/db';
import { SUBGRAPH_NAMES, startSubgraph, type SubgraphName } from '../subgraphs/kit/subgraph';
import { exitOnStartFailure, fail, loadConfigOrExit, parseFlags } from './cli';

async function main() {
  const [name, ...rest] = process.argv.slice(2);
  if (!name || !(SUBGRAPH_NAMES as readonly string[]).includes(name)) fail(`name the subgraph to run: one of ${SUBGRAPH_NAMES.join(', ')}`);
  const flags = parseFlags(rest, { port: 'int' });
  const config = loadConfigOrExit();
  if (!hasSharedInternalSecret()) fail('AUTOGRAPH_INTERNAL_SECRET must be set (32+ characters) and shared with the gateway and the other subgraphs');
  if (!config.databaseUrl) fail('DATABASE_URL must be set: a subgraph running alone needs a PostgreSQL server (the embedded database serves one process only; use `npm start` for that)');
  const subgraph = name as SubgraphName;
  const port = (flags.port as number | undefined) ?? config.subgraphPorts[subgraph];
  if (port > 65535) fail('--port must be from 1 to 65535 (0 picks any free port)');
  const db = await openDb(config);
  const running = await startSubgraph(SUBGRAPHS[subgraph], {
    db,
    internalSecret: config.internalSecret,
    subgraphUrls: subgraphServiceUrls(config),
    port,
    host: config.host,
    includeStacktrace: config.includeStacktrace,
    limits: config.limits,
  });
  console.log(`${subgraph} ${running.url}`);
  const shutdown = async () => {
    await running.stop();
    await db.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch(exitOnStartFailure);
