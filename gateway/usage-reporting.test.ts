/**
 * Usage reporting end to end: requests through the whole test graph with `apollographql-client-name:
 * ios-app` land in a real registry's usage (real HTTP, real PostgreSQL) when the gateway stops; the
 * registry's check then names that operation and client for a field it used, calls a field it did not use
 * safe to ship, adding an enum value dangerous and a new field safe. What is stored has no literal or
 * variable value. A registry that is down fails no client request: the usage is kept and delivered once
 * it is back. And what an operation uses is computed as documented (fields, arguments, input fields and
 * enum values from literals and variables, fragments, not directives or introspection).
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { graphFolders } from '../stack/graph';
import { as, startTestGraph, type TestGraph } from '../testing/harness';
import { ADMIN, startTestRegistry, type TestRegistry } from '../testing/registry';
import { readUsageReportingOptions, usageReportingFeature, usageReportingSettings } from './features/usage-reporting';
import { loadConfig } from './config';
import { coordinatesOfCall, operationShape } from './operation-usage';

const MODELS = `query ModelsForApp($first: Int, $category: AccessoryCategory) {
  models(first: $first) { edges { node { name segment } } }
  accessories(category: $category, first: 3) { edges { node { name category } } }
}`;
const ONE_MODEL = `query OneModel { model(id: "model-aion-ut") { name } }`;
const IOS = { 'content-type': 'application/json', 'apollographql-client-name': 'ios-app', 'apollographql-client-version': '4.2.0' };

async function post(url: string, query: string, variables: Record<string, unknown>, headers: Record<string, string>) {
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: unknown[] } };
}

/**
 * A port held by a listener that drops every connection — a registry that is down — so no other test's
 * server can take it meanwhile (an answer from one would be a 4xx, and the reporter drops those). `free()`
 * lets go of it just before a registry is started there.
 */
async function deadPortHeld(): Promise<{ port: number; free(): Promise<void> }> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  return { port, free: () => new Promise<void>((done) => server.close(() => done())) };
}

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const catalogSdl = readFileSync(join(__dirname, '../subgraphs/catalog/schema.graphql'), 'utf8');

