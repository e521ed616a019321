/**
 * The gateway's core: Apollo Gateway executing the supergraph its source provides, Apollo Server, and
 * the platform's HTTP front. It names no concrete feature: authentication, identity forwarding,
 * timeouts, limits, persisted queries, the explorer, health and the rest are the `features` it is given
 * (`features.ts` builds the list from configuration), composed in list order (`combine.ts`).
 *
 * Without features it is deliberately bare: no introspection, no persisted queries, no landing page,
 * and subgraph fetches carry nothing but the operation.
 */
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { graphqlHandler, listen, type Listening } from '../platform/http';
import { logger } from '../platform/logger';
import { combineFeatures, type CombinedFeatures } from './combine';
import type { GatewayContext, GatewayFeature, GatewayView } from './feature';
import { subgraphClient } from './subgraph-client';
import { FeatureDataSource } from './subgraph-data-source';
import { subgraphsOf, type SupergraphSource } from './supergraph-source';

export interface GatewayOptions {
  /** Where the supergraph comes from, now and as it changes. */
  supergraph: SupergraphSource;
  /** What the gateway does beyond routing operations, in order (`gatewayFeatures(config)`). */
  features: readonly GatewayFeature[];
  /** Replaces the supergraph's routing URL of a subgraph, by name (`<NAME>_URL`, the in-process stack). */
  subgraphUrls?: Partial<Record<string, string>>;
  port: number;
  host?: string;
  /** Largest request body accepted (413 beyond). */
  maxBodyBytes: number;
}

export interface RunningGateway extends Listening {
  gateway: ApolloGateway;
  /**
   * Stops serving. With `delayMs` the health routes answer 503 `stopping` for that long while requests
   * are still served (a load balancer takes the replica out of rotation first); with `drainMs` the requests
   * in flight when the listener closes are let finish for up to that long.
   */
  stop(opts?: { delayMs?: number; drainMs?: number }): Promise<void>;
}

const gatewayLogger = {
  debug() {},
  info() {},
  warn: (m: unknown) => logger.warn({ service: 'gateway' }, String(m)),
  error: (m: unknown) => logger.error({ service: 'gateway' }, String(m)),
};

export async function startGateway(opts: GatewayOptions): Promise<RunningGateway> {
  const features = combineFeatures(opts.features);
  // One pooled HTTP client for every subgraph fetch of this gateway (probes included).
  const client = subgraphClient({ batches: (subgraph) => features.batchesFetches(subgraph), sign: features.signSubgraphRequest });
  const endpointOf = (name: string, url: string) => opts.subgraphUrls?.[name] ?? url;
  /** Where each subgraph of the supergraph being served is fetched; replaced with each new supergraph. */
  let endpoints = new Map<string, string>();
  let ready = false;
  let stopping = false;

  const gateway = new ApolloGateway({
    supergraphSdl: opts.supergraph,
    buildService: ({ name, url }) => new FeatureDataSource(endpointOf(name, url!), name, features, client.fetch),
    // Validate every supergraph fully, in production too (Apollo skips that there by default): one that
    // is not a valid supergraph is refused on arrival, not discovered by a failing request.
    validateSupergraph: true,
    logger: gatewayLogger,
  });
  gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => {
    endpoints = new Map(subgraphsOf(coreSupergraphSdl).map(({ name, url }) => [name, endpointOf(name, url)]));
    features.onSchemaChange(apiSchema, coreSupergraphSdl);
  });

  // Probes of a new supergraph's subgraphs get data sources of their own, never the served ones.
  opts.supergraph.useProbe?.(({ name, url }) => new FeatureDataSource(endpointOf(name, url!), name, features, client.fetch));

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    // Safe defaults that a feature may own instead.
    introspection: false,
    persistedQueries: false,
    includeStacktraceInErrorResponses: false,
    ...features.apolloOptions,
    csrfPrevention: true,
    // The process owner (npm start, tests) stops servers in order; Apollo must not re-raise signals itself.
    stopOnTerminationSignals: false,
    validationRules: features.validationRules,
    // Apollo's landing pages load Sandbox from a CDN: never served (a feature may serve its own page).
    plugins: [...features.plugins, ApolloServerPluginLandingPageDisabled()],
  });
  try {
    await apollo.start();
  } catch (err) {
    await features.close();
    await client.close();
    throw new Error(`the gateway cannot serve the supergraph from ${opts.supergraph.status().source}: ${(err as Error).message}`);
  }
  ready = true;

  const view: GatewayView = {
    get stopping() {
      return stopping;
    },
    get ready() {
      return ready;
    },
    subgraphEndpoints: () => endpoints,
    supergraph: () => opts.supergraph.status(),
  };
  let listening: Listening;
  try {
    const handler = graphqlHandler({
      apollo,
      service: 'gateway',
      maxBodyBytes: opts.maxBodyBytes,
      landingPage: features.landingPage,
      routes: features.routes(view),
      context: (req) => features.context(req),
      earlyAnswer: features.earlyAnswer && ((req, body, context) => features.earlyAnswer!({ req, body, context })),
    });
    listening = await listen(handler, opts.port, opts.host);
  } catch (err) {
    await apollo.stop();
    await features.close();
    await client.close();
    throw err;
  }
  return {
    ...listening,
    gateway,
    async stop({ delayMs = 0, drainMs = 0 } = {}) {
      ready = false;
      stopping = true;
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      await listening.close({ drainMs });
      // Stops the gateway too, which ends the supergraph source (its cleanup).
      await apollo.stop();
      await features.close();
      await client.close();
    },
  };
}
