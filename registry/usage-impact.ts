/**
 * Usage-aware checks: each breaking change of a check weighed against the usage gateways reported in the
 * last N days (`usage.ts` records it). A change whose coordinates some operation used lists those
 * operations with their clients, counts and last seen; one nothing used is safe to ship, with the window
 * and how many operations and clients were reported in it as the evidence. When nothing at all was
 * reported in the window, no change is called safe: a graph that reports nothing is never waved through.
 */
import type { Queryable } from '../platform/db';
import type { CheckOutcome, OperationUsage, SchemaChange, UsageEvidence } from './check';

/** Most operations listed per change (the count says how many there were). */
export const OPERATIONS_LISTED = 50;

export const DEFAULT_USAGE_DAYS = 30;
export const MAX_USAGE_DAYS = 365;

interface UsageRow {
  coordinate: string;
  hash: string;
  name: string | null;
  client_name: string;
  client_version: string;
  count: string;
  last_seen: Date;
}

/** Whether a reported coordinate is one a change looks up (`Type.*`: any of the type's). */
function matches(coordinate: string, wanted: readonly string[]): boolean {
  return wanted.some((w) => (w.endsWith('.*') ? coordinate.startsWith(w.slice(0, -1)) : coordinate === w));
}

/** The rows for one change, as operations with their clients, most calls first. */
function operationsOf(rows: readonly UsageRow[], wanted: readonly string[]): OperationUsage[] {
  const byOperation = new Map<string, OperationUsage & { byClient: Map<string, OperationUsage['clients'][number]> }>();
  for (const r of rows) {
    if (!matches(r.coordinate, wanted)) continue;
    const lastSeen = new Date(r.last_seen).toISOString();
    let op = byOperation.get(r.hash);
    if (!op) byOperation.set(r.hash, (op = { hash: r.hash, name: r.name, count: 0, lastSeen, clients: [], byClient: new Map() }));
    const key = `${r.client_name}\0${r.client_version}`;
    let client = op.byClient.get(key);
    if (!client) op.byClient.set(key, (client = { name: r.client_name, version: r.client_version, count: 0, lastSeen }));
    // A call counts once per coordinate it used: the operation's calls are its most-used coordinate's count.
    client.count = Math.max(client.count, Number(r.count));
    if (lastSeen > client.lastSeen) client.lastSeen = lastSeen;
    if (lastSeen > op.lastSeen) op.lastSeen = lastSeen;
  }
  return [...byOperation.values()]
    .map(({ byClient, ...op }) => {
      const clients = [...byClient.values()].sort((a, b) => b.count - a.count || a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
      return { ...op, count: clients.reduce((n, c) => n + c.count, 0), clients };
    })
    .sort((a, b) => b.count - a.count || a.hash.localeCompare(b.hash));
}

/** The window and what was reported in it. */
async function evidence(q: Queryable, days: number): Promise<UsageEvidence & { sinceDate: Date }> {
  const [row] = await q.query<{ since: Date; operations: number; clients: number }>(
    `WITH w AS (SELECT now() - make_interval(days => $1::int) AS since)
     SELECT w.since, count(DISTINCT u.operation_hash)::int AS operations, count(DISTINCT (u.client_name, u.client_version)) FILTER (WHERE u.operation_hash IS NOT NULL)::int AS clients
       FROM w LEFT JOIN registry.usage_daily u ON u.last_seen >= w.since GROUP BY w.since`,
    [days],
  );
  const since = new Date(row.since);
  return { days, since: since.toISOString(), sinceDate: since, operations: Number(row.operations), clients: Number(row.clients) };
}

/** Every reported use, in the window, of the coordinates the changes look up. */
async function usageOf(q: Queryable, changes: readonly SchemaChange[], since: Date): Promise<UsageRow[]> {
  const wanted = changes.flatMap((c) => c.coordinates ?? []);
  const exact = [...new Set(wanted.filter((w) => !w.endsWith('.*')))];
  const prefixes = [...new Set(wanted.filter((w) => w.endsWith('.*')).map((w) => w.slice(0, -1)))];
  if (exact.length === 0 && prefixes.length === 0) return [];
  return q.query<UsageRow>(
    `SELECT u.coordinate, u.operation_hash AS hash, o.name, u.client_name, u.client_version, sum(u.count)::text AS count, max(u.last_seen) AS last_seen
       FROM registry.usage_daily u JOIN registry.usage_operations o ON o.hash = u.operation_hash
      WHERE u.last_seen >= $3 AND (u.coordinate = ANY($1::text[]) OR EXISTS (SELECT 1 FROM unnest($2::text[]) p WHERE starts_with(u.coordinate, p)))
      GROUP BY u.coordinate, u.operation_hash, o.name, u.client_name, u.client_version`,
    [exact, prefixes, since],
  );
}

/** The outcome with each breaking change weighed against usage in the last `days` days, and the evidence. */
export async function weighUsage(q: Queryable, outcome: CheckOutcome, days: number): Promise<CheckOutcome> {
  if (!outcome.composes) return outcome;
  const breaking = outcome.changes.filter((c) => c.severity === 'breaking');
  const window = await evidence(q, days);
  const rows = breaking.length && window.operations > 0 ? await usageOf(q, breaking, window.sinceDate) : [];
  const changes = outcome.changes.map((c) => {
    if (c.severity !== 'breaking') return c;
    const operations = c.coordinates ? operationsOf(rows, c.coordinates) : [];
    const safeToShip = window.operations > 0 && Array.isArray(c.coordinates) && operations.length === 0;
    return { ...c, usage: { safeToShip, operations: operations.slice(0, OPERATIONS_LISTED), operationCount: operations.length } };
  });
  const { sinceDate: _since, ...usage } = window;
  return { ...outcome, changes, usage };
}
