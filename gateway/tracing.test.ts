/**
 * One request, one trace (in-memory exporter, the test graph's real HTTP path): the gateway's span continues
 * the client's `traceparent`, names the operation and client; each subgraph fetch has its span, each
 * subgraph's own span is under its fetch, each SQL statement under the subgraph that ran it, and a service
 * call between subgraphs carries the trace on — with no user id, token or value in any span.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { HEADLINE_QUERY } from './headline-query';
import { startTracing } from '../platform/tracing';
import { as } from '../testing/harness';
import { ok } from '../testing/assertions';
import { PLACE_ORDER, startOrdersGraph, type OrdersTestGraph } from '../testing/orders';

const exporter = new InMemorySpanExporter();
let t: OrdersTestGraph;
const user = `u-${randomUUID()}`;

beforeAll(async () => {
  await startTracing({ serviceName: 'autograph-test', exporter, immediate: true });
  t = await startOrdersGraph();
}, 60_000);
afterAll(() => t?.g.stop());

const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

/** A fresh trace id and the client span id the gateway should hang its span under. */
function clientTrace() {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, header: `00-${traceId}-${spanId}-01` };
}

/** The trace's spans once `done` holds of them (subgraph spans end just after their answer is sent). */
async function spansOf(traceId: string, done: (spans: ReadableSpan[]) => boolean): Promise<ReadableSpan[]> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    if (done(spans) || Date.now() > deadline) return spans;
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('the headline request is one trace: gateway span, a fetch span per subgraph, each subgraph under its fetch, SQL under the subgraphs', async () => {
  const trace = clientTrace();
  const token = await t.g.token(as.customer(user));
  const res = await fetch(t.g.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, traceparent: trace.header, 'apollographql-client-name': 'tracing-test' },
    body: JSON.stringify({ query: HEADLINE_QUERY, variables: { first: 5 } }),
  });
  expect(((await res.json()) as { errors?: unknown }).errors).toBeUndefined();
  const contributors = ['orders', 'finance', 'aftermarket', 'energy', 'spending'];
  const spans = await spansOf(trace.traceId, (s) => contributors.every((c) => s.some((x) => x.name === `${c} POST`)) && s.some((x) => x.name === 'gateway POST'));

  const gateway = spans.find((s) => s.name === 'gateway POST')!;
  expect(gateway).toBeDefined();
  expect(parentOf(gateway)).toBe(trace.spanId);
  expect(gateway.attributes).toMatchObject({ 'graphql.operation.name': 'MySpending', 'graphql.operation.type': 'query', 'autograph.client.name': 'tracing-test', 'autograph.caller.role': 'customer', 'http.response.status_code': 200 });

  const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
  const ancestors = (s: ReadableSpan): ReadableSpan[] => {
    const up: ReadableSpan[] = [];
    for (let p = byId.get(parentOf(s) ?? ''); p; p = byId.get(parentOf(p) ?? '')) up.push(p);
    return up;
  };
  // Apollo Gateway's own spans (gateway.plan, gateway.execute, gateway.fetch) sit between ours: it reports to
  // the OpenTelemetry API too, so a fetch is under the gateway's request span, not directly below it.
  expect(spans.map((s) => s.name)).toEqual(expect.arrayContaining(['gateway.plan', 'gateway.execute', 'gateway.fetch']));
  const fetches = spans.filter((s) => s.name.startsWith('fetch '));
  for (const c of contributors) expect(fetches.map((f) => f.attributes['autograph.subgraph'])).toContain(c);
  for (const f of fetches) expect(ancestors(f)).toContain(gateway);

  const fetchIds = new Set(fetches.map((f) => f.spanContext().spanId));
  const servers = spans.filter((s) => contributors.includes(String(s.attributes['autograph.service'])));
  for (const c of contributors) {
    const server = servers.find((s) => s.attributes['autograph.service'] === c);
    expect(server).toBeDefined();
    expect(fetchIds.has(parentOf(server!)!)).toBe(true);
  }

  const serviceAbove = (s: ReadableSpan) => ancestors(s).find((p) => p.attributes['autograph.service'])?.attributes['autograph.service'];
  const sql = spans.filter((s) => s.attributes['db.system.name'] === 'postgresql');
  const sqlBy = new Set(sql.map(serviceAbove));
  for (const c of ['orders', 'finance', 'aftermarket', 'energy']) expect(sqlBy).toContain(c);
  expect(sql.every((s) => /^(SELECT|INSERT|UPDATE|DELETE|OTHER)\b/.test(s.name))).toBe(true);

  const everything = JSON.stringify(spans.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })));
  expect(everything).not.toContain(user);
  expect(everything).not.toContain(token);
});

test('without a client traceparent the gateway starts the trace, and a service call between subgraphs carries it on', async () => {
  const res = await t.g.gql(PLACE_ORDER, { input: { trimId: t.trim.id, idempotencyKey: randomUUID() } }, as.customer(user));
  ok(res);
  const gateway = exporter
    .getFinishedSpans()
    .filter((s) => s.name === 'gateway POST' && s.attributes['graphql.operation.type'] === 'mutation' && parentOf(s) === undefined)
    .at(-1)!;
  expect(gateway).toBeDefined();
  const spans = await spansOf(gateway.spanContext().traceId, (s) => s.some((x) => x.attributes['autograph.service'] === 'catalog'));
  const call = spans.find((s) => s.name === 'service call catalog');
  expect(call).toBeDefined();
  expect(call!.attributes['autograph.service']).toBe('orders');
  const catalog = spans.find((s) => s.name === 'catalog POST');
  expect(catalog).toBeDefined();
  expect(parentOf(catalog!)).toBe(call!.spanContext().spanId);
});
