/**
 * The kit's bulkInsert writes exactly what it was given, on real PostgreSQL and on PGlite: int8 beyond
 * 2^53, timestamps to the millisecond, nulls, array columns with awkward text; it splits rows into one
 * statement per chunk; and it refuses malformed input before sending anything.
 */
import { openTestDb } from '../../testing/harness';
import { bulkInsert, DEFAULT_BULK_CHUNK, type BulkColumns } from './bulk';
import { DbUsageError, type Db } from '../../platform/db';

const COLUMNS: BulkColumns = [
  ['id', 'text'],
  ['amount_fen', 'bigint'],
  ['at', 'timestamptz'],
  ['note', 'text'],
  ['tags', 'text[]'],
  ['n', 'integer'],
  ['paid', 'boolean'],
  ['kwh', 'numeric(6,2)'],
];

interface ThingRow {
  id: string;
  amount_fen: string | null;
  at: Date | null;
  note: string | null;
  tags: string[] | null;
  n: number | null;
  paid: boolean | null;
  kwh: string | null;
}

describe.each(['postgres', 'pglite'] as const)('bulkInsert on %s', (kind) => {
  let db: Db;
  let drop: () => Promise<void>;
  let table = 0;

  /** A fresh empty table per test, so tests do not see each other's rows. */
  async function freshTable(): Promise<string> {
    const name = `bulk.things_${String.fromCharCode(97 + table++)}`;
    await db.query(
      `CREATE TABLE ${name} (id text PRIMARY KEY, amount_fen bigint, at timestamptz, note text, tags text[], n integer, paid boolean, kwh numeric(6,2))`,
    );
    return name;
  }

  const read = (name: string) => db.query<ThingRow>(`SELECT * FROM ${name} ORDER BY id`);

  beforeAll(async () => {
    if (kind === 'postgres' && !process.env.DATABASE_URL) throw new Error('set DATABASE_URL (npm test does)');
    ({ db, drop } = await openTestDb(kind === 'postgres' ? 'auto' : 'pglite'));
    await db.query('CREATE SCHEMA bulk');
  });
  afterAll(async () => drop());

  test('round-trips int8 beyond 2^53, millisecond timestamps, numerics and nulls exactly', async () => {
    const name = await freshTable();
    const at = new Date('2026-03-04T05:06:07.891Z');
    await bulkInsert(db, name, COLUMNS, [
      ['a', 9007199254740993n, at, 'first', ['x'], 7, true, '44.12'],
      ['b', -9223372036854775807n, new Date(0), '', [], 0, false, 0.5],
      ['c', null, null, null, null, null, null, null],
    ]);
    const rows = await read(name);
    expect(rows.map((r) => ({ ...r, at: r.at && new Date(r.at).toISOString() }))).toEqual([
      { id: 'a', amount_fen: '9007199254740993', at: '2026-03-04T05:06:07.891Z', note: 'first', tags: ['x'], n: 7, paid: true, kwh: '44.12' },
      { id: 'b', amount_fen: '-9223372036854775807', at: '1970-01-01T00:00:00.000Z', note: '', tags: [], n: 0, paid: false, kwh: '0.50' },
      { id: 'c', amount_fen: null, at: null, note: null, tags: null, n: null, paid: null, kwh: null },
    ]);
    // The instant itself, not a local-time reading of it: the epoch in milliseconds matches.
    const [epoch] = await db.query<{ ms: string }>(`SELECT (extract(epoch FROM at) * 1000)::bigint::text AS ms FROM ${name} WHERE id = 'a'`);
    expect(epoch.ms).toBe(String(at.getTime()));
  });

  test('array columns keep each row’s own elements: quotes, backslashes, commas, braces, NULL elements, bigints and dates', async () => {
    await db.query(`CREATE TABLE bulk.arrays (id text PRIMARY KEY, words text[], amounts bigint[], times timestamptz[])`);
    const awkward = ['plain', 'with "quotes"', 'back\\slash', 'a,b', '{braces}', 'NULL', ' spaced ', '中文', ''];
    await bulkInsert(
      db,
      'bulk.arrays',
      [['id', 'text'], ['words', 'text[]'], ['amounts', 'bigint[]'], ['times', 'timestamptz[]']],
      [
        ['long', awkward, [9007199254740993n, -1n], [new Date('2026-01-02T03:04:05.678Z')]],
        ['short', ['one', null], [], []],
        ['none', null, null, null],
      ],
    );
    const rows = await db.query<{ id: string; words: string[] | null; amounts: string[] | null; times: string[] | null }>(
      `SELECT id, words, amounts::text[] AS amounts, (SELECT array_agg(to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS')) FROM unnest(times) t) AS times
         FROM bulk.arrays ORDER BY id`,
    );
    expect(rows).toEqual([
      { id: 'long', words: awkward, amounts: ['9007199254740993', '-1'], times: ['2026-01-02T03:04:05.678'] },
      { id: 'none', words: null, amounts: null, times: null },
      { id: 'short', words: ['one', null], amounts: [], times: null },
    ]);
  });

  test('splits rows into one statement per chunk and writes every row once', async () => {
    const name = await freshTable();
    const rows = Array.from({ length: 25 }, (_, i) => [`r${String(i).padStart(2, '0')}`, BigInt(i) * 10n ** 15n, new Date(i), null, [`t${i}`], i, i % 2 === 0, null]);
    const before = db.statementCount;
    await bulkInsert(db, name, COLUMNS, rows, { chunk: 10 });
    expect(db.statementCount - before).toBe(3);
    const back = await read(name);
    expect(back.map((r) => [r.id, r.amount_fen, r.tags, r.n])).toEqual(rows.map((r) => [r[0], String(r[1]), r[4], r[5]]));
  });

  test(`defaults to ${DEFAULT_BULK_CHUNK} rows per statement`, async () => {
    expect(DEFAULT_BULK_CHUNK).toBe(20_000);
    await db.query(`CREATE TABLE bulk.many (id integer PRIMARY KEY)`);
    const before = db.statementCount;
    await bulkInsert(db, 'bulk.many', [['id', 'integer']], Array.from({ length: DEFAULT_BULK_CHUNK + 1 }, (_, i) => [i]));
    expect(db.statementCount - before).toBe(2);
    const [count] = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM bulk.many`);
    expect(count.n).toBe(String(DEFAULT_BULK_CHUNK + 1));
  });

  test('sends nothing for no rows', async () => {
    const name = await freshTable();
    const before = db.statementCount;
    await bulkInsert(db, name, COLUMNS, []);
    expect(db.statementCount - before).toBe(0);
  });

  test('refuses a row with the wrong number of values, naming the row and the columns, before sending anything', async () => {
    const name = await freshTable();
    const before = db.statementCount;
    const good = ['ok', 1n, new Date(), null, null, 1, true, null];
    await expect(bulkInsert(db, name, COLUMNS, [good, ['short', 1n]])).rejects.toThrow(
      /bulkInsert into bulk\.things_\w: row 1 has 2 values, expected 8 \(id, amount_fen, at, note, tags, n, paid, kwh\)/,
    );
    await expect(bulkInsert(db, name, COLUMNS, [[...good, 'extra']])).rejects.toThrow(/row 0 has 9 values, expected 8/);
    expect(db.statementCount - before).toBe(0);
    expect(await read(name)).toEqual([]);
  });

  test('refuses unqualified or odd table names, odd column names and types, and values that would be lost', async () => {
    const name = await freshTable();
    const row = ['x', 1n, new Date(), null, null, 1, true, null];
    const refused = async (p: Promise<void>, message: RegExp) => {
      await expect(p).rejects.toThrow(DbUsageError);
      await expect(p).rejects.toThrow(message);
    };
    await refused(bulkInsert(db, 'things', COLUMNS, [row]), /table must be "schema.table"/);
    await refused(bulkInsert(db, 'bulk.things; DROP TABLE x', COLUMNS, [row]), /table must be "schema.table"/);
    await refused(bulkInsert(db, name, [['Id', 'text']], [['x']]), /bad column name "Id"/);
    await refused(bulkInsert(db, name, [['id', 'text); DROP TABLE x; --']], [['x']]), /bad type/);
    await refused(bulkInsert(db, name, COLUMNS, [row], { chunk: 0 }), /chunk must be a positive integer/);
    await refused(bulkInsert(db, name, COLUMNS, [['x', 2 ** 53 + 2, new Date(), null, null, 1, true, null]]), /row 0, column amount_fen: .* not an exact integer; pass a bigint/);
    await refused(bulkInsert(db, name, COLUMNS, [['x', 1n, new Date('nope'), null, null, 1, true, null]]), /row 0, column at: invalid Date/);
    await refused(bulkInsert(db, name, COLUMNS, [['x', 1n, new Date(), undefined, null, 1, true, null]]), /row 0, column note: value is undefined \(pass null/);
    await refused(bulkInsert(db, name, COLUMNS, [['x', 1n, new Date(), null, 'a,b', 1, true, null]]), /row 0, column tags: expected an array or null/);
    expect(await read(name)).toEqual([]);
  });
});
