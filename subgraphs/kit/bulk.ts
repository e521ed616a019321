/**
 * Many-row inserts, one way for every subgraph: each column travels as ONE array parameter and the
 * server unnests them back into rows —
 *
 *   INSERT INTO schema.table (a, b, c) SELECT c1, c2, c3 FROM unnest($1::t1[], $2::t2[], $3::t3[]) AS u(c1, c2, c3)
 *
 * — so a statement has as many parameters as the table has columns, whatever the row count (a
 * VALUES list runs into PostgreSQL's 65,535-parameter limit and is slower to parse), and the same SQL
 * runs on PostgreSQL and on PGlite.
 *
 * Values are converted before they reach a driver: a bigint becomes its decimal string and a Date its
 * ISO-8601 UTC string, so money never passes through a float and a timestamp never through the
 * process's local time zone.
 *
 * Array-typed columns (`pgType` ending in `[]`, e.g. `text[]`): unnest would flatten an array of
 * arrays into one long column, and one array parameter cannot hold rows of different lengths. So each
 * row's JS array (or null) is sent as the text of a PostgreSQL array literal (`{"a","b"}`, every element
 * quoted and escaped, null elements as NULL) in a `text[]` parameter, and cast back to the column's
 * type in the SELECT (`u.c3::text[]`). Elements are converted like scalar values (bigint, Date).
 */
import { DbUsageError, type Queryable } from '../../platform/db';

/** Column name and PostgreSQL type (the element type, or `type[]` for an array column), in insert order. */
export type BulkColumns = ReadonlyArray<readonly [name: string, pgType: string]>;

/** Rows per statement by default: what the energy seed measured fastest on both PostgreSQL and PGlite. */
export const DEFAULT_BULK_CHUNK = 20_000;

const TABLE = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;
const COLUMN = /^[a-z_][a-z0-9_]*$/;
/** A type name such as `text`, `timestamptz`, `double precision`, `numeric(6,2)`, optionally `[]`. Never interpolated unchecked. */
const PG_TYPE = /^[a-z][a-z0-9_]*( [a-z][a-z0-9_]*)*(\(\d+(, ?\d+)?\))?(\[\])?$/;
const INT8_TYPES = new Set(['bigint', 'int8']);

/**
 * Inserts `rows` (each an array of values in `columns` order) into the schema-qualified `table`, in
 * chunks of `opts.chunk` rows (default {@link DEFAULT_BULK_CHUNK}), one statement per chunk. Nothing
 * is sent for no rows. Run it inside a `tx` when the chunks must land together.
 *
 * Throws DbUsageError (a programming error) for an unqualified or odd table name, an odd column name
 * or type, or a row with the wrong number of values — all checked before any statement is sent — and,
 * when its chunk is built, for an `undefined` value (say null), an invalid Date, a number that cannot
 * be an exact int8, or a non-array value for an array column.
 */
