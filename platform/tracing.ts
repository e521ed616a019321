/**
 * OpenTelemetry traces: one trace per request, from the gateway through every subgraph fetch and service
 * call down to each SQL statement, linked by W3C `traceparent` headers between processes.
 *
 * Spans are made with `@opentelemetry/api` at the few places that matter (the GraphQL HTTP handler, the
 * gateway's subgraph fetch, a subgraph's service call, a SQL statement) rather than by auto-instrumenting
 * `http`/`undici`/`pg`: those patch modules at load time, which the ESM loader we run under (tsx) does not
 * reliably allow, and they would add spans for health probes and registry polls nobody asked for.
 *
 * Propagation is always on (a caller's or the gateway's `traceparent` is continued even when this process
 * records nothing); recording starts with `startTracing` — OTLP over HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is
 * set, or a given exporter (tests: the SDK's in-memory exporter). No personal data goes into spans: no
 * variables, no user ids, no tokens, no SQL text beyond its operation and first table.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());

const tracer = () => trace.getTracer('autograph');
let provider: BasicTracerProvider | undefined;

/**
 * Starts recording spans for this process (once; later calls are ignored): to `exporter` when given,
 * else over OTLP/HTTP to `otlpEndpoint` (the exporter reads OTEL_EXPORTER_OTLP_HEADERS itself). Neither: nothing recorded.
 */
export async function startTracing(opts: { serviceName: string; otlpEndpoint?: string; exporter?: SpanExporter; immediate?: boolean }): Promise<void> {
  if (provider) return;
  let exporter = opts.exporter;
  if (!exporter && opts.otlpEndpoint) {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    exporter = new OTLPTraceExporter({ url: `${opts.otlpEndpoint.replace(/\/$/, '')}/v1/traces` });
  }
  if (!exporter) return;
  provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': opts.serviceName }),
    spanProcessors: [opts.immediate ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter)],
  });
  trace.setGlobalTracerProvider(provider);
}

/** Sends what is recorded and stops recording (at shutdown). */
export async function stopTracing(): Promise<void> {
  await provider?.shutdown();
}

/** Runs `fn` in a new span (a child of the active one), ending it when `fn` settles; an error marks it failed. */
export async function inSpan<T>(name: string, kind: SpanKind, attributes: Attributes, fn: (span: Span) => Promise<T>): Promise<T> {
  return tracer().startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.name ?? 'error' });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Runs a server's handling of one request in a span continuing the caller's trace (its `traceparent`). */
export async function inServerSpan<T>(name: string, headers: Record<string, string | string[] | undefined>, attributes: Attributes, fn: (span: Span) => Promise<T>): Promise<T> {
  const parent = propagation.extract(context.active(), headers);
  return context.with(parent, () => inSpan(name, SpanKind.SERVER, attributes, fn));
}

/** Adds the active trace's `traceparent` to headers about to be sent to another of our processes. */
export function injectTraceHeaders(headers: Record<string, string>): void {
  propagation.inject(context.active(), headers);
}

/** Sets attributes on the active span (the request's), if any. */
export function annotateActiveSpan(attributes: Attributes): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}

export { SpanKind };
