/**
 * `npm run gateway -- [--supergraph PATH] [--port N]` — the gateway alone, for deployments where each
 * subgraph runs as its own process (`npm run subgraph -- <name>`). It serves the supergraph file — and
 * each new version of it, without a restart — and reaches each subgraph at the supergraph's routing
 * URL, or at `<NAME>_URL` when set. The gateway and the subgraphs must share AUTOGRAPH_INTERNAL_SECRET.
 */
import { hasSharedInternalSecret } from '../gateway/config';
import { gatewayFeatures } from '../gateway/features';
import { startGateway } from '../gateway/server';
import { subgraphs } from '../subgraphs';
import { exitOnStartFailure, fail, loadConfigOrExit, parseFlags, supergraphOrExit } from './cli';

async function main() {
  const flags = parseFlags(process.argv.slice(2), { supergraph: 'string', port: 'int' });
  // The tree's folders are our own subgraphs (internal identity header); any other is a partner's (partner token).
  const config = loadConfigOrExit({}, subgraphs());
  if (!hasSharedInternalSecret()) {
    fail('AUTOGRAPH_INTERNAL_SECRET must be set (32+ characters) and shared with every subgraph process, so that subgraphs can verify who is calling');
  }
  const supergraphPath = (flags.supergraph as string | undefined) ?? config.supergraphPath;
  const port = (flags.port as number | undefined) ?? config.gatewayPort;
  if (port > 65535) fail('--port must be from 1 to 65535 (0 picks any free port)');
  const supergraph = supergraphOrExit(supergraphPath);
  const gateway = await startGateway({
    supergraph,
    features: await gatewayFeatures(config),
    subgraphUrls: config.subgraphUrls,
    port,
    host: config.host,
    maxBodyBytes: config.maxBodyBytes,
  });
  console.log(`gateway ${gateway.url} serving ${supergraphPath} (watched: a new one is served without a restart)`);
  const shutdown = async () => {
    await gateway.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch(exitOnStartFailure);
