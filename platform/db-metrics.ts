/**
 * The database's Prometheus series (platform/metrics.ts): how long each SQL statement took, by database
 * kind and outcome, and the PostgreSQL pools' connections (in use, idle, and callers waiting for one: a waiting count
 * above zero says the pool is too small for the load). No SQL text in labels:
 * statements are many and may carry values.
 */
import type { Pool } from 'pg';
import { gauge, histogram, secondsSince } from './metrics';

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

/** Runs one statement, timing it. */
export async function timeStatement<T>(database: 'postgres' | 'pglite', run: () => Promise<T>): Promise<T> {
  const started = process.hrtime.bigint();
  try {
    const result = await run();
    statements.observe({ database, outcome: 'ok' }, secondsSince(started));
    return result;
  } catch (err) {
    statements.observe({ database, outcome: 'error' }, secondsSince(started));
    throw err;
  }
}
