/**
 * `POST /v1/usage`: what a gateway reports of field usage (`gateway/usage-reporter.ts` sends it), checked
 * strictly — types, sizes, counts, coordinate syntax, every refusal naming the field — then recorded in one
 * transaction: each operation upserted (first/last seen), each count added to its day's row
 * (`migrations/003.do.usage.sql`). A refused report records nothing. Days are the registry's UTC days, at arrival.
 *
 *   { "operations": [ { "hash": "<sha-256 hex>", "name": "CarSpending" | null, "document": "query CarSpending …",
 *       "clients": [ { "name": "ios-app", "version": "3.1.0", "count": 12, "coordinates": { "Query.me": 12, … } } ] } ] }
 */
import type { Db } from '../platform/db';
import { RegistryError } from './requests';

/** Limits of one report (the gateway splits what it holds to stay within them). */
export const USAGE_LIMITS = {
  operations: 500,
  clientsPerOperation: 500,
  coordinatesPerClient: 20_000,
  documentChars: 16 * 1024,
  nameChars: 200,
  clientChars: 100,
  coordinateChars: 300,
  /** Largest count in one report: far more calls than one gateway serves between reports. */
  count: 1_000_000_000_000,
} as const;

/** `Type.field`, or `Type.field(arg:)` (GraphQL names): what the gateway records. */
const COORDINATE = /^[_A-Za-z][_0-9A-Za-z]*\.[_A-Za-z][_0-9A-Za-z]*(\([_A-Za-z][_0-9A-Za-z]*:\))?$/;
const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export interface UsageReport {
  operations: Array<{
    hash: string;
    name: string | null;
    document: string;
    clients: Array<{ name: string; version: string; count: number; coordinates: Array<[string, number]> }>;
  }>;
}

const bad = (field: string, message: string) => new RegistryError(400, 'BAD_USER_INPUT', `${field}: ${message}`, field);

function object(value: unknown, field: string, fields: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(field, `must be an object { ${fields.join(', ')} }`);
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!fields.includes(key)) throw bad(`${field}.${key}`, `is not a field of this object (fields: ${fields.join(', ')})`);
  return o;
}

function list(value: unknown, field: string, max: number, what: string): unknown[] {
  if (!Array.isArray(value) || value.length === 0) throw bad(field, `must be a non-empty array of ${what}`);
  if (value.length > max) throw bad(field, `has ${value.length} entries; at most ${max} in one report`);
  return value;
}

function count(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > USAGE_LIMITS.count) throw bad(field, `${JSON.stringify(value)} is not a count (a whole number from 1 to ${USAGE_LIMITS.count})`);
  return value;
}

function text(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string') throw bad(field, 'must be a string');
  if (value.length > max) throw bad(field, `is longer than ${max} characters`);
  if (CONTROL.test(value)) throw bad(field, 'must not contain control characters');
  return value;
}