export async function bulkInsert(
  q: Queryable,
  table: string,
  columns: BulkColumns,
  rows: readonly unknown[][],
  opts: { chunk?: number } = {},
): Promise<void> {
  if (!TABLE.test(table)) throw new DbUsageError(`bulkInsert: table must be "schema.table" in lower case letters, digits and _ (a letter or _ first), got "${table}"`);
  if (columns.length === 0) throw new DbUsageError(`bulkInsert into ${table}: no columns`);
  for (const [name, pgType] of columns) {
    if (!COLUMN.test(name)) throw new DbUsageError(`bulkInsert into ${table}: bad column name "${name}"`);
    if (!PG_TYPE.test(pgType)) throw new DbUsageError(`bulkInsert into ${table}: bad type "${pgType}" for column ${name}`);
  }
  const chunk = opts.chunk ?? DEFAULT_BULK_CHUNK;
  if (!Number.isSafeInteger(chunk) || chunk < 1) throw new DbUsageError(`bulkInsert into ${table}: chunk must be a positive integer, got ${chunk}`);
  if (rows.length === 0) return;

  const names = columns.map(([name]) => name);
  const isArray = columns.map(([, t]) => t.endsWith('[]'));
  const isInt8 = columns.map(([, t]) => INT8_TYPES.has(t));
  const aliases = columns.map((_, i) => `c${i + 1}`);
  const sql =
    `INSERT INTO ${table} (${names.join(', ')}) ` +
    `SELECT ${columns.map(([, t], i) => (isArray[i] ? `u.${aliases[i]}::${t}` : `u.${aliases[i]}`)).join(', ')} ` +
    `FROM unnest(${columns.map(([, t], i) => `$${i + 1}::${isArray[i] ? 'text' : t}[]`).join(', ')}) AS u(${aliases.join(', ')})`;

  const fail = (r: number, c: number, problem: string): never => {
    throw new DbUsageError(`bulkInsert into ${table}: row ${r}, column ${names[c]}: ${problem}`);
  };
  for (const [r, row] of rows.entries()) {
    if (!Array.isArray(row) || row.length !== columns.length) {
      throw new DbUsageError(`bulkInsert into ${table}: row ${r} has ${Array.isArray(row) ? row.length : 'no'} values, expected ${columns.length} (${names.join(', ')})`);
    }
  }

  for (let start = 0; start < rows.length; start += chunk) {
    const end = Math.min(start + chunk, rows.length);
    // Column-major, one packed array per column; the common values (strings, numbers, null) pass untouched.
    const params: unknown[][] = [];
    for (let c = 0; c < columns.length; c++) {
      const values: unknown[] = [];
      for (let r = start; r < end; r++) {
        const value = rows[r][c];
        if (value === null) values.push(null);
        else if (isArray[c]) values.push(Array.isArray(value) ? arrayLiteral(value, r, c, fail) : fail(r, c, `expected an array or null for ${columns[c][1]}, got ${typeof value}`));
        else if (typeof value === 'string' || typeof value === 'boolean') values.push(value);
        else if (typeof value === 'number') values.push(isInt8[c] && !Number.isSafeInteger(value) ? fail(r, c, `${value} is not an exact integer; pass a bigint`) : value);
        else values.push(scalar(value, r, c, fail));
      }
      params.push(values);
    }
    await q.query(sql, params);
  }
}

type Fail = (row: number, column: number, problem: string) => never;

/** A bigint, Date or other value as the driver should receive it: bigint → decimal string, Date → ISO UTC string. */
function scalar(value: unknown, r: number, c: number, fail: Fail): unknown {
  if (value === undefined) return fail(r, c, 'value is undefined (pass null for SQL NULL)');
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? fail(r, c, 'invalid Date') : value.toISOString();
  return value;
}

/** A JS array as the text of a PostgreSQL array literal: every element double-quoted and escaped, null as NULL, nested arrays nested. */
function arrayLiteral(values: readonly unknown[], r: number, c: number, fail: Fail): string {
  const parts = values.map((v) => {
    if (v === null) return 'NULL';
    if (Array.isArray(v)) return arrayLiteral(v, r, c, fail);
    const text = String(scalar(v, r, c, fail));
    return `"${text.replace(/["\\]/g, '\\$&')}"`;
  });
  return `{${parts.join(',')}}`;
}

/**
 * A table as the bulk writers see it: its schema-qualified name, its columns, and how one of the
 * subgraph's records becomes a row in that column order — declared once, next to the table's other
 * SQL, so a live insert (`insertAll`) and the seed's streaming writer (`BulkWriter.tableOf`) write the
 * same columns the same way.
 */
export interface BulkTableSpec<T> {
  readonly name: string;
  readonly columns: BulkColumns;
  row(record: T): unknown[];
}

/** Inserts `records` into `spec`'s table through {@link bulkInsert}. */
export async function insertAll<T>(q: Queryable, spec: BulkTableSpec<T>, records: readonly T[]): Promise<void> {
  await bulkInsert(q, spec.name, spec.columns, records.map((r) => spec.row(r)));
}
