/**
 * `npm start` — the whole graph in one process: every subgraph folder and the gateway, on PostgreSQL when
 * DATABASE_URL is set, otherwise on an embedded PGlite kept at PGLITE_DIR. Outside production it seeds
 * demo data on first start, then prints the URL and a ready-to-paste request for `demo-driver`; with
 * NODE_ENV=production it does neither (no demo users in a real database, no token in a log).
 *
 * By default it also runs the schema registry (`stack/local-registry.ts`): the tree is published into it
 * at start, and the gateway and the spending subgraph follow it, so a partner published there joins the
 * running graph. With --supergraph PATH (or SUPERGRAPH_PATH), or --no-registry, no registry runs and the
 * gateway serves the supergraph file as `npm run compose` writes it (watched, served without a restart).
 *
 * Flags: --supergraph PATH, --no-registry, --port N (default 4000 or PORT; each subgraph keeps its distance
 *        from it, 4001 → N+1, unless <NAME>_PORT is set; the registry at N+100 unless REGISTRY_PORT),
 *        --users N (seed size on first start, default 200), --no-seed.
 */
import { gatewayPublicKeys } from '../gateway/subgraph-tokens';
import { mintToken } from '../gateway/auth';
import { gatewayFeatures } from '../gateway/features';
import { startStack } from '../stack/stack';
import { startTracing, stopTracing } from '../platform/tracing';
import { openDb } from '../platform/db';
import { schemaOnStartFor } from '../platform/schema-on-start';
import { DEMO_USER } from '../subgraphs/kit/seed';
import { migrateAll, seedAll, seedInfo } from '../subgraphs/seeding';
import { subgraphs } from '../subgraphs';
import { HEADLINE_QUERY as HEADLINE } from '../gateway/headline-query';
import { openLocalRegistryDb, readLocalRegistrySettings, startLocalRegistry, TreeDoesNotCompose } from '../stack/local-registry';
import { ensurePortsFree, exitOnStartFailure, fail, loadConfigOrExit, parseFlags, supergraphOrExit } from './cli';
import { buildWebApp, bundleSummary, webBuildStaleness } from './web/build';

/**
 * Builds the web app when web/dist is missing or older than its sources (the first start after a clone or
 * a change); the gateway's features then safelist its manifest as client web's. A failed build is reported
 * and the graph starts without the app (/app says how to build it).
 */
async function buildWebAppIfStale(): Promise<void> {
  if (process.env.WEB_APP_DIR) return; // a deployment's own build
  const why = webBuildStaleness();
  if (!why) return;
  process.stdout.write(`Building the web app (${why})… `);
  try {
    const r = await buildWebApp();
    console.log(`done in ${(r.ms / 1000).toFixed(1)} s (${r.operations} trusted documents, ${bundleSummary(r)})`);
  } catch (err) {
    console.log(`failed; the graph starts without it (/app says how to build it): ${(err as Error).message.split('\n')[0]}`);
  }
}


