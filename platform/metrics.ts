/**
 * Prometheus metrics (prom-client), one registry per process: the gateway's and every subgraph's series
 * live in it, told apart by their names (`autograph_gateway_*`, `autograph_subgraph_*`, `autograph_db_*`)
 * and the `subgraph` label, so `npm start` (everything in one process) and one process per deployable
 * expose the same series. Each of them serves it on `GET /metrics`.
 *
 * Who may read it: metrics name operations, clients and subgraphs, which is reconnaissance for an attacker,
 * so `/metrics` is not public. With METRICS_TOKEN set a scraper sends `Authorization: Bearer <token>`;
 * without it only a caller on the same machine (loopback) is answered — Apollo Router's default of serving
 * Prometheus on 127.0.0.1 only, on the one port we have.
 *
 * Label values that come from clients (operation and client names) are bounded: each label keeps the first
 * `MAX_LABEL_VALUES` distinct values it sees and counts every later one as `other`, so a client sending a
 * new operation name with each request cannot grow the registry without end.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The process's registry: what `/metrics` serves. */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'autograph_process_' });

/** Latency buckets in seconds, from a cached answer (1 ms) to a subgraph timeout (10 s). */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A counter by name, made once per process (the gateway and six subgraphs ask for the same ones). */
export function counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
  return (metricsRegistry.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter({ name, help, labelNames, registers: [metricsRegistry] });
}

export function histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets = LATENCY_BUCKETS): Histogram<L> {
  return (metricsRegistry.getSingleMetric(name) as Histogram<L> | undefined) ?? new Histogram({ name, help, labelNames, buckets, registers: [metricsRegistry] });
}

export function gauge<L extends string>(name: string, help: string, labelNames: readonly L[], collect?: (this: Gauge<L>) => void): Gauge<L> {
  return (metricsRegistry.getSingleMetric(name) as Gauge<L> | undefined) ?? new Gauge({ name, help, labelNames, registers: [metricsRegistry], ...(collect ? { collect } : {}) });
}

/** How many distinct client-given values one label keeps before counting the rest as `other`. */
export const MAX_LABEL_VALUES = 200;
const LABEL_SHAPE = /^[A-Za-z0-9_.:@/-]{1,64}$/;

/** Bounds one label's client-given values (operation names, client names); `none` for an absent one. */
export function boundedLabel(): (value: string | undefined | null) => string {
  const seen = new Set<string>();
  return (value) => {
    if (value === undefined || value === null || value === '') return 'none';
    if (!LABEL_SHAPE.test(value)) return 'other';
    if (seen.has(value)) return value;
    if (seen.size >= MAX_LABEL_VALUES) return 'other';
    seen.add(value);
    return value;
  };
}

/** Reads METRICS_TOKEN: unset (loopback callers only) or a token of at least 16 characters. */
export function readMetricsToken(env: NodeJS.ProcessEnv, problems: string[]): string | undefined {
  const token = env.METRICS_TOKEN;
  if (token === undefined || token === '') return undefined;
  if (token.length < 16 || /\s/.test(token)) problems.push('METRICS_TOKEN must be at least 16 characters with no spaces (the scraper sends it as a bearer token)');
  return token;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** Whether this caller may read the metrics (see the file comment); the refusal says how to get in. */
export function metricsAccess(remoteAddress: string | undefined, authorization: string | undefined, token: string | undefined): { ok: true } | { ok: false; status: 401 | 403; message: string } {
  if (token === undefined) {
    if (remoteAddress !== undefined && LOOPBACK.has(remoteAddress)) return { ok: true };
    return { ok: false, status: 403, message: 'metrics are served to this machine only; set METRICS_TOKEN and send it as a bearer token to scrape from elsewhere' };
  }
  const given = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1];
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(token);
  if (given !== undefined && a.length === b.length && timingSafeEqual(a, b)) return { ok: true };
  return { ok: false, status: 401, message: 'metrics need `Authorization: Bearer <METRICS_TOKEN>`' };
}

/** The `GET /metrics` route: Prometheus text exposition of the process's registry. */
export function metricsRoute(token: string | undefined) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const access = metricsAccess(req.socket.remoteAddress, req.headers.authorization, token);
    if (!access.ok) {
      res.writeHead(access.status, { 'content-type': 'text/plain; charset=utf-8', ...(access.status === 401 ? { 'www-authenticate': 'Bearer' } : {}) });
      res.end(`${access.message}\n`);
      return;
    }
    const body = await metricsRegistry.metrics();
    res.writeHead(200, { 'content-type': metricsRegistry.contentType, 'cache-control': 'no-store' });
    res.end(body);
  };
}

/** Seconds since `startedNs` (from `process.hrtime.bigint()`). */
export function secondsSince(startedNs: bigint): number {
  return Number(process.hrtime.bigint() - startedNs) / 1e9;
}
