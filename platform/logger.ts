/**
 * The product's one logger: JSON lines (pino) on stderr, every line carrying the id of the request it
 * was written for. Every server (gateway and subgraphs) runs each HTTP request inside
 * `runWithRequestId`, so a line logged anywhere below it — a resolver, the error formatter — names
 * its request without passing the id around. Quiet under NODE_ENV=test unless LOG_LEVEL is set, so
 * test output stays readable; `captureLogs()` lets a test read what was logged.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import pino from 'pino';

/** The header a request id travels in: from a client (optional), from the gateway to every subgraph fetch, back in every response. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Levels LOG_LEVEL accepts. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const scope = new AsyncLocalStorage<{ requestId: string }>();

/**
 * The request id for an incoming request: the caller's own `x-request-id` when it is short and plain
 * (safe to log and to echo in a header), else a fresh UUID.
 */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && /^[A-Za-z0-9._:-]{1,64}$/.test(value) ? value : randomUUID();
}

/** Runs `fn` (and everything it awaits) as part of the request `requestId`. */
export function runWithRequestId<T>(requestId: string, fn: () => T): T {
  return scope.run({ requestId }, fn);
}

/** The id of the request being served, if any. */
export function currentRequestId(): string | undefined {
  return scope.getStore()?.requestId;
}

function initialLevel(): string {
  const configured = process.env.LOG_LEVEL;
  if (configured && (LOG_LEVELS as readonly string[]).includes(configured)) return configured;
  return process.env.NODE_ENV === 'test' ? 'silent' : 'info';
}

/** Where lines go; a test swaps it through `captureLogs`. */
let sink: { write(line: string): unknown } = pino.destination({ dest: 2, sync: true });

/**
 * The one logger. Name the server in each line (`logger.error({ service: 'catalog', err }, …)`) rather than
 * through `logger.child`: a child keeps the level it was made with, and tests raise the level to capture.
 */
export const logger = pino(
  {
    level: initialLevel(),
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: () => {
      const requestId = currentRequestId();
      return requestId ? { requestId } : {};
    },
  },
  { write: (line: string) => sink.write(line) },
);

/** For tests: collects every line logged (at info and above) until `stop()`. */
export function captureLogs(): { lines(): Array<Record<string, unknown>>; stop(): void } {
  const previous = { sink, level: logger.level };
  const chunks: string[] = [];
  sink = { write: (line: string) => chunks.push(line) };
  logger.level = 'info';
  return {
    lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>),
    stop() {
      sink = previous.sink;
      logger.level = previous.level;
    },
  };
}