/** The report in `body`, or a RegistryError naming the first thing wrong with it. */
export function usageReport(body: Record<string, unknown>): UsageReport {
  for (const key of Object.keys(body)) if (key !== 'operations') throw bad(key, 'is not a field of this request (fields: operations)');
  const top = body;
  const seen = new Set<string>();
  const operations = list(top.operations, 'operations', USAGE_LIMITS.operations, '{ hash, name, document, clients }').map((raw, i) => {
    const at = `operations[${i}]`;
    const op = object(raw, at, ['hash', 'name', 'document', 'clients']);
    if (typeof op.hash !== 'string' || !/^[0-9a-f]{64}$/.test(op.hash)) throw bad(`${at}.hash`, 'must be the SHA-256 of the normalised document, 64 lower-case hex digits');
    if (seen.has(op.hash)) throw bad(`${at}.hash`, `${op.hash} is reported twice; send each operation once`);
    seen.add(op.hash);
    if (op.name !== null && (typeof op.name !== 'string' || op.name.length > USAGE_LIMITS.nameChars || !GRAPHQL_NAME.test(op.name))) throw bad(`${at}.name`, `must be null or a GraphQL name of at most ${USAGE_LIMITS.nameChars} characters`);
    if (typeof op.document !== 'string' || op.document.trim() === '') throw bad(`${at}.document`, 'must be a non-empty string (the normalised document, literals hidden)');
    if (op.document.length > USAGE_LIMITS.documentChars) throw bad(`${at}.document`, `is longer than ${USAGE_LIMITS.documentChars} characters`);
    const clientsSeen = new Set<string>();
    const clients = list(op.clients, `${at}.clients`, USAGE_LIMITS.clientsPerOperation, '{ name, version, count, coordinates }').map((rawClient, j) => {
      const cat = `${at}.clients[${j}]`;
      const c = object(rawClient, cat, ['name', 'version', 'count', 'coordinates']);
      const name = text(c.name, `${cat}.name`, USAGE_LIMITS.clientChars);
      const version = text(c.version, `${cat}.version`, USAGE_LIMITS.clientChars);
      const key = `${name}\0${version}`;
      if (clientsSeen.has(key)) throw bad(`${cat}.name`, `the client ${JSON.stringify(name)} ${JSON.stringify(version)} is reported twice for this operation`);
      clientsSeen.add(key);
      if (typeof c.coordinates !== 'object' || c.coordinates === null || Array.isArray(c.coordinates)) throw bad(`${cat}.coordinates`, 'must be an object of schema coordinate → count');
      const entries = Object.entries(c.coordinates as Record<string, unknown>);
      if (entries.length > USAGE_LIMITS.coordinatesPerClient) throw bad(`${cat}.coordinates`, `has ${entries.length} coordinates; at most ${USAGE_LIMITS.coordinatesPerClient}`);
      const coordinates = entries.map(([coordinate, n]): [string, number] => {
        if (coordinate.length > USAGE_LIMITS.coordinateChars || !COORDINATE.test(coordinate)) {
          throw bad(`${cat}.coordinates`, `${JSON.stringify(coordinate.slice(0, 80))} is not a schema coordinate (Type.field or Type.field(argument:))`);
        }
        return [coordinate, count(n, `${cat}.coordinates[${JSON.stringify(coordinate)}]`)];
      });
      return { name, version, count: count(c.count, `${cat}.count`), coordinates };
    });
    return { hash: op.hash, name: op.name as string | null, document: op.document, clients };
  });
  return { operations };
}

/** Records a checked report in one transaction; returns how much it recorded. */
export async function recordUsage(db: Db, report: UsageReport): Promise<{ operations: number; clients: number; coordinates: number }> {
  const rows = { coordinate: [] as string[], hash: [] as string[], client: [] as string[], version: [] as string[], count: [] as string[] };
  let clients = 0;
  for (const op of report.operations) {
    for (const c of op.clients) {
      clients++;
      for (const [coordinate, n] of c.coordinates) {
        rows.coordinate.push(coordinate);
        rows.hash.push(op.hash);
        rows.client.push(c.name);
        rows.version.push(c.version);
        rows.count.push(String(n));
      }
    }
  }
  await db.tx(async (q) => {
    // One statement per table, whatever the report's size (arrays, unnested by PostgreSQL).
    await q.query(
      `INSERT INTO registry.usage_operations (hash, name, document)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
       ON CONFLICT (hash) DO UPDATE SET last_seen = date_trunc('milliseconds', now()), name = EXCLUDED.name`,
      [report.operations.map((o) => o.hash), report.operations.map((o) => o.name), report.operations.map((o) => o.document)],
    );
    if (rows.coordinate.length === 0) return;
    await q.query(
      `INSERT INTO registry.usage_daily (day, coordinate, operation_hash, client_name, client_version, count)
       SELECT (now() AT TIME ZONE 'UTC')::date, u.* FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[]) AS u
       ON CONFLICT (coordinate, day, operation_hash, client_name, client_version)
       DO UPDATE SET count = registry.usage_daily.count + EXCLUDED.count, last_seen = date_trunc('milliseconds', now())`,
      [rows.coordinate, rows.hash, rows.client, rows.version, rows.count],
    );
  });
  return { operations: report.operations.length, clients, coordinates: rows.coordinate.length };
}

/** The route's work: check the body, record it, say what was recorded. */
export async function recordUsageRequest(db: Db, body: Record<string, unknown>): Promise<{ recorded: { operations: number; clients: number; coordinates: number } }> {
  return { recorded: await recordUsage(db, usageReport(body)) };
}
