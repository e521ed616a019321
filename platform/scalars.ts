/** The one representation of time across the graph: ISO-8601 in UTC with millisecond precision. */
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { InputValueError } from './errors';

const ISO_RE = /^(\d{4,})-(\d{2})-(\d{2})(T(\d{2}):\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * The instants a `DateTime` may be: both PostgreSQL's `timestamptz` and a JS `Date` hold every one of
 * them exactly (to the millisecond), so an input never turns into a database error or a silently
 * different time. Outside it a value is refused, naming the range.
 */
export const DATETIME_MIN = new Date('1900-01-01T00:00:00.000Z');
export const DATETIME_MAX = new Date('9999-12-31T23:59:59.999Z');
const RANGE = `a DateTime must be from ${DATETIME_MIN.toISOString()} up to ${DATETIME_MAX.toISOString()} (UTC)`;

/** Parses an ISO-8601 date or date-time; a bare date means midnight UTC. */
export function parseIsoDateTime(text: string): Date {
  const shown = JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
  const m = ISO_RE.exec(text);
  if (!m) throw new Error(`${shown} is not an ISO-8601 date-time such as "2025-01-31T08:00:00Z"`);
  const [, year, month, day, , hour] = m;
  // A JS Date cannot even parse a five-digit year; it is outside the range anyway.
  if (year.length > 4) throw new Error(`${shown} is outside the supported range: ${RANGE}`);
  // JS rolls "02-30" over into March and "24:00" into the next day; the calendar is not negotiable.
  const daysInMonth = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
  if (Number(month) < 1 || Number(month) > 12 || Number(day) < 1 || Number(day) > daysInMonth || (hour !== undefined && Number(hour) > 23)) {
    throw new Error(`${shown} is not a date in the calendar`);
  }
  const d = new Date(text.length === 10 ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(d.getTime())) throw new Error(`${shown} is not a valid date`);
  if (d < DATETIME_MIN || d > DATETIME_MAX) throw new Error(`${shown} is outside the supported range: ${RANGE}`);
  return d;
}

function toIso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return parseIsoDateTime(value).toISOString();
  throw new GraphQLError(`DateTime cannot represent ${String(value)}`);
}

/** Parses a client's `DateTime` value; refuses it with the rule it breaks (the caller adds where it was). */
export function parseDateTimeInput(value: unknown): Date {
  if (typeof value !== 'string') throw new InputValueError('must be an ISO-8601 string such as "2025-01-31T08:00:00Z"');
  try {
    return parseIsoDateTime(value);
  } catch (err) {
    throw new InputValueError((err as Error).message);
  }
}

/** `DateTime`: ISO-8601 in UTC on output; a `Date` inside resolvers. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: `A point in time, ISO-8601 in UTC, e.g. "2025-01-31T08:00:00.000Z"; from ${DATETIME_MIN.toISOString()} up to ${DATETIME_MAX.toISOString()} (a bare date means midnight UTC).`,
  serialize: toIso,
  parseValue: parseDateTimeInput,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new InputValueError('must be an ISO-8601 string such as "2025-01-31T08:00:00Z" (DateTime literals must be strings)', undefined, ast);
    try {
      return parseDateTimeInput(ast.value);
    } catch (err) {
      // The node lets the error formatter name the argument this literal was given for.
      throw new InputValueError((err as InputValueError).rule, undefined, ast);
    }
  },
});
