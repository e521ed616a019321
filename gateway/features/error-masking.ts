/**
 * Feature: error masking. What a client sees of an error is decided once for every server
 * (`platform/masking.ts`): deliberate errors pass, anything else is logged with the request id and
 * answered as INTERNAL_SERVER_ERROR; `extensions.stacktrace` only with INCLUDE_STACKTRACE=true.
 */
import { maskUnexpectedErrors } from '../../platform/masking';
import type { GatewayFeature } from '../feature';

export function errorMaskingFeature(opts: { includeStacktrace: boolean }): GatewayFeature {
  return {
    name: 'error-masking',
    apolloOptions: {
      includeStacktraceInErrorResponses: opts.includeStacktrace,
      formatError: maskUnexpectedErrors({ service: 'gateway', includeStacktrace: opts.includeStacktrace }),
    },
  };
}
