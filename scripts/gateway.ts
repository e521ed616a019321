/**
 * `npm run gateway -- [--supergraph PATH | --registry URL] [--port N]` — the gateway alone, for deployments
 * where each subgraph runs as its own process (`npm run subgraph -- <name>`). It serves the supergraph
 * file, or with `--registry URL` (or REGISTRY_URL) the schema registry's current supergraph — and each new
 * version of either, without a restart — and reaches each subgraph at the supergraph's routing URL, or at
 * `<NAME>_URL` when set. It signs each subgraph fetch with its key (PARTNER_TOKEN_SIGNING_KEY) and serves the
 * public keys at `/.well-known/jwks.json`, where subgraph processes read them (GATEWAY_JWKS_URL).
 */
import { gatewayFeatures } from '../gateway/features';
import { registrySupergraph } from '../gateway/registry-supergraph';
import { startGateway } from '../gateway/server';
import { startTracing, stopTracing } from '../platform/tracing';
import { subgraphs } from '../subgraphs';
import { exitOnStartFailure, fail, loadConfigOrExit, parseFlags, supergraphOrExit } from './cli';

async function main() {
  const flags = parseFlags(process.argv.slice(2), { supergraph: 'string', registry: 'string', port: 'int' });
  if (flags.supergraph !== undefined && flags.registry !== undefined) fail('give --supergraph PATH or --registry URL, not both');
  // The tree's folders are our own subgraphs (token in the identity header); any other is a partner's (bearer token).
  const config = loadConfigOrExit({ registry: flags.registry as string | undefined }, subgraphs());
  await startTracing({ serviceName: config.otelServiceName ?? 'autograph-gateway', otlpEndpoint: config.otlpEndpoint });
  const supergraphPath = (flags.supergraph as string | undefined) ?? config.supergraphPath;
  const port = (flags.port as number | undefined) ?? config.gatewayPort;
  if (port > 65535) fail('--port must be from 1 to 65535 (0 picks any free port)');
  const following = flags.supergraph === undefined ? config.registry : undefined;
  const supergraph = following ? registrySupergraph(following) : supergraphOrExit(supergraphPath);
  const gateway = await startGateway({
    supergraph,
    features: await gatewayFeatures(config),
    subgraphUrls: config.subgraphUrls,
    port,
    host: config.host,
    maxBodyBytes: config.maxBodyBytes,
  });
  const from = following
    ? `the registry at ${following.url}${supergraph.status().registry?.startedFromCache ? ` (unavailable: started from the cached ${following.cachePath})` : ''} (followed: a new supergraph is served without a restart)`
    : `${supergraphPath} (watched: a new one is served without a restart)`;
  console.log(`gateway ${gateway.url} serving ${from}`);
  const shutdown = async () => {
    await gateway.stop({ delayMs: config.shutdownDelayMs, drainMs: config.shutdownDrainMs });
    await stopTracing();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch(exitOnStartFailure);
