/**
 * Data access, one way for every subgraph and the schema registry: `query(sql, params)` and `tx(fn)`, with two
 * implementations — a `pg.Pool` on real PostgreSQL (DATABASE_URL) and an embedded PGlite.
 *
 * Both refuse transaction-control statements through `query` (use `tx`), and both refuse a plain
 * `db.query` from inside a `tx` callback (use the callback's own `q`): on PGlite that call would hang
 * the instance, on PostgreSQL it would silently run outside the transaction. Both return int8 and
 * numeric columns as strings so money never passes through a float.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import type { Pool, PoolClient } from 'pg';
import { timeStatement, watchPool } from './db-telemetry';

/** A query runner: the database itself, or the inside of one transaction. */
export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
}

/** The inside of one transaction. */
export interface TxQueryable extends Queryable {
  /** Runs a multi-statement script without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  /** `none`: a stateless subgraph's (platform/no-database.ts), which refuses every statement. */
  readonly kind: 'postgres' | 'pglite' | 'none';
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  tx<T>(fn: (q: TxQueryable) => Promise<T>): Promise<T>;
  /** Statements executed so far, for tests and benchmarks that prove batching. */
  readonly statementCount: number;
  /**
   * `LISTEN`s on `channel` until the returned function is called: `onNotify` gets each payload sent with
   * `pg_notify(channel, payload)` by any connection (a notify inside a transaction arrives when it commits).
   * On PostgreSQL it holds a dedicated connection and re-establishes it when it drops; notifications sent
   * while it was down are lost, so `onReconnect` is called after each re-established LISTEN for the caller
   * to re-read what it follows.
   */
  listen(channel: string, onNotify: (payload: string) => void, onReconnect?: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;
function checkChannel(channel: string): void {
  // LISTEN takes an identifier, not a parameter: only a plain name may be spliced in.
  if (!CHANNEL.test(channel)) throw new DbUsageError(`bad channel name ${channel}`);
}

const TX_CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK|START\s+TRANSACTION|SAVEPOINT|RELEASE|END|ABORT|PREPARE\s+TRANSACTION)\b/i;

/** Thrown when code misuses the db interface; these are programming errors, never user errors. */
export class DbUsageError extends Error {}


abstract class BaseDb implements Db {
  abstract readonly kind: 'postgres' | 'pglite';
  protected statements = 0;
  /** Marks async work running inside a `tx` callback. */
  protected readonly inTx = new AsyncLocalStorage<boolean>();

  get statementCount(): number {
    return this.statements;
  }

  protected guard(sql: string): void {
    if (TX_CONTROL.test(sql)) throw new DbUsageError(`transaction control through query() is refused; use db.tx(fn): ${sql.slice(0, 60)}`);
  }

  async query<R>(sql: string, params: unknown[] = []): Promise<R[]> {
    if (this.inTx.getStore()) throw new DbUsageError('db.query() called inside db.tx(); use the q passed to the callback');
    this.guard(sql);
    this.statements++;
    return timeStatement(this.kind, sql, () => this.run<R>(sql, params));
  }

  async tx<T>(fn: (q: TxQueryable) => Promise<T>): Promise<T> {
    if (this.inTx.getStore()) throw new DbUsageError('nested db.tx() is refused');
    return this.inTx.run(true, () => this.runTx(fn));
  }

  protected wrapTx(runner: <R>(sql: string, params: unknown[]) => Promise<R[]>, exec: (sql: string) => Promise<unknown>): TxQueryable {
    return {
      query: async <R>(sql: string, params: unknown[] = []) => {
        this.guard(sql);
        this.statements++;
        return timeStatement(this.kind, sql, () => runner<R>(sql, params));
      },
      exec: async (sql: string) => {
        this.statements++;
        await exec(sql);
      },
    };
  }

  protected abstract run<R>(sql: string, params: unknown[]): Promise<R[]>;
  abstract listen(channel: string, onNotify: (payload: string) => void, onReconnect?: () => void): Promise<() => Promise<void>>;
  protected abstract runTx<T>(fn: (q: TxQueryable) => Promise<T>): Promise<T>;
  abstract close(): Promise<void>;
}

/** PostgreSQL through a `pg.Pool`. */
export class PostgresDb extends BaseDb {
  readonly kind = 'postgres' as const;
  constructor(private readonly pool: Pool) {
    super();
  }

  protected async run<R>(sql: string, params: unknown[]): Promise<R[]> {
    const res = await this.pool.query(sql, params);
    return res.rows as R[];
  }

