/**
 * Feature: usage reporting. Once an operation is resolved (validated against the API schema, its
 * operation chosen), the schema coordinates it uses (`operation-usage.ts`) are counted per operation and
 * client — `apollographql-client-name` and `apollographql-client-version`, the headers Apollo's clients
 * send — and reported to the registry (`usage-reporter.ts`), whose checks then say which operations and
 * clients a breaking change would break. Operations that fail validation are not counted: they never ran.
 *
 * It reports to the registry the gateway follows (REGISTRY_URL or --registry, with REGISTRY_TOKEN: read once,
 * in `gateway/config.ts`), so it is off without one. Its own variables: USAGE_REPORTING (`false` turns it
 * off), USAGE_REPORT_INTERVAL_MS (default 10000).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import { bool, wholeNumber } from '../../platform/env';
import { logger } from '../../platform/logger';
import type { GatewayContext, GatewayFeature } from '../feature';
import { coordinatesOfCall, operationShape, type OperationShape } from '../operation-usage';
import { UsageReporter, type UsageReporterOptions } from '../usage-reporter';

export const DEFAULT_USAGE_REPORT_INTERVAL_MS = 10_000;

export type UsageReportingSettings = Pick<UsageReporterOptions, 'registryUrl' | 'registryToken' | 'intervalMs'>;

/** The feature's own variables: whether to report (USAGE_REPORTING) and how often. */
export interface UsageReportingOptions {
  enabled: boolean;
  intervalMs: number;
}

export function readUsageReportingOptions(env: NodeJS.ProcessEnv, problems: string[]): UsageReportingOptions {
  return {
    enabled: bool(env, 'USAGE_REPORTING', true, problems),
    intervalMs: wholeNumber(env, 'USAGE_REPORT_INTERVAL_MS', DEFAULT_USAGE_REPORT_INTERVAL_MS, 100, 3_600_000, problems),
  };
}

/** Where usage goes: the registry the gateway follows, unless reporting is off (undefined: not reported). */
export function usageReportingSettings(options: UsageReportingOptions, registry: { url: string; token: string } | undefined): UsageReportingSettings | undefined {
  if (!options.enabled || !registry) return undefined;
  return { registryUrl: registry.url, registryToken: registry.token, intervalMs: options.intervalMs };
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
        // Once execution starts: an operation a later check refused (limits, a contract) never ran, so it is not usage.
        async executionDidStart({ schema, document, operation, queryHash, request }) {
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
