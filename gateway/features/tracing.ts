/**
 * Feature: the gateway's part of a request's trace (platform/tracing.ts). The HTTP front opens the
 * request's span (continuing a client's `traceparent`); this feature names the operation and client on it
 * once the operation is resolved, and gives each subgraph fetch its own client span whose `traceparent`
 * the subgraph continues — so one trace holds the gateway, every fetch and, below them, every SQL statement.
 *
 * It sits after the cache and deduplication (a cached or shared fetch sends nothing) and after the
 * timeouts (a fetch that times out ends its span as failed).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { annotateActiveSpan, injectTraceHeaders, inSpan, SpanKind } from '../../platform/tracing';
import type { GatewayContext, GatewayFeature } from '../feature';

export function tracingFeature(): GatewayFeature {
  const plugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async didResolveOperation({ operationName, operation, request, contextValue }) {
          annotateActiveSpan({
            'graphql.operation.name': operationName ?? '',
            'graphql.operation.type': operation?.operation ?? '',
            'autograph.client.name': request.http?.headers.get('apollographql-client-name') ?? '',
            // The role, never the subject: spans carry no personal data.
            'autograph.caller.role': contextValue.identity?.role ?? 'anonymous',
          });
        },
      };
    },
  };
  return {
    name: 'tracing',
    plugins: [plugin],
    wrapFetch(next, subgraph) {
      return (call) =>
        inSpan(`fetch ${subgraph}`, SpanKind.CLIENT, { 'autograph.subgraph': subgraph, 'graphql.operation.type': call.operation }, async (span) => {
          injectTraceHeaders(call.headers);
          const reply = await next(call);
          span.setAttribute('http.response.status_code', reply.status);
          return reply;
        });
    },
  };
}
