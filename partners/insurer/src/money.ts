/**
 * Money and time as the graph exchanges them: amounts are integer fen inside (bigint, and `bigint`
 * columns), an exact decimal string with two fraction digits on the wire ("275.50") — never a float;
 * times are ISO-8601 in UTC. Copied into every partner on purpose: the partner depends on no code of
 * the graph, only on these two documented formats.
 */
import { GraphQLScalarType, Kind } from 'graphql';

export const CURRENCY = 'CNY';

/** 27550n → "275.50". */
export function formatFen(fen: bigint): string {
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  return `${negative ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

/** "275.5" / "275.50" → 27550n; anything else (a float, a third decimal) is refused, never rounded. */
export function parseFen(text: string): bigint {
  const m = /^(-)?(\d{1,16})(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) throw new TypeError(`${JSON.stringify(text.slice(0, 40))} is not an exact amount: a decimal string like "123.45"`);
  const fen = BigInt(m[2]) * 100n + BigInt((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -fen : fen;
}

/** A database value of a bigint column, read exactly (both drivers are asked for text: `::text`). */
export function fenFromDb(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  throw new TypeError(`not an amount in fen: ${String(value)}`);
}

export const money = (fen: bigint) => ({ amount: fen, currency: CURRENCY });

export const DecimalScalar = new GraphQLScalarType({
  name: 'Decimal',
  serialize: (v) => (typeof v === 'bigint' ? formatFen(v) : formatFen(parseFen(String(v)))),
  parseValue: (v) => {
    if (typeof v !== 'string') throw new TypeError('Decimal must be a string like "123.45"');
    return parseFen(v);
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new TypeError('Decimal must be a string like "123.45"');
    return parseFen(ast.value);
  },
});

function toDate(v: unknown): Date {
  const d = v instanceof Date ? v : new Date(String(v));
  if (Number.isNaN(d.getTime())) throw new TypeError('DateTime must be ISO-8601, e.g. "2026-03-01T00:00:00.000Z"');
  return d;
}

export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  serialize: (v) => toDate(v).toISOString(),
  parseValue: (v) => {
    if (typeof v !== 'string') throw new TypeError('DateTime must be an ISO-8601 string');
    return toDate(v);
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new TypeError('DateTime must be an ISO-8601 string');
    return toDate(ast.value);
  },
});