async function main() {
  const startedAt = Date.now();
  const flags = parseFlags(process.argv.slice(2), { supergraph: 'string', port: 'int', users: 'int', 'no-seed': 'boolean', 'no-registry': 'boolean' });
  const config = loadConfigOrExit({ port: flags.port as number | undefined }, subgraphs());
  await startTracing({ serviceName: config.otelServiceName ?? 'autograph', otlpEndpoint: config.otlpEndpoint });
  const production = config.env === 'production';
  if (production && flags.users !== undefined) fail('--users sizes the demo seed, which never runs with NODE_ENV=production');
  const supergraphPath = (flags.supergraph as string | undefined) ?? config.supergraphPath;
  // A supergraph file named, or no registry wanted: today's file flow exactly.
  const fileFlow = flags.supergraph !== undefined || Boolean(process.env.SUPERGRAPH_PATH) || Boolean(flags['no-registry']);
  let registrySettings;
  try {
    registrySettings = fileFlow ? undefined : readLocalRegistrySettings(process.env, config);
  } catch (err) {
    fail((err as Error).message);
  }
  const supergraph = fileFlow ? supergraphOrExit(supergraphPath) : undefined;

  // The registry's own database opens alongside the stack's.
  const registryDb = registrySettings ? openLocalRegistryDb(registrySettings) : undefined;
  registryDb?.catch(() => undefined); // awaited below; a failure is reported there, not as an unhandled rejection
  await ensurePortsFree(config.host, [config.gatewayPort, ...Object.values(config.subgraphPorts)]);
  if (registrySettings) await ensurePortsFree(registrySettings.host, [registrySettings.port]);
  // After every quick check (a bad flag, setting or taken port fails at once), before the slow part.
  // The gateway's features, built below, safelist what it built (`gatewayFeatures`).
  await buildWebAppIfStale();
  const db = await openDb(config);
  // The embedded database is this process's alone: it migrates it. On PostgreSQL in production the deploy
  // step (`npm run migrate`) has, and each server only checks its schema's version as it starts.
  const schemaOnStart = schemaOnStartFor(db, config.schemaOnStart);
  if (schemaOnStart.migrate) await migrateAll(db);
  if (production) {
    // Demo users in a real database and a long-lived token in a log would both outlive the demo.
    console.log('NODE_ENV=production: no demo data is seeded and no token is printed. Your data comes in through the graph\'s mutations (or your own import); for demo data, run `npm run seed` against a database that is not production.');
  } else if (!flags['no-seed'] && !(await seedInfo(db))) {
    const users = (flags.users as number | undefined) ?? 200;
    process.stdout.write(`Seeding ${users} demo users (first start only)… `);
    const t = Date.now();
    await seedAll(db, users);
    console.log(`done in ${Date.now() - t} ms`);
  }
  const registry = registrySettings ? await startLocalRegistry(registrySettings, config, db, await registryDb) : undefined;
  const stack = await startStack({
    db,
    supergraph: supergraph ?? ((running) => registry!.publishTree(running)),
    // Usage goes to the in-process registry, as a deployed gateway's goes to the one it follows.
    features: await gatewayFeatures(registry ? { ...config, registry: { url: registry.url, token: registry.token } } : config),
    // One process: the subgraphs verify the gateway's tokens with its public keys, no fetch needed.
    gatewayKeys: gatewayPublicKeys(config.partnerTokens),
    host: config.host,
    gatewayPort: config.gatewayPort,
    subgraphPorts: config.subgraphPorts,
    maxBodyBytes: config.maxBodyBytes,
    includeStacktrace: config.includeStacktrace,
    limits: config.limits,
    metricsToken: config.metricsToken,
    serviceCallTimeoutMs: config.subgraphTimeoutMs,
    schemaOnStart,
  }).catch(async (err) => {
    await registry?.stop();
    throw err;
  });
  registry?.followPeers(stack.subgraphs);

  const rssMb = Math.round(process.memoryUsage().rss / 1024 / 1024);
  console.log(`\nAutograph is up in ${Date.now() - startedAt} ms (${rssMb} MB RSS) on ${config.databaseUrl ? 'PostgreSQL' : `embedded PGlite (${config.pgliteDir})`}${config.redisCluster ? ', shared state in a Redis Cluster' : config.redisUrl ? ', shared state in Redis' : ''}.`);
  console.log(`  gateway     ${stack.gateway.url}${config.explorer ? '   (open it in a browser for the explorer)' : ''}`);
  if (config.webApp) console.log(`  web app     ${new URL('/app/', stack.gateway.url)}${config.explorer && config.demoTokens ? '   (sign in as a demo user)' : ''}`);
  if (registry) {
    console.log(`  registry    ${registry.url} (${registry.where}; the gateway and spending follow it: a subgraph published there is served without a restart)`);
    if (registry.partners.length) console.log(`  partners    ${registry.partners.join(', ')} (published into the registry, kept)`);
  } else {
    console.log(`  supergraph  ${supergraphPath} (watched: a new one is served without a restart)`);
  }
  for (const s of Object.values(stack.subgraphs)) console.log(`  ${s.name.padEnd(11)} ${s.url}`);
  if (production) {
    console.log(
      `\nClients sign in with tokens from your identity provider (JWT_JWKS_URL) or signed with your JWT_SECRET, issuer ${config.jwt.issuer}, ` +
        `audience ${config.jwt.audience}, at most ${config.jwt.maxTtlSeconds} s long (JWT_MAX_TTL_SECONDS). Introspection is ${config.introspection ? 'on' : 'off'} (INTROSPECTION).`,
    );
  } else if (config.jwt.secret) {
    // A day, so the pasted request keeps working, unless the configured cap is shorter.
    const token = await mintToken({ ...config.jwt, secret: config.jwt.secret }, { sub: DEMO_USER, role: 'customer' }, Math.min(24 * 3600, config.jwt.maxTtlSeconds));
    const body = JSON.stringify({ query: HEADLINE.replace(/\s+/g, ' '), variables: { first: 5 } });
    console.log(`\nWhat has ${DEMO_USER}'s car cost? Paste:\n\ncurl -s ${stack.gateway.url} -H 'content-type: application/json' \\\n  -H 'authorization: Bearer ${token}' \\\n  -d '${body}'\n`);
    if (registry) console.log(`The registry: export AUTOGRAPH_TOKEN=$(npm run -s token -- --sub admin-1 --role admin); npm run schema -- list --registry ${registry.url}`);
    console.log('Other tokens: npm run -s token -- --sub <userId> --role customer|partner|analyst|admin [--org <org>]');
  }

  const shutdown = async () => {
    await stack.stop({ delayMs: config.shutdownDelayMs, drainMs: config.shutdownDrainMs });
    await registry?.stop();
    await db.close();
    await stopTracing();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err) => {
  if (err instanceof TreeDoesNotCompose) {
    console.error(`error: ${err.message}`);
    process.exit(1);
  }
  exitOnStartFailure(err);
});
