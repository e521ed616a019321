/**
 * The web app's build ships every operation as a trusted document: the manifest it writes is in Apollo's
 * format and validates against the graph as its folders compose now, the gateway (configured exactly as
 * `npm start` configures it) answers each of its operations by hash for client `web`, and refuses
 * client `web` anything else — full text, even the manifest's own, and unknown hashes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { parse, printSchema } from 'graphql';
import { readTrustedDocumentsSettings } from '../../gateway/features/trusted-documents';
import { WEB_CLIENT_NAME, WEB_MANIFEST_FILE, withWebAppDocuments } from '../../gateway/features/web-app';
import { as, composeForTests, startTestGraph, type TestGraph } from '../../testing/harness';
import { seedAll } from '../../testing/seed';
import { DEMO_USER } from '../../platform/demo';
import { buildWebApp, manifestProblems, WEB_DIR, WEB_DIST, webBuildStaleness, type ManifestOperation } from './build';

let manifest: { format: string; version: number; operations: ManifestOperation[] };
const apiSchema = () => Supergraph.build(composeForTests()).apiSchema().toGraphQLJSSchema();

beforeAll(async () => {
  // Built once for the suite (and for npm start after it) unless web/dist is current.
  if (webBuildStaleness() !== null) await buildWebApp();
  manifest = JSON.parse(readFileSync(join(WEB_DIST, WEB_MANIFEST_FILE), 'utf8'));
}, 600_000);

test("web/schema.graphql, which the app's types are generated from, is the API schema the folders compose to now", () => {
  const committed = readFileSync(join(WEB_DIR, 'schema.graphql'), 'utf8');
  expect(committed.slice(committed.indexOf('\n') + 1).trim()).toBe(printSchema(apiSchema()).trim());
});

test("the build's manifest is Apollo's format, one operation per name, and every operation validates against the current supergraph", () => {
  expect({ format: manifest.format, version: manifest.version }).toEqual({ format: 'apollo-persisted-query-manifest', version: 1 });
  const names = manifest.operations.map((o) => o.name);
  expect(new Set(names).size).toBe(names.length);
  expect(names).toEqual(expect.arrayContaining(['MySpending', 'PaidOrder', 'PaidServiceInvoice', 'PaidSwapSession', 'PaidLoan', 'CatalogOptions', 'CompareOwnership']));
  expect(manifestProblems(apiSchema(), manifest.operations)).toEqual([]);
  // The check can fail: a field the graph does not have is named with its operation.
  const broken = { ...manifest.operations[0], body: manifest.operations[0].body.replace('{', '{ noSuchField') };
  expect(manifestProblems(apiSchema(), [broken])).toEqual([expect.stringMatching(new RegExp(`^${broken.name}: Cannot query field "noSuchField"`))]);
});

test('the app carries only operation ids, never their text', () => {
  const ids = JSON.parse(readFileSync(join(WEB_DIR, 'src', 'gql', 'operation-ids.json'), 'utf8')) as Array<{ id: string; name: string }>;
  expect(ids).toEqual(manifest.operations.map(({ id, name }) => ({ id, name })));
});

describe('the gateway as npm start configures it', () => {
  let g: TestGraph;
  let token: string;
  const byHash = async (op: { id: string; name: string }, variables: Record<string, unknown>, client = WEB_CLIENT_NAME) => {
    const res = await fetch(g.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'apollographql-client-name': client, authorization: `Bearer ${token}` },
      body: JSON.stringify({ operationName: op.name, variables, extensions: { persistedQuery: { version: 1, sha256Hash: op.id } } }),
    });
    return { status: res.status, ...((await res.json()) as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> }) };
  };
  const op = (name: string) => manifest.operations.find((o) => o.name === name)!;

  beforeAll(async () => {
    const webApp = { dir: WEB_DIST };
    const problems: string[] = [];
    const trustedDocuments = withWebAppDocuments(readTrustedDocumentsSettings({}, problems), webApp);
    expect(problems).toEqual([]);
    g = await startTestGraph({ gatewayConfig: { webApp, trustedDocuments } });
    await seedAll(g.db, 3);
    token = await g.token(as.customer(DEMO_USER));
  }, 180_000);
  afterAll(async () => g?.stop());

  test('every operation of the manifest is answered by its hash for client web', async () => {
    const variables: Record<string, Record<string, unknown>> = {
      MySpending: { first: 5 },
      PaidOrder: { id: 'ord-000001' },
      PaidServiceInvoice: { id: 'inv-000001' },
      PaidSwapSession: { id: 'swp-000001' },
      PaidLoan: { id: 'loan-000001' },
      CatalogOptions: {},
      CompareOwnership: { input: { years: 1, annualDistanceKm: 10000, city: 'Guangzhou', options: [{ trimId: 'no-such-trim', financing: { kind: 'CASH' } }] } },
    };
    for (const o of manifest.operations) {
      const r = await byHash(o, variables[o.name] ?? {});
      // The graph's own answers (data, or NOT_FOUND / BAD_USER_INPUT for the made-up ids), never the safelist's refusal.
      const codes = (r.errors ?? []).map((e) => e.extensions?.code);
      expect([o.name, codes.filter((c) => c === 'PERSISTED_QUERY_NOT_IN_LIST' || c === 'GRAPHQL_VALIDATION_FAILED' || c === 'PERSISTED_QUERY_NOT_FOUND')]).toEqual([o.name, []]);
    }
    const spending = await byHash(op('MySpending'), { first: 5 });
    expect(spending.errors).toBeUndefined();
    expect(spending.data.me.id).toBe(DEMO_USER);
    expect(spending.data.me.spending.total.amount).toMatch(/^-?\d+\.\d{2}$/);
    expect(spending.data.me.spending.lines.edges).toHaveLength(5);
    const catalog = await byHash(op('CatalogOptions'), {});
    expect(catalog.errors).toBeUndefined();
    expect(catalog.data.models.edges.length).toBeGreaterThan(0);
  });

  test("the quote page's operations, public, fit the anonymous cost budget: the catalog and an 8-year, 2-option comparison", async () => {
    const anonymous = async (o: { id: string; name: string }, variables: Record<string, unknown>) => {
      const res = await fetch(g.url, { method: 'POST', headers: { 'content-type': 'application/json', 'apollographql-client-name': WEB_CLIENT_NAME }, body: JSON.stringify({ operationName: o.name, variables, extensions: { persistedQuery: { version: 1, sha256Hash: o.id } } }) });
      return (await res.json()) as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> };
    };
    const catalog = await anonymous(op('CatalogOptions'), {});
    expect(catalog.errors).toBeUndefined();
    const trims = catalog.data.models.edges.flatMap((e: any) => e.node.trims.filter((t: any) => t.available));
    const input = { years: 8, annualDistanceKm: 15000, city: 'Guangzhou', options: [trims[0], trims[trims.length - 1]].map((t: any) => ({ trimId: t.id, financing: { kind: 'CASH' } })) };
    const quote = await anonymous(op('CompareOwnership'), { input });
    expect(quote.errors).toBeUndefined();
    expect(quote.data.ownershipQuote.options).toHaveLength(2);
    expect(quote.data.ownershipQuote.options[0].months).toHaveLength(96);
  });

  test('client web sending text is refused with PERSISTED_QUERY_NOT_IN_LIST, its own manifest text reformatted and unknown hashes too', async () => {
    const send = async (body: object) => {
      const res = await fetch(g.url, { method: 'POST', headers: { 'content-type': 'application/json', 'apollographql-client-name': WEB_CLIENT_NAME, authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
      return { status: res.status, ...((await res.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> }) };
    };
    const freeForm = await send({ query: '{ me { id spending { total { amount } } } }' });
    expect([freeForm.status, freeForm.errors?.[0]?.extensions?.code, freeForm.data ?? null]).toEqual([403, 'PERSISTED_QUERY_NOT_IN_LIST', null]);
    const reformatted = await send({ query: op('MySpending').body.replace(/\s+/g, ' '), variables: { first: 5 } });
    expect([reformatted.status, reformatted.errors?.[0]?.extensions?.code]).toEqual([403, 'PERSISTED_QUERY_NOT_IN_LIST']);
    const unknown = await send({ extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } });
    expect([unknown.status, unknown.errors?.[0]?.extensions?.code]).toEqual([403, 'PERSISTED_QUERY_NOT_IN_LIST']);
    // Its exact text is one of its documents (judged by its own hash), as the feature allows.
    const exact = await send({ query: op('MySpending').body, variables: { first: 1 } });
    expect(exact.errors).toBeUndefined();
    expect(parse(op('MySpending').body).definitions).toHaveLength(1);
  });
});
