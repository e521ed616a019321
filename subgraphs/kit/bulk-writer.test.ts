/**
 * The kit's streaming BulkWriter on real PostgreSQL and on PGlite: a full child buffer writes its
 * parents first (a non-deferred foreign key would refuse it otherwise), no buffer outgrows its batch,
 * a bulk-loaded table gets back exactly the foreign keys and indexes it had, a failed write surfaces at
 * the next call, and misuse is refused with a clear error.
 */
import { openTestDb } from '../../testing/harness';
import { DbUsageError, type Db } from '../../platform/db';
import { BulkWriter } from './bulk-writer';

describe.each(['postgres', 'pglite'] as const)('BulkWriter on %s', (kind) => {
  let db: Db;
  let drop: () => Promise<void>;
  let n = 0;

  /** A parent table and a child table with a plain index and an immediate foreign key to it. */
  async function freshTables(): Promise<{ parent: string; child: string }> {
    const s = `bw${n++}`;
    await db.query(`CREATE SCHEMA ${s}`);
    await db.query(`CREATE TABLE ${s}.parent (id text PRIMARY KEY)`);
    await db.query(`CREATE TABLE ${s}.child (id text PRIMARY KEY, parent_id text NOT NULL REFERENCES ${s}.parent (id), at timestamptz NOT NULL)`);
    await db.query(`CREATE INDEX child_parent_at_idx ON ${s}.child (parent_id, at DESC)`);
    return { parent: `${s}.parent`, child: `${s}.child` };
  }

  /** The table's foreign keys and indexes, as PostgreSQL defines them. */
  async function definitions(table: string): Promise<string[]> {
    const rows = await db.query<{ def: string }>(
      `SELECT conname || ' ' || pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = $1::regclass
       UNION ALL SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = $1::regclass ORDER BY 1`,
      [table],
    );
    return rows.map((r) => r.def);
  }

  beforeAll(async () => {
    ({ db, drop } = await openTestDb(kind === 'pglite' ? 'pglite' : 'auto'));
  });
  afterAll(async () => drop?.());

  test('a full child buffer writes its parents first, in batches no larger than batchRows, and every row lands once', async () => {
    const { parent, child } = await freshTables();
    const batchSizes: number[] = [];
    await db.tx(async (q) => {
      // Counts the rows of each INSERT the writer sends (the arrays' length), to see the batch bound.
      const counting = {
        query: async <R>(sql: string, params?: unknown[]) => {
          if (sql.startsWith('INSERT')) batchSizes.push((params?.[0] as unknown[]).length);
          return q.query<R>(sql, params);
        },
      };
      const w = new BulkWriter(counting, { batchRows: 4 });
      const parents = w.table(parent, [['id', 'text']]);
      const children = w.table(child, [['id', 'text'], ['parent_id', 'text'], ['at', 'timestamptz']]);
      for (let p = 0; p < 5; p++) {
        parents.add([`p${p}`]);
        // Three children per parent: the child buffer fills before the parent's does.
        for (let c = 0; c < 3; c++) children.add([`p${p}c${c}`, `p${p}`, new Date(Date.UTC(2026, 0, 1 + c))]);
        await w.tick();
      }
      await w.finish();
      expect(w.rowsWritten).toBe(20);
    });
    // Written as it went (not all at the end), never more than a batch per statement.
    expect(batchSizes.length).toBeGreaterThan(3);
    expect(Math.max(...batchSizes)).toBeLessThanOrEqual(4);
    const [r] = await db.query<{ parents: string; children: string; distinct_children: string }>(
      `SELECT (SELECT count(*) FROM ${parent})::text AS parents, (SELECT count(*) FROM ${child})::text AS children, (SELECT count(DISTINCT id) FROM ${child})::text AS distinct_children`,
    );
    expect(r).toEqual({ parents: '5', children: '15', distinct_children: '15' });
  });

  test('a bulk-loaded table gets back exactly its foreign keys and indexes, and the foreign key is checked after the load', async () => {
    const { parent, child } = await freshTables();
    const before = await definitions(child);
    await db.tx(async (q) => {
      const w = new BulkWriter(q, { batchRows: 2 });
      const parents = w.table(parent, [['id', 'text']]);
      const children = w.table(child, [['id', 'text'], ['parent_id', 'text'], ['at', 'timestamptz']], { bulkLoad: true });
      parents.add(['p1']);
      for (let c = 0; c < 5; c++) children.add([`c${c}`, 'p1', new Date(Date.UTC(2026, 0, 1))]);
      await w.tick();
      await w.finish();
    });
    expect(await definitions(child)).toEqual(before);

    // A child naming no parent: the load itself runs without the key, re-adding it refuses the rows.
    await expect(
      db.tx(async (q) => {
        const w = new BulkWriter(q);
        w.table(child, [['id', 'text'], ['parent_id', 'text'], ['at', 'timestamptz']], { bulkLoad: true }).add(['orphan', 'nobody', new Date()]);
        await w.finish();
      }),
    ).rejects.toThrow(/foreign key/);
    expect(await definitions(child)).toEqual(before);
    expect((await db.query(`SELECT 1 FROM ${child} WHERE id = 'orphan'`)).length).toBe(0);
  });

  test('a write that fails while the caller generates is thrown by the next tick or finish', async () => {
    const { parent } = await freshTables();
    await expect(
      db.tx(async (q) => {
        const w = new BulkWriter(q, { batchRows: 2 });
        const parents = w.table(parent, [['id', 'text']]);
        parents.add(['dup']);
        parents.add(['dup']);
        await w.tick(); // starts the failing write
        parents.add(['more']);
        parents.add(['more2']);
        await w.tick();
        await w.finish();
      }),
    ).rejects.toThrow(/duplicate key/);
  });

  test('misuse is refused: a batch size below 1, a table declared twice, a row after finish', async () => {
    const { parent } = await freshTables();
    expect(() => new BulkWriter(db, { batchRows: 0 })).toThrow(DbUsageError);
    await db.tx(async (q) => {
      const w = new BulkWriter(q);
      const t = w.table(parent, [['id', 'text']]);
      expect(() => w.table(parent, [['id', 'text']])).toThrow(/declared twice/);
      await w.finish();
      expect(() => t.add(['late'])).toThrow(/after finish/);
    });
  });
});
