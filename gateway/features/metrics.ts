/**
 * Feature: Prometheus metrics on `GET /metrics` (platform/metrics.ts says who may read them). What a team
 * running the gateway watches: requests and their latency by operation and client, errors by code, each
 * subgraph fetch's latency and failures, response-cache hits and misses, the estimated cost of operations
 * by role (rate-limit refusals are counted by the rate-limits feature, which knows whose budget refused), and which supergraph is served and how often it changed.
 *
 * Subgraph fetches are timed where this feature sits in the list: after the cache and deduplication (a
 * cached or shared fetch is not a fetch) and after the timeouts (a timed-out fetch is seen failing).
 */
import { createHash } from 'node:crypto';
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import { boundedLabel, counter, gauge, histogram, metricsRoute, secondsSince } from '../../platform/metrics';
import { requestCost } from '../cost-request';
import type { GatewayContext, GatewayFeature } from '../feature';

const requests = histogram('autograph_gateway_request_duration_seconds', 'GraphQL requests served by the gateway and how long each took, by operation name, client name and outcome (success, error, cached: a whole answer from the response cache)', ['operation', 'client', 'outcome'] as const);
const errors = counter('autograph_gateway_errors_total', 'Errors in gateway responses, by extensions.code (a refused request counts once, a partial answer once per error)', ['code'] as const);
const fetches = histogram('autograph_gateway_subgraph_fetch_duration_seconds', 'Subgraph fetches sent by the gateway and how long each took, by subgraph and outcome (ok, errors, http_<status>, timeout, network)', ['subgraph', 'outcome'] as const);
const cache = counter('autograph_gateway_response_cache_total', 'Response-cache lookups, by result: hit and miss for subgraph fetches, whole_hit for a whole answer served before Apollo ran', ['result'] as const);
const cost = histogram('autograph_gateway_operation_cost', 'Estimated cost of each operation (demand control), by role', ['role'] as const, [10, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 100_000]);
const supergraph = gauge('autograph_gateway_supergraph_info', 'The supergraph being served: 1 for its id (the first 16 hex digits of its SHA-256)', ['id'] as const);
const reloads = counter('autograph_gateway_supergraph_loads_total', 'Supergraphs taken up by the gateway (the first one included)', [] as const);

/** A code from a subgraph or the gateway; codes are few, but a partner's subgraph could send any. */
const codeLabel = boundedLabel();

function roleOf(ctx: GatewayContext | undefined): string {
  return ctx?.identity?.role ?? 'anonymous';
}

function countError(code: unknown): void {
  errors.inc({ code: codeLabel(typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR') });
}

export function metricsFeature(opts: { token: string | undefined }): GatewayFeature {
  const operationLabel = boundedLabel();
  const clientLabel = boundedLabel();
  const plugin: ApolloServerPlugin<GatewayContext> = {
    async contextCreationDidFail({ error }) {
      // A request refused before it ran (a bad token, a rate limit): no operation, no latency worth a series.
      countError((error as { extensions?: { code?: unknown } }).extensions?.code);
    },
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse(rc: GraphQLRequestContext<GatewayContext>) {
          const role = roleOf(rc.contextValue);
          const body = rc.response.body?.kind === 'single' ? rc.response.body.singleResult : undefined;
          const errs = body?.errors ?? [];
          for (const e of errs) countError(e.extensions?.code);
          requests.observe(
            {
              operation: operationLabel(rc.operationName ?? rc.request.operationName),
              client: clientLabel(rc.request.http?.headers.get('apollographql-client-name')),
              outcome: errs.length ? 'error' : 'success',
            },
            secondsSince(started),
          );
          const state = rc.contextValue?.responseCache;
          if (state?.hits) cache.inc({ result: 'hit' }, state.hits);
          if (state?.misses) cache.inc({ result: 'miss' }, state.misses);
          const estimated = requestCost(rc);
          if (estimated !== undefined) cost.observe({ role }, estimated);
        },
      };
    },
  };
  // When each request arrived, for answers served before Apollo runs (a whole cached answer has no Apollo hooks).
  const arrived = new WeakMap<object, bigint>();
  return {
    name: 'metrics',
    plugins: [plugin],
    context(req) {
      arrived.set(req, process.hrtime.bigint());
      return {};
    },
    // Counted when admitted, as `cached`; a judge after this one (the safelist, demand control) may still
    // refuse it, which the errors series then does not see — rare enough not to order the list around it.
    admitEarlyAnswer(_answer, { req, body }) {
      const started = arrived.get(req) ?? process.hrtime.bigint();
      requests.observe({ operation: operationLabel(body.operationName), client: clientLabel(req.headers['apollographql-client-name'] as string | undefined), outcome: 'cached' }, secondsSince(started));
      cache.inc({ result: 'whole_hit' });
    },
    wrapFetch(next, subgraph) {
      return async (call) => {
        const started = process.hrtime.bigint();
        try {
          const reply = await next(call);
          const outcome = reply.status >= 300 ? `http_${reply.status}` : reply.body.errors?.length ? 'errors' : 'ok';
          fetches.observe({ subgraph, outcome }, secondsSince(started));
          return reply;
        } catch (err) {
          const name = (err as Error)?.name;
          fetches.observe({ subgraph, outcome: name === 'TimeoutError' || name === 'AbortError' || /timed? ?out/i.test(String((err as Error)?.message)) ? 'timeout' : 'network' }, secondsSince(started));
          throw err;
        }
      };
    },
    onSchemaChange(_schema, supergraphSdl) {
      supergraph.reset();
      supergraph.set({ id: createHash('sha256').update(supergraphSdl).digest('hex').slice(0, 16) }, 1);
      reloads.inc();
    },
    routes: () => ({ '/metrics': metricsRoute(opts.token) }),
  };
}
