/**
 * What a client sees of an error, the same in the gateway and in every subgraph (their Apollo Server
 * `formatError`):
 *  - a deliberate error — one of the kit's codes (`errors.ts`), or GraphQL's own parse, validation and
 *    variable-coercion errors — passes as it is;
 *  - a subgraph's database that is down or restarting is SUBGRAPH_UNAVAILABLE naming the subgraph (retry);
 *  - anything else (a database error, a bug, a failed fetch) is logged with the request id and
 *    answered as INTERNAL_SERVER_ERROR with a generic message and that id in `extensions.requestId`.
 *    Never the SQL, the PostgreSQL message or a stack, whatever NODE_ENV says.
 * `extensions.stacktrace` appears only when asked for (INCLUDE_STACKTRACE=true), and never in a message.
 */
import { randomUUID } from 'node:crypto';
import { unwrapResolverError } from '@apollo/server/errors';
import { Kind, type GraphQLFormattedError } from 'graphql';
import { InputValueError, type ErrorCode } from './errors';
import { literalPath } from './inputs';
import { currentRequestId, logger } from './logger';

/** The kit's codes a client can act on (everything but INTERNAL_SERVER_ERROR). */
const KIT_CODES = ['UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT', 'NOT_FOUND', 'CONFLICT', 'SUBGRAPH_UNAVAILABLE'] as const satisfies readonly ErrorCode[];
/** Apollo Server's codes for requests GraphQL itself refused. */
const GRAPHQL_CODES = ['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED', 'PERSISTED_QUERY_NOT_IN_LIST', 'OPERATION_RESOLUTION_FAILURE', 'BAD_REQUEST'];
/** The gateway's own refusals of a whole request (demand control) or of a caller (rate limits). */
const GATEWAY_CODES = ['COST_ESTIMATED_TOO_EXPENSIVE', 'RATE_LIMITED'];
const DELIBERATE = new Set<string>([...KIT_CODES, ...GRAPHQL_CODES, ...GATEWAY_CODES]);

export interface MaskingOptions {
  /** Who logs: `gateway` or the subgraph's name. */
  service: string;
  /** Add `extensions.stacktrace` to every error (INCLUDE_STACKTRACE=true; off by default, even in development). */
  includeStacktrace: boolean;
}

/** The error and the errors it wraps (GraphQL wraps what a resolver or a fetch threw in `originalError`). */
function* chain(error: unknown): Generator<unknown> {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { originalError?: unknown; cause?: unknown }).originalError ?? (e as { cause?: unknown }).cause, depth++) yield e;
}

/** The kit's input refusal behind a (possibly wrapped) error, if that is what it is. */
function inputValueErrorIn(error: unknown): InputValueError | undefined {
  for (const e of chain(error)) if (e instanceof InputValueError) return e;
  return undefined;
}

/** A refusal of the request by the server itself (Apollo's own, the auth check) says so with a 4xx status. */
function declaresClientStatus(error: unknown): boolean {
  for (const e of chain(error)) {
    const status = (e as { extensions?: { http?: { status?: number } } }).extensions?.http?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) return true;
  }
  return false;
}

/**
 * The database is down or restarting — refused connections, a server shutting down (SQLSTATE 57P01–57P03),
 * a connection exception (class 08), a dropped connection or a pool that cannot connect in time. A client
 * should retry, so it is answered as SUBGRAPH_UNAVAILABLE (retryable), never as an internal error.
 */
function isDatabaseUnavailable(error: unknown): boolean {
  for (const e of chain(error)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03'].includes(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
    const message = (e as Error).message ?? '';
    if (/^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/.test(message)) return true;
  }
  return false;
}

/** A fetch that ran out of time (a subgraph too slow): still masked, but the client may know that much. */
function isTimeout(error: unknown): boolean {
  for (const e of chain(error)) {
    if ((e as Error).name === 'TimeoutError') return true;
    // The gateway's subgraph client (undici) names its deadlines by code.
    const code = (e as { code?: unknown }).code;
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return true;
  }
  return false;
}

/** Builds the `formatError` of a server. */
export function maskUnexpectedErrors(opts: MaskingOptions) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const { stacktrace, exception: _exception, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
    const trace = opts.includeStacktrace && stacktrace ? { stacktrace } : {};

    // A literal refused by a scalar during validation: the scalar saw only the value; name where it was.
    const refused = inputValueErrorIn(error);
    const node = refused?.nodes?.[0];
    const path = refused && !refused.field ? literalPath(node) : undefined;
    if (refused && path) {
      // A string that breaks a rule is bad input, as it would be in variables; a literal of the wrong kind is a malformed document.
      const code = node?.kind === Kind.STRING ? 'BAD_USER_INPUT' : extensions.code;
      return { ...formatted, message: `${path}: ${refused.rule}`, extensions: { ...extensions, code, field: path, ...trace } };
    }

    if (typeof extensions.code === 'string' && DELIBERATE.has(extensions.code)) return { ...formatted, extensions: { ...extensions, ...trace } };
    // Apollo refuses some requests (a persisted query's wrong hash) with a 400 but no code, which it then calls INTERNAL_SERVER_ERROR.
    if (declaresClientStatus(error)) return { ...formatted, extensions: { ...extensions, code: 'BAD_REQUEST', ...trace } };

    const requestId = currentRequestId() ?? randomUUID();
    if (opts.service !== 'gateway' && isDatabaseUnavailable(error)) {
      logger.warn({ service: opts.service, requestId, err: unwrapResolverError(error), path: formatted.path }, 'database unavailable, answered as SUBGRAPH_UNAVAILABLE');
      return {
        message: `${opts.service} cannot reach its database right now; retry shortly (request id ${requestId})`,
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: opts.service, requestId, ...trace },
      };
    }
    logger.error({ service: opts.service, requestId, err: unwrapResolverError(error), path: formatted.path, code: extensions.code }, 'unexpected error, answered as INTERNAL_SERVER_ERROR');
    return {
      message: `${isTimeout(error) ? 'Internal server error (timeout: a service did not answer in time)' : 'Internal server error'}: the server logged it under request id ${requestId}`,
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR', requestId, ...trace },
    };
  };
}
