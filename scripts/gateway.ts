/**
 * `npm run gateway -- [--supergraph PATH] [--port N]` — the gateway alone, for deployments where each
 * subgraph runs as its own process (`npm run subgraph -- <name>`). It serves the supergraph file and
 * reaches each subgraph at the supergraph's routing URL, or at `<NAME>_URL` when set. The gateway and
 * the subgraphs must share AUTOGRAPH_INTERNAL_SECRET.
 */
import { readFileSync } from 'node:fs';
import { hasSharedInternalSecret } from '../gateway/config';
import { startGateway } from '../gateway/server';
import { RedisKeyValueCache } from '../gateway/redis-cache';
import { exitOnStartFailure, fail, loadConfigOrExit, parseFlags } from './cli';

async function main() {
  const flags = parseFlags(process.argv.slice(2), { supergraph: 'string', port: 'int' });
  const config = loadConfigOrExit();
  if (!hasSharedInternalSecret()) {
    fail('AUTOGRAPH_INTERNAL_SECRET must be set (32+ characters) and shared with every subgraph process, so that subgraphs can verify who is calling');
  }
  const supergraphPath = (flags.supergraph as string | undefined) ?? config.supergraphPath;
  const port = (flags.port as number | undefined) ?? config.gatewayPort;
  if (port > 65535) fail('--port must be from 1 to 65535 (0 picks any free port)');
  let supergraphSdl: string;
  try {
    supergraphSdl = readFileSync(supergraphPath, 'utf8');
  } catch {
    fail(`cannot read the supergraph at ${supergraphPath}: run \`npm run compose\` or pass --supergraph PATH`);
  }
  const persistedQueries = config.redisUrl ? await RedisKeyValueCache.connect(config.redisUrl) : undefined;
  const gateway = await startGateway({
    supergraphSdl,
    jwt: config.jwt,
    internalSecret: config.internalSecret,
    subgraphUrls: config.subgraphUrls,
    port,
    host: config.host,
    maxBodyBytes: config.maxBodyBytes,
    development: config.env === 'development',
    demoTokens: config.demoTokens,
    includeStacktrace: config.includeStacktrace,
    explorer: config.explorer,
    persistedQueries,
    limits: config.limits,
    subgraphTimeoutMs: config.subgraphTimeoutMs,
  });
  console.log(`gateway ${gateway.url} serving ${supergraphPath}`);
  const shutdown = async () => {
    await gateway.stop();
    await persistedQueries?.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch(exitOnStartFailure);