describe('through the whole graph into a real registry', () => {
  let reg: TestRegistry;
  let graph: TestGraph;
  let dead: Awaited<ReturnType<typeof deadPortHeld>>;
  let deadReporter: ReturnType<typeof usageReportingFeature>;

  beforeAll(async () => {
    reg = await startTestRegistry();
    const subgraphs = graphFolders().map((f) => ({ name: f.mod.name, url: f.source.routingUrl, schema: f.generatedSdl ?? readFileSync(f.source.schemaPath!, 'utf8') }));
    expect((await reg.call('POST', '/v1/publish', { body: { subgraphs } })).status).toBe(200);
    dead = await deadPortHeld();
    // A second reporter, to a registry that is not there yet, reporting every 200 ms.
    deadReporter = usageReportingFeature({ registryUrl: `http://127.0.0.1:${dead.port}`, registryToken: await reg.token(ADMIN), intervalMs: 200 });
    graph = await startTestGraph({
      // Reported only when the gateway stops: the test then knows every request is in.
      gatewayConfig: { usageReporting: { registryUrl: reg.url, registryToken: await reg.token(ADMIN), intervalMs: 3_600_000 } },
      extraFeatures: [deadReporter],
    });
  }, 120_000);
  afterAll(async () => {
    await dead?.free().catch(() => undefined);
    await graph?.stop().catch(() => undefined);
    await reg?.close();
  });

  test('requests while a registry is down all succeed; the usage is kept and delivered when it is back', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await post(graph.url, MODELS, { first: 2, category: 'CHARGING' }, IOS);
      expect(res.status).toBe(200);
      expect(res.body.errors).toBeUndefined();
    }
    await new Promise((r) => setTimeout(r, 700)); // several failed reports
    expect(deadReporter.reporter.pending().entries).toBe(1);

    await dead.free();
    const late = await startTestRegistry({ port: dead.port });
    try {
      const rows = await eventually(async () => {
        const r = await late.db.query<{ count: string }>(`SELECT count FROM registry.usage_daily WHERE coordinate = 'VehicleModel.segment' AND client_name = 'ios-app'`);
        return r.length ? r : undefined;
      });
      expect(rows).toEqual([{ count: '3' }]);
      expect(deadReporter.reporter.pending().entries).toBe(0);
    } finally {
      await late.close();
    }
  }, 60_000);

  test('requests with apollographql-client-name land in the registry when the gateway stops, without any literal or variable value', async () => {
    expect((await post(graph.url, ONE_MODEL, {}, IOS)).body.errors).toBeUndefined();
    expect((await post(graph.url, MODELS, { first: 1 }, { 'content-type': 'application/json' })).body.errors).toBeUndefined();
    // Refused by the partner contract after it resolved: it never ran, so it must not count as usage (a
    // partner could otherwise make any field look used and block others' breaking changes).
    const snoop = await graph.gql('query PartnerSnoop { me { id } }', {}, as.partner('p-1', 'gac-aion'));
    expect(snoop.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    await graph.stop();

    const ops = await reg.db.query<{ name: string; document: string }>(`SELECT name, document FROM registry.usage_operations ORDER BY name`);
    expect(ops.map((o) => o.name)).toEqual(['ModelsForApp', 'OneModel']);
    const one = ops.find((o) => o.name === 'OneModel')!;
    expect(one.document).toContain('model(id: "")');
    expect(JSON.stringify(ops)).not.toMatch(/model-aion-ut/);

    const rows = await reg.db.query<{ coordinate: string; client_name: string; client_version: string; count: string }>(
      `SELECT coordinate, client_name, client_version, count FROM registry.usage_daily u JOIN registry.usage_operations o ON o.hash = u.operation_hash WHERE o.name = 'ModelsForApp' ORDER BY client_name, coordinate`,
    );
    const ios = rows.filter((r) => r.client_name === 'ios-app').map((r) => [r.coordinate, r.count, r.client_version]);
    expect(ios).toEqual(
      [
        'Accessory.category', 'Accessory.name', 'AccessoryCategory.CHARGING', 'AccessoryConnection.edges', 'AccessoryEdge.node', 'Query.accessories', 'Query.accessories(category:)',
        'Query.accessories(first:)', 'Query.models', 'Query.models(first:)', 'VehicleModel.name', 'VehicleModel.segment', 'VehicleModelConnection.edges', 'VehicleModelEdge.node',
      ].map((c) => [c, '3', '4.2.0']),
    );
    // A client without the headers is recorded as '' (shown as an unnamed client); its call passed no category.
    expect(rows.filter((r) => r.client_name === '').map((r) => r.coordinate)).not.toContain('AccessoryCategory.CHARGING');
  }, 60_000);

  test('the check names the operation and client for a used field, calls an unused one safe, an enum value dangerous, a new field safe', async () => {
    const check = async (schema: string) => (await reg.call('POST', '/v1/subgraphs/catalog/check', { body: { schema } })).body;
    const withoutSegment = await check(catalogSdl.replace(/\n\s*"Market segment[^\n]*\n\s*segment: String!/, ''));
    expect(withoutSegment).toMatchObject({ composes: true, blocking: 1, usage: { days: 30, operations: 2, clients: 2 } });
    expect(withoutSegment.changes).toEqual([
      expect.objectContaining({
        severity: 'breaking',
        path: 'VehicleModel.segment',
        usage: {
          safeToShip: false,
          operationCount: 1,
          operations: [expect.objectContaining({ name: 'ModelsForApp', count: 4, clients: [expect.objectContaining({ name: 'ios-app', version: '4.2.0', count: 3 }), expect.objectContaining({ name: '', version: '', count: 1 })] })],
        },
      }),
    ]);

    const withoutDescription = await check(catalogSdl.replace(/\n\s*"A short description for a model page."\n\s*description: String!/, ''));
    expect(withoutDescription).toMatchObject({ composes: true, summary: { breaking: 1 }, blocking: 0, usage: { days: 30, operations: 2, clients: 2 } });
    expect(withoutDescription.changes[0]).toMatchObject({ path: 'VehicleModel.description', usage: { safeToShip: true, operationCount: 0 } });

    const enumValue = await check(catalogSdl.replace(/enum AccessoryCategory \{/, 'enum AccessoryCategory {\n  "Roof boxes."\n  ROOF'));
    expect(enumValue).toMatchObject({ blocking: 0, summary: { breaking: 0, dangerous: 1 } });
    expect(enumValue.changes).toContainEqual(expect.objectContaining({ severity: 'dangerous', type: 'ENUM_VALUE_ADDED', path: 'AccessoryCategory.ROOF' }));
    const field = await check(catalogSdl.replace(/\n\s*segment: String!/, '$&\n  "A nickname."\n  nickname: String'));
    expect(field).toMatchObject({ blocking: 0, summary: { breaking: 0, dangerous: 0 } });
    expect(field.changes).toContainEqual(expect.objectContaining({ severity: 'safe', type: 'FIELD_ADDED', path: 'VehicleModel.nickname' }));
  }, 60_000);
});

describe('what an operation uses', () => {
  const schema = buildSchema(`
    type Query { search(filter: Filter, kind: Kind = A): [Node!]! node(id: ID!): Node }
    interface Node { id: ID! }
    type Car implements Node { id: ID! vin: String! owner(mask: Boolean): String }
    input Filter { text: String kinds: [Kind!] nested: Filter }
    enum Kind { A B C }
  `);
  const shapeOf = (source: string) => {
    const document = parse(source);
    const op = document.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode;
    return operationShape(schema, document, op);
  };

  test('fields on their parent type (an interface’s as the interface), arguments, literal input fields and enum values; not directives, __typename or unused fragments', () => {
    const shape = shapeOf(`
      query Find { search(filter: { text: "alice@example.com", kinds: [B], nested: { text: "x" } }) { __typename id ... on Car { vin @include(if: true) ...Owner } } }
      fragment Owner on Car { owner(mask: true) }
      fragment Unused on Car { id }
    `);
    expect(shape.coordinates).toEqual(['Car.owner', 'Car.owner(mask:)', 'Car.vin', 'Filter.kinds', 'Filter.nested', 'Filter.text', 'Kind.B', 'Node.id', 'Query.search', 'Query.search(filter:)']);
    expect(shape.name).toBe('Find');
    expect(shape.document).not.toMatch(/alice|Unused/);
    expect(shape.document).toContain('search(filter: {})');
    expect(shape.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  test('the same operation with other literals or whitespace is the same hash; another selection is another', () => {
    const a = shapeOf('query Q { node(id: "1") { id } }');
    expect(shapeOf('query Q {\n  node(id: "2") {\n    id # comment\n  }\n}').hash).toBe(a.hash);
    expect(shapeOf('query Q { node(id: "1") { id ... on Car { vin } } }').hash).not.toBe(a.hash);
  });

  test('variables add the input fields and enum values they give, by name only', () => {
    const shape = shapeOf('query V($f: Filter, $k: Kind) { search(filter: $f, kind: $k) { id } }');
    expect(shape.coordinates).toEqual(['Node.id', 'Query.search', 'Query.search(filter:)', 'Query.search(kind:)']);
    const call = coordinatesOfCall(shape, { f: { text: 'secret', kinds: ['C'], nested: { kinds: 'A' }, unknown: 1 }, k: 'B' });
    expect([...call].sort()).toEqual(['Filter.kinds', 'Filter.nested', 'Filter.text', 'Kind.A', 'Kind.B', 'Kind.C', 'Node.id', 'Query.search', 'Query.search(filter:)', 'Query.search(kind:)']);
    expect(coordinatesOfCall(shape, undefined)).toBe(shape.coordinates);
  });
});

describe('the variables', () => {
  const read = (env: Record<string, string>) => {
    const problems: string[] = [];
    const options = readUsageReportingOptions(env, problems);
    return { settings: usageReportingSettings(options, env.REGISTRY_URL ? { url: env.REGISTRY_URL, token: env.REGISTRY_TOKEN ?? '' } : undefined), problems };
  };

  test('off without REGISTRY_URL or with USAGE_REPORTING=false; on with a URL and a token', () => {
    expect(read({})).toEqual({ settings: undefined, problems: [] });
    expect(read({ REGISTRY_URL: 'http://registry:4100', REGISTRY_TOKEN: 't', USAGE_REPORTING: 'false' })).toEqual({ settings: undefined, problems: [] });
    expect(read({ REGISTRY_URL: 'http://registry:4100', REGISTRY_TOKEN: 't' })).toEqual({ settings: { registryUrl: 'http://registry:4100', registryToken: 't', intervalMs: 10_000 }, problems: [] });
  });

  test('bad values are one problem each, naming the variable', () => {
    const { problems } = read({ USAGE_REPORTING: 'yes', USAGE_REPORT_INTERVAL_MS: '10ms' });
    expect(problems).toEqual(['USAGE_REPORTING="yes" must be true or false', 'USAGE_REPORT_INTERVAL_MS="10ms" must be a whole number from 100 to 3600000']);
  });

  test('REGISTRY_URL and REGISTRY_TOKEN are read once, by the configuration, and reach usage reporting through it', () => {
    const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(32), REGISTRY_URL: 'http://registry:4100', REGISTRY_TOKEN: 't' });
    expect(usageReportingSettings(config.usage, config.registry)).toEqual({ registryUrl: 'http://registry:4100', registryToken: 't', intervalMs: 10_000 });
    let problems: string[] = [];
    try {
      loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(32), REGISTRY_URL: 'ftp://registry' });
    } catch (err) {
      problems = (err as Error).message.split('\n  - ').slice(1);
    }
    expect(problems.filter((p) => p.includes('REGISTRY_URL'))).toEqual(['REGISTRY_URL="ftp://registry" is not a http:// or https:// URL']);
  });

  test('REGISTRY_URL is not taken for the URL of a subgraph named registry', () => {
    expect(loadConfig({ REGISTRY_URL: 'http://registry:4100', REGISTRY_TOKEN: 't' }).subgraphUrls).toEqual({});
  });
});
