/**
 * Every subgraph's own telemetry: its Prometheus series (platform/metrics.ts; served on the subgraph's
 * `GET /metrics`) — the operations it answered and how long each took, its errors by code — and the
 * operation named on the request's span (platform/tracing.ts). The gateway names operations
 * after the client's (`<Client>__<subgraph>__<n>`); the label keeps the client's part, which is bounded.
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { boundedLabel, counter, histogram, secondsSince } from '../../platform/metrics';
import { annotateActiveSpan } from '../../platform/tracing';

const operations = histogram('autograph_subgraph_operation_duration_seconds', 'Operations a subgraph answered and how long each took, by subgraph, operation (the client operation it serves) and outcome', ['subgraph', 'operation', 'outcome'] as const);
const errors = counter('autograph_subgraph_errors_total', 'Errors in a subgraph\'s answers, by subgraph and extensions.code', ['subgraph', 'code'] as const);

/** The client operation a planner-made name serves: `MySpending__orders__1` → `MySpending`. */
export function clientOperationOf(name: string | null | undefined): string | undefined {
  if (!name) return undefined;
  return name.split('__')[0] || undefined;
}

export function subgraphTelemetryPlugin<T extends BaseContext>(subgraph: string): ApolloServerPlugin<T> {
  const operationLabel = boundedLabel();
  const codeLabel = boundedLabel();
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async didResolveOperation({ operationName, operation }) {
          annotateActiveSpan({ 'graphql.operation.name': operationName ?? '', 'graphql.operation.type': operation?.operation ?? '' });
        },
        async willSendResponse({ response, request, operationName }) {
          const errs = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          for (const e of errs) errors.inc({ subgraph, code: codeLabel(typeof e.extensions?.code === 'string' ? e.extensions.code : 'INTERNAL_SERVER_ERROR') });
          operations.observe({ subgraph, operation: operationLabel(clientOperationOf(operationName ?? request.operationName)), outcome: errs.length ? 'error' : 'success' }, secondsSince(started));
        },
      };
    },
  };
}
