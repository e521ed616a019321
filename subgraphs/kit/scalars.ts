/** The one representation of time across the graph: ISO-8601 in UTC with millisecond precision. */
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

const ISO_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** Parses an ISO-8601 date or date-time; a bare date means midnight UTC. */
export function parseIsoDateTime(text: string): Date {
  if (!ISO_RE.test(text)) throw new Error(`"${text.slice(0, 40)}" is not an ISO-8601 date-time such as "2025-01-31T08:00:00Z"`);
  const d = new Date(text.length === 10 ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(d.getTime())) throw new Error(`"${text}" is not a valid date`);
  return d;
}

function toIso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return parseIsoDateTime(value).toISOString();
  throw new GraphQLError(`DateTime cannot represent ${String(value)}`);
}

function parseInput(value: unknown): Date {
  if (typeof value !== 'string') {
    throw new GraphQLError('DateTime must be an ISO-8601 string such as "2025-01-31T08:00:00Z"', { extensions: { code: 'BAD_USER_INPUT' } });
  }
  try {
    return parseIsoDateTime(value);
  } catch (err) {
    throw new GraphQLError((err as Error).message, { extensions: { code: 'BAD_USER_INPUT' } });
  }
}

/** `DateTime`: ISO-8601 in UTC on output; a `Date` inside resolvers. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'A point in time, ISO-8601 in UTC, e.g. "2025-01-31T08:00:00.000Z".',
  serialize: toIso,
  parseValue: parseInput,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime literals must be strings', { extensions: { code: 'BAD_USER_INPUT' } });
    return parseInput(ast.value);
  },
});
