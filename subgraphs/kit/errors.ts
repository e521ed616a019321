/** Errors a client can act on, each with its `extensions.code`. */
import { GraphQLError } from 'graphql';

export type ErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'INTERNAL_SERVER_ERROR';

function err(code: ErrorCode, message: string, extra?: Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra } });
}

export const unauthenticated = (message = 'Sign in: send "Authorization: Bearer <token>"') => err('UNAUTHENTICATED', message);
export const forbidden = (message: string) => err('FORBIDDEN', message);
export const badInput = (message: string, field?: string) => err('BAD_USER_INPUT', message, field ? { field } : undefined);
export const notFound = (message: string) => err('NOT_FOUND', message);
/** The request is well-formed but the resource's state does not allow it (paid twice, delivered twice, ...). */
export const conflict = (message: string) => err('CONFLICT', message);
