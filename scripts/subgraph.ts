/**
 * `npm run subgraph -- <name> [--port N] [--registry URL]` — one subgraph alone (any folder under subgraphs/): migrates its
 * schema (in production only checks it is at this code's version: `npm run migrate` is the deploy step) and serves it. It uses DATABASE_URL (each subgraph keeps to its own PostgreSQL schema, so they may
 * share one database or use separate ones; a stateless subgraph needs none); reaches the other subgraphs at
 * `<NAME>_URL` or their local ports; verifies the gateway's tokens with the keys at GATEWAY_JWKS_URL (outside
 * production: the gateway at this machine's PORT) and signs its own calls to other subgraphs with
 * SERVICE_TOKEN_SIGNING_KEY (outside production: a key generated once under `.data/service-token-keys/`),
 * whose public half it serves at `/.well-known/jwks.json`. A subgraph
 * derived from its peers (spending) given `--registry URL` (or REGISTRY_URL) follows the registry's
 * current subgraphs and regenerates its schema as they change (`subgraphs/kit/peer-follower.ts`).
 */
import { subgraphServiceUrls } from '../gateway/config';
import { loadOrCreateKeyFile } from '../platform/signing-keys';
import { subgraphs } from '../subgraphs';
import { openDb } from '../platform/db';
import { noDatabase } from '../platform/no-database';
import { startTracing, stopTracing } from '../platform/tracing';
import { peerSchemas, settingsProblems } from '../subgraphs/kit/module';
import { followPeers } from '../subgraphs/kit/peer-follower';
import { startSubgraph } from '../subgraphs/kit/subgraph';
import { exitOnStartFailure, fail, loadConfigOrExit, parseFlags } from './cli';

async function main() {
  const [name, ...rest] = process.argv.slice(2);
  const all = subgraphs();
  const mod = all.find((m) => m.name === name);
  if (!name || !mod) fail(`name the subgraph to run: one of ${all.map((m) => m.name).join(', ')}`);
  const flags = parseFlags(rest, { port: 'int', registry: 'string' });
  if (flags.registry !== undefined && !mod.fromPeers) fail(`--registry: ${mod.name} does not derive its schema from its peers, so it has nothing to follow (only ${all.filter((m) => m.fromPeers).map((m) => m.name).join(', ') || 'peer-derived subgraphs'} can)`);
  const config = loadConfigOrExit({ registry: flags.registry as string | undefined, role: 'subgraph' }, all);
  const settings = settingsProblems([mod]);
  if (settings.length) fail(`Invalid configuration:\n  - ${settings.join('\n  - ')}`);
  await startTracing({ serviceName: config.otelServiceName ?? `autograph-${mod.name}`, otlpEndpoint: config.otlpEndpoint });
  const production = config.env === 'production';
  if (production && !config.gatewayJwksUrl) fail("GATEWAY_JWKS_URL must be set when NODE_ENV=production: the gateway's public keys (its /.well-known/jwks.json), which this subgraph verifies every caller with");
  if (production && !config.serviceTokenKey) fail(`SERVICE_TOKEN_SIGNING_KEY or SERVICE_TOKEN_SIGNING_KEY_FILE must be set when NODE_ENV=production: the private key (EC P-256 or Ed25519, PEM or JWK) ${mod.name} signs its calls to other subgraphs with, its own and no other subgraph's`);
  if (!config.databaseUrl && !mod.stateless) fail('DATABASE_URL must be set: a subgraph running alone needs a PostgreSQL server (the embedded database serves one process only; use `npm start` for that)');
  const port = (flags.port as number | undefined) ?? config.subgraphPorts[mod.name];
  if (port > 65535) fail('--port must be from 1 to 65535 (0 picks any free port)');
  // A stateless subgraph opens no database: the kit's one interface, with nothing behind it.
  const db = mod.stateless ? noDatabase(mod.name) : await openDb(config);
  const running = await startSubgraph(mod, {
    db,
    identity: {
      gateway: { issuer: config.partnerTokens.issuer, keys: { jwksUrl: config.gatewayJwksUrl ?? `http://127.0.0.1:${config.gatewayPort}/.well-known/jwks.json` } },
      serviceKey: config.serviceTokenKey ?? loadOrCreateKeyFile(`.data/service-token-keys/${mod.name}.pem`),
      previousServiceKeys: config.previousServiceTokenKeys,
    },
    subgraphUrls: subgraphServiceUrls(config),
    // Built from this tree's folders; a registry-fed peer list replaces it when partners publish.
    peers: peerSchemas(all),
    port,
    host: config.host,
    includeStacktrace: config.includeStacktrace,
    limits: config.limits,
    metricsToken: config.metricsToken,
    serviceCallTimeoutMs: config.subgraphTimeoutMs,
    schemaOnStart: config.schemaOnStart,
  });
  const follower = mod.fromPeers && config.registry ? followPeers(running, { ...config.registry, fromPeers: true }) : undefined;
  console.log(`${mod.name} ${running.url}${follower ? ` (following the registry at ${config.registry!.url})` : ''}`);
  const shutdown = async () => {
    follower?.stop();
    await running.stop({ delayMs: config.shutdownDelayMs, drainMs: config.shutdownDrainMs });
    await db.close();
    await stopTracing();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch(exitOnStartFailure);