  protected async runTx<T>(fn: (q: TxQueryable) => Promise<T>): Promise<T> {
    const client: PoolClient = await this.pool.connect();
    // A checked-out client has no pool listener: a server that goes away between two statements (a
    // PostgreSQL restart) would emit an unhandled 'error' and crash the process. Keep the error, and
    // destroy the connection on release rather than return a dead one to the pool.
    let broken: Error | undefined;
    const onError = (err: Error) => (broken = err);
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await fn(
        this.wrapTx(
          async <R>(sql: string, params: unknown[]) => (await client.query(sql, params)).rows as R[],
          (sql) => client.query(sql),
        ),
      );
      await client.query('COMMIT');
      return result;
    } catch (err) {
      if (!broken) await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken ?? false);
    }
  }

  async listen(channel: string, onNotify: (payload: string) => void, onReconnect?: () => void): Promise<() => Promise<void>> {
    checkChannel(channel);
    let stopped = false;
    let client: PoolClient | undefined;
    let retry: NodeJS.Timeout | undefined;
    let failures = 0;
    // A pooled client taken out for good: LISTEN is a session's state, so it must stay on one connection.
    const connect = async (): Promise<void> => {
      const c = await this.pool.connect();
      const dropped = () => {
        if (client !== c) return;
        client = undefined;
        c.release(true); // destroyed, not returned to the pool: its session is gone
        if (!stopped) schedule();
      };
      c.on('error', dropped);
      c.on('end', dropped);
      c.on('notification', (n) => {
        if (n.channel === channel) onNotify(n.payload ?? '');
      });
      try {
        await c.query(`LISTEN ${channel}`);
      } catch (err) {
        c.release(true);
        throw err;
      }
      client = c;
      failures = 0;
    };
    const schedule = () => {
      // Backoff with jitter, so replicas that lost the database together do not reconnect in step.
      const delay = Math.min(30_000, 250 * 2 ** failures++) * (0.5 + Math.random() / 2);
      retry = setTimeout(() => {
        connect().then(
          () => onReconnect?.(),
          () => {
            if (!stopped) schedule();
          },
        );
      }, delay);
      retry.unref();
    };
    await connect();
    return async () => {
      stopped = true;
      clearTimeout(retry);
      const c = client;
      client = undefined;
      if (c) {
        await c.query(`UNLISTEN ${channel}`).catch(() => undefined);
        c.release();
      }
    };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** The embedded default: one in-process PGlite shared by every subgraph (each in its own schema). */
export class PgliteDb extends BaseDb {
  readonly kind = 'pglite' as const;
  constructor(private readonly pg: PGlite) {
    super();
  }

  protected async run<R>(sql: string, params: unknown[]): Promise<R[]> {
    const res = await this.pg.query<R>(sql, params);
    return res.rows;
  }

  protected async runTx<T>(fn: (q: TxQueryable) => Promise<T>): Promise<T> {
    return this.pg.transaction(async (t) =>
      fn(
        this.wrapTx(
          async <R>(sql: string, params: unknown[]) => (await t.query<R>(sql, params)).rows,
          (sql) => t.exec(sql),
        ),
      ),
    );
  }

  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    checkChannel(channel);
    // One process owns the embedded database, so its connection never drops: no reconnecting. PGlite calls
    // the listener from inside the notifying transaction's async context: it is moved out of it (and to the
    // next turn, after the commit has released the instance) so that the listener may query.
    return this.pg.listen(channel, (payload) => this.inTx.exit(() => setImmediate(onNotify, payload)));
  }

  async close(): Promise<void> {
    await this.pg.close();
  }
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** How a PostgreSQL pool is sized and bounded (DB_POOL_SIZE, DB_STATEMENT_TIMEOUT_MS). */
export interface PoolSettings {
  /** The most connections the pool opens. */
  maxConnections?: number;
  /** PostgreSQL's `statement_timeout` for every connection, in ms; 0: none (bulk loads, migrations by hand). */
  statementTimeoutMs?: number;
  /** How long a caller waits for a free connection (or a new one) before failing, in ms. */
  connectTimeoutMs?: number;
}

/** A statement a server runs for a request should never take longer; a longer one is a bug or an attack. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 15_000;
export const DEFAULT_POOL_SIZE = 10;

/**
 * Opens PostgreSQL at `url` with int8/numeric returned as strings (pg's default, stated here so it cannot
 * drift). A statement over `statementTimeoutMs` is cancelled by the server (SQLSTATE 57014), and a caller
 * waiting past `connectTimeoutMs` for a connection gets an error instead of a queue that grows while
 * PostgreSQL is down; pg's pool opens new connections as needed, so a restarted server is picked up again.
 */
export async function openPostgres(url: string, settings: number | PoolSettings = {}): Promise<PostgresDb> {
  const { maxConnections = DEFAULT_POOL_SIZE, statementTimeoutMs = 0, connectTimeoutMs = 10_000 } = typeof settings === 'number' ? { maxConnections: settings } : settings;
  const pg = await import('pg');
  const { types } = pg.default ?? pg;
  const pool = new (pg.default ?? pg).Pool({
    connectionString: url,
    max: maxConnections,
    connectionTimeoutMillis: connectTimeoutMs,
    ...(statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs } : {}),
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID || oid === NUMERIC_OID ? (v: string) => v : types.getTypeParser(oid, format as 'text')) as typeof types.getTypeParser,
    },
  });
  pool.on('error', () => undefined); // an idle client's error must not crash the process; the next query reports it
  await pool.query('SELECT 1');
  watchPool(pool);
  return new PostgresDb(pool);
}

/** Opens an embedded PGlite (in memory when `dataDir` is undefined) with int8/numeric returned as strings. */
export async function openPglite(dataDir?: string): Promise<PgliteDb> {
  const { PGlite } = await import('@electric-sql/pglite');
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const asString = (v: string) => v;
  const pg = new PGlite({ dataDir, parsers: { [INT8_OID]: asString, [NUMERIC_OID]: asString } });
  await pg.waitReady;
  return new PgliteDb(pg);
}

/**
 * Opens PostgreSQL when `databaseUrl` is given, otherwise the embedded PGlite (one process, one statement
 * at a time: neither a pool nor a statement timeout applies).
 */
export async function openDb(opts: { databaseUrl?: string; pgliteDir?: string; dbPoolSize?: number; dbStatementTimeoutMs?: number }): Promise<Db> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl, { maxConnections: opts.dbPoolSize, statementTimeoutMs: opts.dbStatementTimeoutMs }) : openPglite(opts.pgliteDir);
}
