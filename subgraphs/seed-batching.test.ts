/**
 * The whole seed writes the same world whatever the writer's batch size, whichever database it lands
 * in, and whether the per-row owner triggers fire or the seed writes the owners itself: 300 users
 * seeded on PostgreSQL in batches of 7 rows and of 20,000, on PGlite in batches of 13, and on
 * PostgreSQL with the triggers firing give every subgraph table the same row count and the same
 * checksum of its rows — so batching neither loses, duplicates nor alters a row, parents always reach
 * the database before the rows that name them (a foreign key would fail), and the owners the seed
 * writes are exactly the ones the triggers would have written.
 */
import { openTestDb } from '../testing/harness';
import type { Db } from '../platform/db';
import { seedAll } from './seeding';
import { subgraphs } from '.';

const USERS = 300;

/**
 * Per subgraph table: its row count and an md5 over its rows in a fixed order, leaving out columns
 * whose default reads the clock (when a row was written, not what was seeded); for a change log, over the
 * people it names. The migration runner's own table (when each file ran) is not seeded data.
 */
async function tableChecksums(db: Db): Promise<Record<string, { rows: number; md5: string }>> {
  const schemas = subgraphs().filter((m) => !m.stateless).map((m) => m.name);
  const columns = await db.query<{ table_name: string; table_schema: string; cols: string }>(
    `SELECT c.table_schema, c.table_name, string_agg(quote_ident(c.column_name), ', ' ORDER BY c.ordinal_position) AS cols
       FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
      WHERE c.table_schema = ANY($1::text[]) AND t.table_name <> 'schemaversion' AND coalesce(c.column_default, '') !~* '(now\\(\\)|current_timestamp|clock_timestamp)'
      GROUP BY c.table_schema, c.table_name ORDER BY 1, 2`,
    [schemas],
  );
  const out: Record<string, { rows: number; md5: string }> = {};
  for (const t of columns) {
    const table = `${t.table_schema}.${t.table_name}`;
    // The change log has a row per person a statement touched, so its rows follow how the seed batched its
    // statements; what it must say is the same whatever the batching: who was changed.
    const rows = t.table_name === 'lifecycle_changes' ? `SELECT DISTINCT user_id AS r FROM ${table}` : `SELECT ROW(${t.cols})::text AS r FROM ${table}`;
    const [r] = await db.query<{ n: string; md5: string | null }>(`SELECT count(*)::text AS n, md5(coalesce(string_agg(r, E'\\n' ORDER BY r), '')) AS md5 FROM (${rows}) x`);
    out[table] = { rows: Number(r.n), md5: r.md5 ?? '' };
  }
  return out;
}

async function seededChecksums(kind: 'auto' | 'pglite', batchRows: number, triggers: 'bypass' | 'fire' = 'bypass') {
  const { db, drop } = await openTestDb(kind);
  try {
    const summary = await seedAll(db, USERS, undefined, { batchRows, triggers });
    const [owners] = await db.query<{ missing: string }>(
      `SELECT ((SELECT count(*) FROM aftermarket.warranty_claims WHERE user_id IS NULL) + (SELECT count(*) FROM aftermarket.package_fittings WHERE user_id IS NULL))::text AS missing`,
    );
    return { summary, tables: await tableChecksums(db), statements: db.statementCount, ownerlessRows: Number(owners.missing) };
  } finally {
    await drop();
  }
}

test(`${USERS} users seeded in batches of 7 and of 20,000 rows (PostgreSQL), of 13 (PGlite), and with the owner triggers firing give every table the same rows`, async () => {
  const big = await seededChecksums('auto', 20_000);
  const small = await seededChecksums('auto', 7);
  const pglite = await seededChecksums('pglite', 13);
  const triggerFilled = await seededChecksums('auto', 20_000, 'fire');

  // The seed reached every kind of table, and many batches really were written at the small size.
  const seeded = Object.entries(big.tables).filter(([, t]) => t.rows > 0);
  expect(seeded.map(([name]) => name)).toEqual(expect.arrayContaining(['orders.orders', 'finance.instalments', 'aftermarket.warranty_claims', 'aftermarket.package_fittings', 'energy.swap_sessions']));
  expect(big.summary.rows).toBeGreaterThan(20_000);
  expect(small.statements).toBeGreaterThan(small.summary.rows / 7);
  // Every claim and fitting has its owner, written by the seed or by the trigger.
  expect([big.ownerlessRows, small.ownerlessRows, pglite.ownerlessRows, triggerFilled.ownerlessRows]).toEqual([0, 0, 0, 0]);

  expect(small.summary.rows).toBe(big.summary.rows);
  expect(small.tables).toEqual(big.tables);
  expect(pglite.tables).toEqual(big.tables);
  expect(big.tables).toEqual(triggerFilled.tables);
}, 300_000);
