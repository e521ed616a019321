/** Errors a client can act on, each with its `extensions.code`. */
import { GraphQLError, type ASTNode } from 'graphql';

export type ErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'SUBGRAPH_UNAVAILABLE' | 'INTERNAL_SERVER_ERROR';

function err(code: ErrorCode, message: string, extra?: Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra } });
}

export const unauthenticated = (message = 'Sign in: send "Authorization: Bearer <token>"') => err('UNAUTHENTICATED', message);
export const forbidden = (message: string) => err('FORBIDDEN', message);
export const badInput = (message: string, field?: string) => err('BAD_USER_INPUT', message, field ? { field } : undefined);
/** `field`: the argument that named what was not found, e.g. `input.options[0].trimId`. */
export const notFound = (message: string, field?: string) => err('NOT_FOUND', message, field ? { field } : undefined);
/** The request is well-formed but the resource's state does not allow it (paid twice, delivered twice, ...). */
export const conflict = (message: string) => err('CONFLICT', message);
/** A part of the answer depends on a subgraph that did not answer; retrying may succeed. Never a partial sum. */
export const subgraphUnavailable = (subgraph: string, message: string) => err('SUBGRAPH_UNAVAILABLE', message, { subgraph });

/**
 * An input value refused by a rule of the kit (a scalar's format, the range of `DateTime`, no NUL in
 * text): `rule` says what is wrong, `field` where — the argument path, `input.lines[2].unitPrice` —
 * once known. The scalars throw it without a path (they see only the value); the input checks and
 * the error formatter add the path. BAD_USER_INPUT, as a variable or as a string literal; a literal of
 * the wrong kind (a number where a string belongs) stays GraphQL's GRAPHQL_VALIDATION_FAILED.
 */
export class InputValueError extends GraphQLError {
  constructor(
    readonly rule: string,
    readonly field?: string,
    nodes?: ASTNode,
  ) {
    super(field ? `${field}: ${rule}` : rule, { nodes, extensions: { code: 'BAD_USER_INPUT', ...(field ? { field } : {}) } });
  }
}
