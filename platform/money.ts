/**
 * Money, one way: integer minor units (fen) as `bigint` inside the process, `bigint` columns in
 * PostgreSQL, and an exact decimal string ("69800.00") on the wire. An amount a client sends is never
 * rounded: one with more than two fraction digits is refused. Only a computed amount (a unit price
 * times a quantity) is rounded, half-up, once, by `divideRoundHalfUp`.
 */
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { InputValueError } from './errors';

/** The one currency the product handles today; every `Money` carries it explicitly. */
export const CURRENCY = 'CNY';

/** Largest magnitude accepted from a client: 10^15 fen (10 trillion yuan) — far above any car, far below bigint limits. */
export const MAX_INPUT_FEN = 10n ** 15n;

const DECIMAL_RE = /^(-)?(\d{1,16})(?:\.(\d{1,2}))?$/;

/** Thrown for an amount that is not an exact decimal with at most two fraction digits. */
export class MoneyFormatError extends Error {}

/** Parses "123", "123.4" or "-123.45" into fen. Refuses floats, exponents, spaces and a third fraction digit. */
export function parseDecimalToFen(text: string): bigint {
  const m = DECIMAL_RE.exec(text);
  if (!m) {
    const shown = JSON.stringify(text.length > 40 ? text.slice(0, 40) + '…' : text);
    // Name the rule that was broken: a third decimal is the common mistake, and it is refused, never rounded.
    if (/^-?\d+\.\d{3,}$/.test(text)) throw new MoneyFormatError(`${shown} is not an exact amount: at most two decimals (amounts are never rounded)`);
    throw new MoneyFormatError(`${shown} is not an exact amount: it must be a decimal string like "123.45"`);
  }
  const [, sign, whole, frac = ''] = m;
  const fen = BigInt(whole) * 100n + BigInt(frac.padEnd(2, '0'));
  if (fen > MAX_INPUT_FEN) throw new MoneyFormatError(`amount ${text} is larger than the largest accepted amount, ${formatFen(MAX_INPUT_FEN)}`);
  return sign ? -fen : fen;
}

/** Formats fen as an exact decimal string with two fraction digits: 6980000n → "69800.00". */
export function formatFen(fen: bigint): string {
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  const whole = abs / 100n;
  const frac = (abs % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${whole}.${frac}`;
}

/**
 * Reads fen from a database value. Both drivers are configured to hand back int8 and numeric as
 * strings; a JS number is accepted only when it is a safe integer, so precision can never be lost silently.
 * Throws for null/undefined: a missing amount is never read as zero.
 */
export function fenFromDb(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  // A missing amount is a data or query error (a nullable column, SUM over no rows), never zero:
  // callers handle a legitimately absent amount themselves (COALESCE in SQL, or `null` in the model).
  if (value === null || value === undefined) throw new Error(`missing amount of fen: got ${String(value)} where an amount was required`);
  throw new Error(`not an integer amount of fen: ${String(value)}`);
}

/** The GraphQL `Money` object shape. */
export interface Money {
  amount: bigint;
  currency: string;
}

/** Builds a `Money` from fen in the product currency. */
export function money(fen: bigint): Money {
  return { amount: fen, currency: CURRENCY };
}

/** Adds fen exactly. */
export function sumFen(values: Iterable<bigint>): bigint {
  let total = 0n;
  for (const v of values) total += v;
  return total;
}

/**
 * `num / den` rounded half-up, for `num ≥ 0` and `den > 0`: the one rounding of a computed amount
 * (a rate or a unit price applied to a quantity) to the fen. Amounts a client sends are never rounded.
 */
export function divideRoundHalfUp(num: bigint, den: bigint): bigint {
  if (den <= 0n) throw new RangeError('divisor must be positive');
  if (num < 0n) throw new RangeError('dividend must not be negative');
  return (2n * num + den) / (2n * den);
}

function serializeDecimal(value: unknown): string {
  if (typeof value === 'bigint') return formatFen(value);
  if (typeof value === 'string') return formatFen(parseDecimalToFen(value));
  throw new GraphQLError(`Decimal cannot represent ${typeof value} ${String(value)}: resolvers must return fen as bigint`);
}

/** Parses a client's `Decimal` value to fen; refuses it with the rule it breaks (the caller adds where it was). */
export function parseDecimalInput(value: unknown): bigint {
  if (typeof value !== 'string') {
    const kind = typeof value === 'number' ? 'a number (numbers lose precision)' : typeof value === 'object' ? (value === null ? 'null' : 'an object') : `a ${typeof value}`;
    throw new InputValueError(`must be a decimal string like "123.45", not ${kind}`);
  }
  try {
    return parseDecimalToFen(value);
  } catch (err) {
    throw new InputValueError((err as Error).message);
  }
}

/**
 * `Decimal`: an exact amount of money in yuan as a string with two fraction digits. Inside resolvers
 * its value is fen as `bigint` (input is parsed to fen; output is formatted from fen).
 */
export const DecimalScalar = new GraphQLScalarType<bigint, string>({
  name: 'Decimal',
  description: 'An exact amount in yuan as a decimal string with two fraction digits, e.g. "69800.00". Never a float.',
  serialize: serializeDecimal,
  parseValue: parseDecimalInput,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new InputValueError('must be a decimal string like "123.45" (Decimal literals must be strings, not numbers)', undefined, ast);
    try {
      return parseDecimalInput(ast.value);
    } catch (err) {
      // The node lets the error formatter name the argument this literal was given for.
      throw new InputValueError((err as InputValueError).rule, undefined, ast);
    }
  },
});
