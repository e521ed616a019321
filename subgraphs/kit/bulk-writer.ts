/**
 * Streaming bulk writes, one way for every seed stage: rows are added table by table as they are
 * generated, buffered per table, and written through `bulkInsert` once a table's buffer holds a batch
 * — so memory holds at most about two batches per table whatever the number of users, instead of
 * every row of a stage.
 *
 * - **Parents before children.** Tables are written in the order they were declared: when a table's
 *   buffer is full, every table declared before it is written first, then it. Declare a parent before
 *   the tables whose rows name it and a foreign key never sees a child before its parent (a cycle, as
 *   between orders and trade-ins, needs a deferred constraint and one transaction, as before).
 * - **Generation overlaps writes.** A full batch is handed to the database and generation goes on
 *   into fresh buffers; the next batch waits for the previous write to finish (one statement in flight
 *   on the transaction's connection), so the server inserts while the process builds rows.
 * - **Bulk load.** A table declared with `{ bulkLoad: true }` has its foreign keys and the indexes
 *   that back no constraint dropped before its first batch and re-created from their own definitions
 *   by `finish()`, as PostgreSQL's "Populating a Database" advises: each is built or checked once over
 *   all rows instead of once per row. Primary keys and unique constraints stay, so a duplicate still
 *   fails. Only for a table the load starts empty, inside the transaction (a failure rolls the drops
 *   back with the rows).
 * - **Triggers the seed stands in for.** A table may name per-row triggers whose work its rows already
 *   do (an owner column a trigger would copy from the parent row, which the seed knows): with the
 *   writer's `triggers: 'bypass'` they are disabled (`ALTER TABLE … DISABLE TRIGGER`, transactional,
 *   on PostgreSQL and PGlite alike) before the table's first batch and enabled again by `finish()`.
 *   With `'fire'` they run as for any insert — and overwrite what the rows said — which is how a test
 *   proves the rows say exactly what the triggers would have written.
 *
 * Use one writer per transaction: `const w = new BulkWriter(q)`, `w.table(...)` per table, `add` rows,
 * `await w.tick()` after each unit of work (a user, a vehicle), `await w.finish()` before the
 * transaction ends.
 */
import { DbUsageError, type Queryable } from '../../platform/db';
import { bulkInsert, DEFAULT_BULK_CHUNK, type BulkColumns, type BulkTableSpec } from './bulk';

/** What a writer reports as it goes. */
export interface BulkWriteProgress {
  /** Rows written so far by this writer. */
  rows: number;
  /** Units of work done so far (calls of `tick()`). */
  units: number;
}

export interface BulkWriterOptions {
  /** Rows per table buffer before it is written (and per INSERT); default {@link DEFAULT_BULK_CHUNK}. */
  batchRows?: number;
  /** Whether a table's `bypassTriggers` are disabled during the load (default) or fire as usual. */
  triggers?: 'bypass' | 'fire';
  /** Called after every batch is written and every few hundred units of work; cheap calls only. */
  onProgress?: (progress: BulkWriteProgress) => void;
}

/** How a table is loaded: see the writer's description. */
export interface BulkTableOptions {
  /** Drop its foreign keys and plain indexes for the load; `finish()` re-creates them. */
  bulkLoad?: boolean;
  /** Per-row triggers whose work the rows already do; disabled for the load when the writer bypasses triggers. */
  bypassTriggers?: readonly string[];
}

/** A table declared from its spec: also columns the spec leaves out (an owner a live insert's trigger fills). */
export interface BulkRecordTableOptions extends BulkTableOptions {
  extraColumns?: BulkColumns;
}

/** One table of a writer: add rows in its declared column order. */
export interface BulkTable {
  readonly name: string;
  /** Buffers one row (values in column order, as `bulkInsert` takes them). */
  add(row: unknown[]): void;
}

/** One table of a writer declared from its spec: add the subgraph's records. */
export interface BulkRecordTable<T> {
  readonly name: string;
  /** Buffers `record`'s row, then the values of the table's `extraColumns` in their order. */
  add(record: T, ...extra: unknown[]): void;
}

interface TableState {
  name: string;
  columns: BulkColumns;
  bulkLoad: boolean;
  /** Triggers disabled for the load (none when the writer lets triggers fire). */
  bypassTriggers: readonly string[];
  triggersDisabled?: boolean;
  rows: unknown[][];
  /** Set once its foreign keys and plain indexes are dropped: re-created by `finish()`. */
  dropped?: { foreignKeys: Array<{ name: string; def: string }>; indexes: Array<{ name: string; def: string }> };
}

export class BulkWriter {
  private readonly batchRows: number;
  private readonly tables: TableState[] = [];
  private inFlight: Promise<void> = Promise.resolve();
  /** True while a batch is being written: `tick()` then lets the event loop run, so its replies are read. */
  private writing = false;
  private failure: unknown = null;
  private finished = false;
  private written = 0;
  private units = 0;

  constructor(
    private readonly q: Queryable,
    private readonly opts: BulkWriterOptions = {},
  ) {
    this.batchRows = opts.batchRows ?? DEFAULT_BULK_CHUNK;
    if (!Number.isSafeInteger(this.batchRows) || this.batchRows < 1) throw new DbUsageError(`BulkWriter: batchRows must be a positive integer, got ${this.batchRows}`);
  }

  /** Rows written so far (buffered rows not yet counted). */
  get rowsWritten(): number {
    return this.written;
  }

