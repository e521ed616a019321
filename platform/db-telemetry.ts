/**
 * Each SQL statement as a span of the request's trace (platform/tracing.ts; its operation and first table,
 * never its text or values), and the database's Prometheus series (platform/metrics.ts): how long each
 * statement took, by database kind and outcome, and the PostgreSQL pools' connections (in use, idle, and callers waiting for one: a waiting count
 * above zero says the pool is too small for the load). No SQL text in labels:
 * statements are many and may carry values.
 */
import type { Pool } from 'pg';
import { gauge, histogram, secondsSince } from './metrics';
import { inSpan, SpanKind } from './tracing';

const statements = histogram('autograph_db_statement_duration_seconds', 'SQL statements and how long each took, by database kind (postgres, pglite) and outcome (ok, error)', ['database', 'outcome'] as const);

/** Every open pool of this process (tests open many; `npm start` one). */
const pools = new Set<Pool>();

gauge('autograph_db_pool_connections', 'PostgreSQL pool connections of this process, by state (busy, idle, waiting: callers waiting for a connection)', ['state'] as const, function collect() {
  let total = 0;
  let idle = 0;
  let waiting = 0;
  for (const pool of pools) {
    if ((pool as Pool & { ended?: boolean }).ended) {
      pools.delete(pool);
      continue;
    }
    total += pool.totalCount;
    idle += pool.idleCount;
    waiting += pool.waitingCount;
  }
  this.set({ state: 'busy' }, total - idle);
  this.set({ state: 'idle' }, idle);
  this.set({ state: 'waiting' }, waiting);
});

/** Counts `pool` in the pool gauge until it is ended. */
export function watchPool(pool: Pool): void {
  pools.add(pool);
}

const SUMMARY = /^\s*(?:WITH\b[\s\S]*?\)\s*)?(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|TRUNCATE|COPY|LISTEN|UNLISTEN|NOTIFY|SET)\b(?:(?:[\s\S]*?\b(FROM|INTO|TABLE))?\s+([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?))?/i;

/** What a span may say about a statement: its operation and first table (`SELECT orders.orders`). */
export function statementSummary(sql: string): { operation: string; table?: string } {
  // The head is enough, and a bulk INSERT of 20,000 rows is not scanned whole for every statement.
  const m = SUMMARY.exec(sql.slice(0, 400));
  if (!m) return { operation: 'OTHER' };
  const operation = m[1].toUpperCase();
  // A name right after the keyword is a table only for UPDATE (`SELECT now()` names a function).
  const table = m[3] && (m[2] || operation === 'UPDATE') ? m[3].toLowerCase() : undefined;
  return { operation, ...(table ? { table } : {}) };
}

/** Runs one statement in its own span, timing it. */
export async function timeStatement<T>(database: 'postgres' | 'pglite', sql: string, run: () => Promise<T>): Promise<T> {
  const { operation, table } = statementSummary(sql);
  return inSpan(`${operation}${table ? ` ${table}` : ''}`, SpanKind.CLIENT, { 'db.system.name': 'postgresql', 'db.operation.name': operation, ...(table ? { 'db.collection.name': table } : {}) }, async () => {
    const started = process.hrtime.bigint();
    try {
      const result = await run();
      statements.observe({ database, outcome: 'ok' }, secondsSince(started));
      return result;
    } catch (err) {
      statements.observe({ database, outcome: 'error' }, secondsSince(started));
      throw err;
    }
  });
}
