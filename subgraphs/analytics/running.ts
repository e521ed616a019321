/**
 * The ingester of each running analytics subgraph, by its database: the admin's refresh runs a round on
 * the same ingester as the periodic one (rounds never overlap). Keyed by database, as tests run several
 * graphs in one process.
 */
import type { Db } from '../../platform/db';
import type { AnalyticsIngester } from './ingest';

const running = new WeakMap<Db, AnalyticsIngester>();

export function registerIngester(db: Db, ingester: AnalyticsIngester): void {
  running.set(db, ingester);
}

export function ingesterOf(db: Db): AnalyticsIngester {
  const ingester = running.get(db);
  if (!ingester) throw new Error('the analytics store has no ingester running in this process');
  return ingester;
}
