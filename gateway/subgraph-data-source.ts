/**
 * How the gateway fetches one subgraph: Apollo Gateway's data source, with its fetch path replaced by
 * the features' (`beforeSubgraphFetch` hooks set headers, then the `wrapFetch` chain down to the pooled
 * client). `process` is Apollo's contract with the query plan executor; this one keeps what Apollo's
 * `RemoteGraphQLDataSource` does that matters here — headers, the subgraph's errors, its
 * `Cache-Control` narrowing the response's cache policy — and drops what does not (subgraph APQ,
 * a `Request` object per fetch).
 */
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import type { CombinedFeatures } from './combine';
import type { GatewayContext, SubgraphFetch, SubgraphReply } from './feature';
import { cacheHintOf } from './response-cache/cache-hint';

type ProcessResult = Awaited<ReturnType<RemoteGraphQLDataSource<GatewayContext>['process']>>;

/** A subgraph's refusal keeps its own message and code; the subgraph's URL and raw body stay inside. */
function errorFromReply(reply: SubgraphReply): GraphQLError {
  const first = reply.body.errors?.[0] as { message?: unknown; extensions?: { code?: unknown } } | undefined;
  if (typeof first?.message === 'string' && first.message) {
    return new GraphQLError(first.message, { extensions: { code: typeof first.extensions?.code === 'string' ? first.extensions.code : 'INTERNAL_SERVER_ERROR' } });
  }
  return new GraphQLError(`a subgraph answered ${reply.status}`, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
}

export class FeatureDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly fetchSubgraph: SubgraphFetch;

  constructor(
    url: string,
    private readonly subgraph: string,
    private readonly features: CombinedFeatures,
    base: SubgraphFetch,
  ) {
    super({ url });
    this.fetchSubgraph = features.fetchFor(subgraph, base);
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<ProcessResult> {
    const { request } = options;
    // Health checks and other internal fetches carry no request context.
    const context = options.context ?? {};
    const headers = new Headers();
    for (const [name, value] of request.http?.headers ?? []) headers.append(name, value);
    headers.set('content-type', 'application/json');
    request.http = { method: 'POST', url: this.url, headers } as NonNullable<typeof request.http>;
    await this.features.beforeSubgraphFetch({ subgraph: this.subgraph, request, context });
    if (!request.query) throw new Error('Missing query');
    const { http, ...body } = request;
    // The planner writes each fetch's operation itself: a write is always `mutation …`.
    const operation = /^\s*mutation\b/.test(request.query) ? 'mutation' : 'query';
    const reply = await this.fetchSubgraph({
      subgraph: this.subgraph,
      url: this.url,
      body: body as { query: string },
      operation,
      headers: Object.fromEntries(http!.headers as unknown as Iterable<[string, string]>),
      context,
    });
    if (reply.status < 200 || reply.status >= 300) throw errorFromReply(reply);
    if ('incomingRequestContext' in options) {
      const policy = options.incomingRequestContext.overallCachePolicy;
      // A write's answer is never to be reused downstream, whatever the hints on the types it returns.
      if (policy && 'restrict' in policy) policy.restrict(operation === 'mutation' ? { maxAge: 0 } : cacheHintOf(reply.headers['cache-control']));
    }
    return reply.body as ProcessResult;
  }
}
