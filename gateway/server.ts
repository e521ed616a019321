/**
 * The gateway's core: Apollo Gateway executing the supergraph its source provides, Apollo Server, and
 * the platform's HTTP front. It names no concrete feature: authentication, identity forwarding,
 * timeouts, limits, persisted queries, the explorer, health and the rest are the `features` it is given
 * (`features.ts` builds the list from configuration), composed in list order (`combine.ts`).
 *
 * Without features it is deliberately bare: no introspection, no persisted queries, no landing page,
 * and subgraph fetches carry nothing but the operation.
 */
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { Fetcher } from '@apollo/utils.fetcher';
import { GraphQLError } from 'graphql';
import { graphqlHandler, listen, type Listening } from '../platform/http';
import { logger } from '../platform/logger';
import { combineFeatures, type CombinedFeatures } from './combine';
import type { GatewayContext, GatewayFeature, GatewayView, SubgraphFetcher } from './feature';
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
  stop(): Promise<void>;
}

/** A subgraph's fetches, made by the features' fetcher and after their `beforeSubgraphFetch` hooks. */
class FeatureDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    url: string,
    private readonly subgraph: string,
    private readonly features: CombinedFeatures,
  ) {
    // Node's own fetch (undici, keep-alive) instead of the default make-fetch-happen: measurably less CPU per subgraph fetch.
    const base: SubgraphFetcher = (input, init) => fetch(input, init);
    super({ url, fetcher: features.fetcherFor(subgraph, base) as unknown as Fetcher });
  }

  override willSendRequest({ request, context }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['willSendRequest']>>[0]) {
    // Health checks and other internal fetches carry no request context.
    return this.features.beforeSubgraphFetch({ subgraph: this.subgraph, request, context: context ?? {} });
  }

  /** A subgraph's refusal keeps its own message and code; the subgraph's URL and raw body stay inside. */
  override async errorFromResponse(response: Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0]): Promise<GraphQLError> {
    try {
      const body = (await response.clone().json()) as { errors?: Array<{ message?: string; extensions?: { code?: string } }> };
      const first = body.errors?.[0];
      if (first?.message) return new GraphQLError(first.message, { extensions: { code: first.extensions?.code ?? 'INTERNAL_SERVER_ERROR' } });
    } catch {
      // not a GraphQL body: fall through to a generic error
    }
    return new GraphQLError(`a subgraph answered ${response.status}`, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  }
}

const gatewayLogger = {
  debug() {},
  info() {},
  warn: (m: unknown) => logger.warn({ service: 'gateway' }, String(m)),
  error: (m: unknown) => logger.error({ service: 'gateway' }, String(m)),
};

export async function startGateway(opts: GatewayOptions): Promise<RunningGateway> {
  const features = combineFeatures(opts.features);
  const endpointOf = (name: string, url: string) => opts.subgraphUrls?.[name] ?? url;
  /** Where each subgraph of the supergraph being served is fetched; replaced with each new supergraph. */
  let endpoints = new Map<string, string>();
  let ready = false;

  const gateway = new ApolloGateway({
    supergraphSdl: opts.supergraph,
    buildService: ({ name, url }) => new FeatureDataSource(endpointOf(name, url!), name, features),
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
  opts.supergraph.useProbe?.(({ name, url }) => new FeatureDataSource(endpointOf(name, url!), name, features));

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
    throw new Error(`the gateway cannot serve the supergraph from ${opts.supergraph.status().source}: ${(err as Error).message}`);
  }
  ready = true;

  const view: GatewayView = {
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
      maxBodyBytes: opts.maxBodyBytes,
      landingPage: features.landingPage,
      routes: features.routes(view),
      context: (req) => features.context(req),
    });
    listening = await listen(handler, opts.port, opts.host);
  } catch (err) {
    await apollo.stop();
    await features.close();
    throw err;
  }
  return {
    ...listening,
    gateway,
    async stop() {
      ready = false;
      await listening.close();
      // Stops the gateway too, which ends the supergraph source (its cleanup).
      await apollo.stop();
      await features.close();
    },
  };
}
