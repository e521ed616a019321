/**
 * Feature: usage reporting. Once an operation is resolved (validated against the API schema, its
 * operation chosen), the schema coordinates it uses (`operation-usage.ts`) are counted per operation and
 * client — `apollographql-client-name` and `apollographql-client-version`, the headers Apollo's clients
 * send — and reported to the registry (`usage-reporter.ts`), whose checks then say which operations and
 * clients a breaking change would break. Operations that fail validation are not counted: they never ran.
 *
 * Variables: REGISTRY_URL (off without it), REGISTRY_TOKEN (the gateway's registry credential, required
 * with REGISTRY_URL), USAGE_REPORTING (`false` turns it off), USAGE_REPORT_INTERVAL_MS (default 10000).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import { bool, url, wholeNumber } from '../../platform/env';
import { logger } from '../../platform/logger';
import type { GatewayContext, GatewayFeature } from '../feature';
import { coordinatesOfCall, operationShape, type OperationShape } from '../operation-usage';
import { UsageReporter, type UsageReporterOptions } from '../usage-reporter';

export const DEFAULT_USAGE_REPORT_INTERVAL_MS = 10_000;

export type UsageReportingSettings = Pick<UsageReporterOptions, 'registryUrl' | 'registryToken' | 'intervalMs'>;

/** The settings, or undefined when usage is not reported (no REGISTRY_URL, or USAGE_REPORTING=false). */
export function readUsageReportingSettings(env: NodeJS.ProcessEnv, problems: string[]): UsageReportingSettings | undefined {
  const enabled = bool(env, 'USAGE_REPORTING', true, problems);
  const registryUrl = url(env, 'REGISTRY_URL', ['http:', 'https:'], problems);
  const intervalMs = wholeNumber(env, 'USAGE_REPORT_INTERVAL_MS', DEFAULT_USAGE_REPORT_INTERVAL_MS, 100, 3_600_000, problems);
  if (!enabled || !registryUrl) return undefined;
  const registryToken = env.REGISTRY_TOKEN || undefined;
  // Every registry route needs a credential: without one each report would be refused and the usage lost.
  if (!registryToken) problems.push('REGISTRY_TOKEN must be set when REGISTRY_URL is (the gateway reports usage to the registry with it); or set USAGE_REPORTING=false');
  return { registryUrl, registryToken, intervalMs };
}

/** Longest client name or version kept; longer ones are cut (a header is the client's to choose). */
const CLIENT_FIELD_CHARS = 100;
/** Most operation shapes kept between calls (most-recently-added order; the oldest goes first). */
const SHAPE_CACHE_SIZE = 1000;

/** A client header as recorded: control characters removed, trimmed, cut to length; '' when absent. */
export function clientField(value: string | undefined): string {
  // eslint-disable-next-line no-control-regex
  return (value ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, CLIENT_FIELD_CHARS);
}

function usagePlugin(reporter: UsageReporter): ApolloServerPlugin<GatewayContext> {
  // A document's shape is computed once per schema: most calls repeat a few documents.
  let shapes = new Map<string, OperationShape>();
  let shapesOf: GraphQLSchema | undefined;
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, queryHash, request }) {
          if (!operation) return;
          try {
            if (shapesOf !== schema) {
              shapes = new Map();
              shapesOf = schema;
            }
            const key = `${queryHash}\0${operation.name?.value ?? ''}`;
            let shape = shapes.get(key);
            if (!shape) {
              shape = operationShape(schema, document, operation);
              if (shapes.size >= SHAPE_CACHE_SIZE) shapes.delete(shapes.keys().next().value!);
              shapes.set(key, shape);
            }
            const client = { name: clientField(request.http?.headers.get('apollographql-client-name')), version: clientField(request.http?.headers.get('apollographql-client-version')) };
            reporter.record(shape, client, coordinatesOfCall(shape, request.variables));
          } catch (err) {
            // Counting usage must never fail the request it counts.
            logger.warn({ service: 'gateway', feature: 'usage-reporting', err }, 'could not count an operation’s usage');
          }
        },
      };
    },
  };
}

/** The feature, reporting to `settings.registryUrl`; its reporter is exposed for tests. */
export function usageReportingFeature(settings: UsageReportingSettings & { maxEntries?: number }): GatewayFeature & { reporter: UsageReporter } {
  const reporter = new UsageReporter(settings);
  reporter.start();
  return {
    name: 'usage-reporting',
    reporter,
    plugins: [usagePlugin(reporter)],
    close: () => reporter.close(),
  };
}
