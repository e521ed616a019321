/**
 * The columns of an exported view and the one conversion of a GraphQL value into each column's type.
 * Exact decimals stay exact all the way: the decimal string the graph sends becomes an unscaled bigint
 * (fen for money) and is never a float; a value with more fraction digits than the column's scale is an
 * error, not a rounding.
 */
import { parseIsoDateTime } from '../../platform/scalars';

/** What one column holds. `decimal` carries its precision and scale (money: 18, 2 — fen exact). */
export type ColumnType =
  | { kind: 'string' }
  | { kind: 'int' }
  | { kind: 'boolean' }
  | { kind: 'timestamp' }
  | { kind: 'decimal'; precision: number; scale: number };

export interface Column {
  /** The column's name in every format (the ndjson key, the csv header, the parquet field). */
  name: string;
  /** Where it is in a connection's node: field names from the node down, e.g. `['vehicle', 'vin']`. */
  path: readonly string[];
  type: ColumnType;
  /** Whether the graph may send null for it. */
  nullable: boolean;
}

/** A value of a row, converted: text, a 32-bit integer, a boolean, an instant, or an unscaled decimal. */
export type CellValue = string | number | boolean | Date | bigint | null;

/** Raised when the graph sent a value that does not fit its column (a bug in a view entry or the graph). */
export class ColumnValueError extends Error {}

export const column = {
  string: (name: string, path: readonly string[] = [name], nullable = false): Column => ({ name, path, type: { kind: 'string' }, nullable }),
  int: (name: string, path: readonly string[] = [name], nullable = false): Column => ({ name, path, type: { kind: 'int' }, nullable }),
  boolean: (name: string, path: readonly string[] = [name], nullable = false): Column => ({ name, path, type: { kind: 'boolean' }, nullable }),
  timestamp: (name: string, path: readonly string[] = [name], nullable = false): Column => ({ name, path, type: { kind: 'timestamp' }, nullable }),
  /** Money: an exact decimal with two fraction digits, as fen. */
  money: (name: string, path: readonly string[] = [name], nullable = false): Column => ({ name, path, type: { kind: 'decimal', precision: 18, scale: 2 }, nullable }),
};

/**
 * Parses an exact decimal string ("-12.5") into its unscaled value at `scale` (-1250n at scale 2).
 * More fraction digits than `scale`, or more digits than `precision`, is refused: nothing is rounded.
 */
export function parseScaledDecimal(text: string, precision: number, scale: number): bigint {
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new ColumnValueError(`${JSON.stringify(text)} is not an exact decimal string`);
  const [, sign, whole, frac = ''] = m;
  if (frac.length > scale) throw new ColumnValueError(`${text} has more than ${scale} fraction digits (decimals are never rounded)`);
  const unscaled = BigInt(whole + frac.padEnd(scale, '0'));
  if (unscaled.toString().length > precision) throw new ColumnValueError(`${text} has more than ${precision} digits`);
  return sign ? -unscaled : unscaled;
}

/** Formats an unscaled decimal back to its exact string (-1250n at scale 2 → "-12.50"). */
export function formatScaledDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  return `${negative ? '-' : ''}${whole}${scale ? `.${digits.slice(digits.length - scale)}` : ''}`;
}

/** The value at `column.path` in a node, converted to the column's type. */
export function cellOf(node: unknown, column: Column): CellValue {
  let value: unknown = node;
  for (const key of column.path) {
    if (value === null || value === undefined) break;
    value = (value as Record<string, unknown>)[key];
  }
  if (value === null || value === undefined) {
    if (column.nullable) return null;
    throw new ColumnValueError(`column ${column.name} is null in a row, but it is not nullable`);
  }
  const t = column.type;
  switch (t.kind) {
    case 'string':
      if (typeof value !== 'string') throw new ColumnValueError(`column ${column.name} is not a string: ${JSON.stringify(value)}`);
      return value;
    case 'int':
      if (!Number.isSafeInteger(value)) throw new ColumnValueError(`column ${column.name} is not an integer: ${JSON.stringify(value)}`);
      return value as number;
    case 'boolean':
      if (typeof value !== 'boolean') throw new ColumnValueError(`column ${column.name} is not a boolean: ${JSON.stringify(value)}`);
      return value;
    case 'timestamp':
      if (typeof value !== 'string') throw new ColumnValueError(`column ${column.name} is not a date-time: ${JSON.stringify(value)}`);
      try {
        return parseIsoDateTime(value);
      } catch (err) {
        throw new ColumnValueError(`column ${column.name}: ${(err as Error).message}`);
      }
    case 'decimal':
      if (typeof value !== 'string') throw new ColumnValueError(`column ${column.name} is not a decimal string: ${JSON.stringify(value)}`);
      return parseScaledDecimal(value, t.precision, t.scale);
  }
}

/** A cell as text, the one way ndjson and csv both write it: decimals exact, instants ISO-8601 UTC. */
export function cellText(value: CellValue, type: ColumnType): string {
  if (value === null) return '';
  if (typeof value === 'bigint') return formatScaledDecimal(value, type.kind === 'decimal' ? type.scale : 0);
  if (value instanceof Date) return value.toISOString();
  return String(value);
}
