/**
 * The db interface behaves the same on real PostgreSQL and on the embedded PGlite: misuse is refused,
 * transactions commit or roll back as a unit, and racing writers do not lose updates.
 */
import { openTestDb } from '../testing/harness';
import { DbUsageError, openPostgres, type Db } from './db';

describe.each(['postgres', 'pglite'] as const)('db on %s', (kind) => {
  let db: Db;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    if (kind === 'postgres' && !process.env.DATABASE_URL) throw new Error('set DATABASE_URL (npm test does)');
    ({ db, drop } = await openTestDb(kind === 'postgres' ? 'auto' : 'pglite'));
    await db.query('CREATE TABLE counters (id text PRIMARY KEY, n bigint NOT NULL, paid boolean NOT NULL DEFAULT false)');
  });
  afterAll(async () => drop());

  test('refuses transaction control through query()', async () => {
    for (const sql of ['BEGIN', ' rollback', 'COMMIT', 'start transaction', 'SAVEPOINT a']) {
      await expect(db.query(sql)).rejects.toThrow(DbUsageError);
    }
  });

  test('refuses db.query() from inside a tx callback and nested tx', async () => {
    await expect(db.tx(async () => db.query('SELECT 1'))).rejects.toThrow(/inside db.tx/);
    await expect(db.tx(async () => db.tx(async () => 1))).rejects.toThrow(/nested/);
    // the database is still usable afterwards (PGlite would hang here if the guard were missing)
    expect(await db.query<{ one: number }>('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  test('a throwing tx rolls back every write in it', async () => {
    await expect(
      db.tx(async (q) => {
        await q.query(`INSERT INTO counters (id, n) VALUES ('rolled-back', 1)`);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.query(`SELECT * FROM counters WHERE id = 'rolled-back'`)).toEqual([]);
  });

  test('int8 comes back as an exact string, beyond 2^53', async () => {
    const [row] = await db.query<{ v: string }>(`SELECT 9007199254740993::int8 AS v`);
    expect(row.v).toBe('9007199254740993');
  });

  test('racing read-modify-write transactions lose no update (row lock)', async () => {
    await db.query(`INSERT INTO counters (id, n) VALUES ('race', 0)`);
    await Promise.all(
      Array.from({ length: 20 }, () =>
        db.tx(async (q) => {
          const [row] = await q.query<{ n: string }>(`SELECT n FROM counters WHERE id = 'race' FOR UPDATE`);
          await q.query(`UPDATE counters SET n = $1 WHERE id = 'race'`, [BigInt(row.n) + 1n]);
        }),
      ),
    );
    const [row] = await db.query<{ n: string }>(`SELECT n FROM counters WHERE id = 'race'`);
    expect(row.n).toBe('20');
  });

  test('two racing "pay once" transitions: exactly one wins', async () => {
    await db.query(`INSERT INTO counters (id, n) VALUES ('once', 0)`);
    const attempt = () =>
      db.tx(async (q) => (await q.query(`UPDATE counters SET paid = true, n = n + 1 WHERE id = 'once' AND NOT paid RETURNING id`)).length);
    const results = await Promise.all([attempt(), attempt(), attempt(), attempt()]);
    expect(results.filter((r) => r === 1)).toHaveLength(1);
    const [row] = await db.query<{ n: string }>(`SELECT n FROM counters WHERE id = 'once'`);
    expect(row.n).toBe('1');
  });

  test('counts every statement, inside transactions too', async () => {
    const before = db.statementCount;
    await db.query('SELECT 1');
    await db.tx(async (q) => {
      await q.query('SELECT 1');
      await q.query('SELECT 2');
    });
    expect(db.statementCount - before).toBe(3);
  });
});

describe('a PostgreSQL pool is bounded (DB_POOL_SIZE, DB_STATEMENT_TIMEOUT_MS)', () => {
  let url: string;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const t = await openTestDb('auto');
    url = t.url!;
    drop = t.drop;
  });
  afterAll(async () => drop());

  test('a statement past the statement timeout is cancelled by PostgreSQL (57014), and the pool answers the next one', async () => {
    const db = await openPostgres(url, { maxConnections: 2, statementTimeoutMs: 200 });
    try {
      await expect(db.query('SELECT pg_sleep(2)')).rejects.toMatchObject({ code: '57014' });
      expect(await db.query<{ one: number }>('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      await expect(db.tx(async (q) => q.query('SELECT pg_sleep(2)'))).rejects.toMatchObject({ code: '57014' });
    } finally {
      await db.close();
    }
  });

  test('without a statement timeout (the seed) a long statement runs to its end', async () => {
    const db = await openPostgres(url, { maxConnections: 1, statementTimeoutMs: 0 });
    try {
      expect(await db.query('SELECT pg_sleep(0.3)')).toHaveLength(1);
    } finally {
      await db.close();
    }
  });

  test('a caller waiting past the connect timeout for a connection of a full pool gets an error, not a place in a queue', async () => {
    const db = await openPostgres(url, { maxConnections: 1, connectTimeoutMs: 300 });
    let release!: () => void;
    const held = db.tx(() => new Promise<void>((r) => (release = r)));
    try {
      await new Promise((r) => setTimeout(r, 50));
      await expect(db.query('SELECT 1')).rejects.toThrow(/timeout/i);
    } finally {
      release();
      await held;
      await db.close();
    }
  });
});