  /**
   * Declares a table; declare parents before the tables that reference them. `bulkLoad` drops and
   * re-creates its foreign keys and plain indexes around the load (see above).
   */
  table(name: string, columns: BulkColumns, opts: BulkTableOptions = {}): BulkTable {
    if (this.finished) throw new DbUsageError(`BulkWriter: ${name} declared after finish()`);
    if (this.tables.some((t) => t.name === name)) throw new DbUsageError(`BulkWriter: ${name} is declared twice`);
    for (const trigger of opts.bypassTriggers ?? []) {
      if (!/^[a-z_][a-z0-9_]*$/.test(trigger)) throw new DbUsageError(`BulkWriter: ${name}: bad trigger name "${trigger}"`);
    }
    const bypassTriggers = (this.opts.triggers ?? 'bypass') === 'bypass' ? (opts.bypassTriggers ?? []) : [];
    const state: TableState = { name, columns, bulkLoad: opts.bulkLoad ?? false, bypassTriggers, rows: [] };
    this.tables.push(state);
    return {
      name,
      add: (row) => {
        if (this.finished) throw new DbUsageError(`BulkWriter: a row added to ${name} after finish()`);
        state.rows.push(row);
      },
    };
  }

  /** Declares the table of `spec` (as {@link table}); its `add` takes the subgraph's records. */
  tableOf<T>(spec: BulkTableSpec<T>, opts: BulkRecordTableOptions = {}): BulkRecordTable<T> {
    const extra = opts.extraColumns ?? [];
    const t = this.table(spec.name, [...spec.columns, ...extra], opts);
    return {
      name: spec.name,
      add: (record, ...values) => {
        if (values.length !== extra.length) throw new DbUsageError(`BulkWriter: ${spec.name} takes ${extra.length} extra values (${extra.map(([n]) => n).join(', ') || 'none'}), got ${values.length}`);
        const row = spec.row(record);
        for (const v of values) row.push(v);
        t.add(row);
      },
    };
  }

  /**
   * Starts writing every full table (and the tables declared before it) and returns once the previous
   * write is done — so at most one batch is in flight while the caller generates the next. Call it
   * after each unit of work; it costs nothing when no buffer is full.
   */
  async tick(): Promise<void> {
    this.throwIfFailed();
    if ((++this.units & 255) === 0) this.report();
    let last = -1;
    for (let i = 0; i < this.tables.length; i++) if (this.tables[i].rows.length >= this.batchRows) last = i;
    if (last < 0) {
      // A loop that only awaits resolved promises never reaches the event loop, and the batch being
      // written would wait for its reply (and its next statement) until the next full buffer.
      if (this.writing) await new Promise<void>((resolve) => setImmediate(resolve));
      return;
    }
    await this.inFlight;
    this.throwIfFailed();
    const batches = this.takeBatches(last);
    this.writing = true;
    this.inFlight = this.write(batches)
      .catch((err) => {
        this.failure = err;
      })
      .finally(() => {
        this.writing = false;
      });
  }

  /** Writes what is left, then re-creates what bulk loads dropped. The writer takes no rows after it. */
  async finish(): Promise<void> {
    await this.inFlight;
    this.throwIfFailed();
    this.finished = true;
    await this.write(this.takeBatches(this.tables.length - 1));
    for (const t of this.tables) {
      if (t.triggersDisabled) for (const trigger of t.bypassTriggers) await this.q.query(`ALTER TABLE ${t.name} ENABLE TRIGGER ${trigger}`);
      if (!t.dropped) continue;
      for (const index of t.dropped.indexes) await this.q.query(index.def);
      for (const fk of t.dropped.foreignKeys) await this.q.query(`ALTER TABLE ${t.name} ADD CONSTRAINT ${quoteIdent(fk.name)} ${fk.def}`);
    }
    this.report();
  }

  /** Detaches the buffers of tables 0..last (the ones with rows), leaving fresh empty buffers. */
  private takeBatches(last: number): Array<{ table: TableState; rows: unknown[][] }> {
    const out: Array<{ table: TableState; rows: unknown[][] }> = [];
    for (let i = 0; i <= last; i++) {
      const t = this.tables[i];
      if (t.rows.length === 0) continue;
      out.push({ table: t, rows: t.rows });
      t.rows = [];
    }
    return out;
  }

  private async write(batches: Array<{ table: TableState; rows: unknown[][] }>): Promise<void> {
    for (const { table, rows } of batches) {
      if (table.bulkLoad && !table.dropped) table.dropped = await dropForLoad(this.q, table.name);
      if (table.bypassTriggers.length && !table.triggersDisabled) {
        for (const trigger of table.bypassTriggers) await this.q.query(`ALTER TABLE ${table.name} DISABLE TRIGGER ${trigger}`);
        table.triggersDisabled = true;
      }
      await bulkInsert(this.q, table.name, table.columns, rows, { chunk: this.batchRows });
      this.written += rows.length;
      this.report();
    }
  }

  private report(): void {
    this.opts.onProgress?.({ rows: this.written, units: this.units });
  }

  private throwIfFailed(): void {
    if (this.failure !== null) throw this.failure;
  }
}

/** Drops `table`'s foreign keys and the indexes that back no constraint; returns their definitions. */
async function dropForLoad(q: Queryable, table: string): Promise<NonNullable<TableState['dropped']>> {
  const schema = table.split('.')[0];
  const foreignKeys = await q.query<{ name: string; def: string }>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'f' ORDER BY conname`,
    [table],
  );
  const indexes = await q.query<{ name: string; def: string }>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
       FROM pg_index i
      WHERE i.indrelid = $1::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
      ORDER BY 1`,
    [table],
  );
  for (const fk of foreignKeys) await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${quoteIdent(fk.name)}`);
  // regclass text is already quoted as needed, and qualified when the schema is not on the search path.
  for (const index of indexes) await q.query(`DROP INDEX ${index.name.includes('.') ? index.name : `${schema}.${index.name}`}`);
  return { foreignKeys, indexes };
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
