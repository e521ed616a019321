/**
 * The partner contract through HTTP into a test gateway: a partner token's introspection is the contract
 * schema's, an operation outside it is refused as an unknown field is (before any subgraph is called),
 * whatever way the document arrives (query text, a persisted query hash, a document cached for another
 * caller); contract fields work; customers and admins keep the full schema; and the contract follows a
 * new supergraph without a restart.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { visit } from 'graphql';
import { compose, formatProblems, readSupergraphConfig } from './composition';
import type { GatewayFeature } from './feature';
import { fileSupergraph } from './file-supergraph';
import { supergraphId } from './supergraph-source';
import { as, composeForTests, startTestGraph, type GqlResult, type TestGraph } from '../testing/harness';

const PARTNER = as.partner('store-staff', 'jd-auto-care');
const TYPES = '{ __schema { types { name } queryType { fields { name } } mutationType { fields { name } } } }';

/** The supergraph as rover.yaml composes it, with the tags of the fields named (all when none) taken out. */
function composeUntagged(...fields: string[]): string {
  const sources = readSupergraphConfig('rover.yaml').subgraphs.map((s) => {
    const typeDefs = visit(s.typeDefs, {
      FieldDefinition: (node) => (!fields.length || fields.includes(node.name.value) ? { ...node, directives: node.directives?.filter((d) => d.name.value !== 'tag') } : undefined),
    });
    return { ...s, typeDefs };
  });
  const outcome = compose(sources);
  if (!outcome.ok) throw new Error(`composition failed:\n${formatProblems(outcome.problems)}`);
  return outcome.supergraphSdl;
}

describe('the partner contract, served to partner tokens', () => {
  const REAL = composeForTests();
  const UNTAGGED = composeUntagged('colours');
  const NOTHING_TAGGED = composeUntagged();
  const dir = mkdtempSync(join(tmpdir(), 'autograph-contract-'));
  const path = join(dir, 'supergraph.graphql');
  /** Subgraph fetches made, counted by a feature nearest the network. */
  let fetches = 0;
  const counter: GatewayFeature = { name: 'test-fetch-counter', wrapFetch: (next) => (call) => (fetches++, next(call)) };
  let g: TestGraph;

  beforeAll(async () => {
    writeFileSync(path, REAL);
    g = await startTestGraph({ supergraph: fileSupergraph(path, { debounceMs: 50, pollMs: 1000 }), extraFeatures: [counter] });
  });
  afterAll(async () => {
    await g?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const schemaOf = async (who: Parameters<TestGraph['gql']>[2]) => {
    const res = await g.gql(TYPES, {}, who);
    expect(res.errors).toBeUndefined();
    const s = res.data.__schema;
    return { types: s.types.map((t: { name: string }) => t.name) as string[], query: s.queryType.fields.map((f: { name: string }) => f.name) as string[], mutation: (s.mutationType?.fields ?? []).map((f: { name: string }) => f.name) as string[] };
  };
  /** Waits until the gateway serves `sdl`. */
  async function serving(sdl: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while ((await (await fetch(new URL('/health/supergraph', g.url))).json() as { current?: { id: string } }).current?.id !== supergraphId(sdl)) {
      if (Date.now() > deadline) throw new Error('the new supergraph was not served');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  /** Posts a raw GraphQL request body as `who`. */
  const post = async (body: unknown, who = PARTNER): Promise<GqlResult> => {
    const res = await fetch(g.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await g.token(who)}` }, body: JSON.stringify(body) });
    return { ...((await res.json()) as GqlResult), status: res.status };
  };

  test("a partner token's introspection lacks internal and personal fields and types, and has the partner's", async () => {
    const partner = await schemaOf(PARTNER);
    expect(partner.query).toEqual(expect.arrayContaining(['storeAppointments', 'ordersAwaitingDelivery', 'underwrittenPolicies', 'stationSwaps', 'models']));
    expect(partner.mutation).toEqual(expect.arrayContaining(['issueInvoice', 'recordCharging', 'recordSwap', 'deliverOrder', 'appraiseTradeIn']));
    for (const hidden of ['me', 'user', 'loan']) expect(partner.query).not.toContain(hidden);
    for (const hidden of ['chargeSubscriptionMonth', 'placeOrder', 'openLoan']) expect(partner.mutation).not.toContain(hidden);
    for (const hidden of ['Loan', 'Preference', 'BatterySubscription', 'SpendingReport', 'TestDrive']) expect(partner.types).not.toContain(hidden);
    expect(partner.types).toEqual(expect.arrayContaining(['Order', 'ServiceInvoice', 'SwapSession', 'InsurancePolicy']));
    // `__type` too: a hidden type does not exist; a User is only its id.
    const res = await g.gql('{ loan: __type(name: "Loan") { name } user: __type(name: "User") { fields { name } } }', {}, PARTNER);
    expect(res.data).toEqual({ loan: null, user: { fields: [{ name: 'id' }] } });
  });

  test('a customer and an admin still see the full schema', async () => {
    for (const who of [as.customer('user-000001'), as.admin()]) {
      const full = await schemaOf(who);
      expect(full.query).toEqual(expect.arrayContaining(['me', 'user', 'loan', 'storeAppointments']));
      expect(full.mutation).toContain('chargeSubscriptionMonth');
      expect(full.types).toEqual(expect.arrayContaining(['Loan', 'Preference', 'BatterySubscription']));
    }
  });

  test('a partner querying an internal field is refused exactly as an unknown field is, and no subgraph is called', async () => {
    const before = fetches;
    const internal = await g.gql('{ me { id } }', {}, PARTNER);
    expect(fetches).toBe(before);
    const unknown = await g.gql('{ noSuchField }', {}, as.admin());
    expect([internal.status, unknown.status]).toEqual([400, 400]);
    expect(internal.errors).toEqual([{ message: 'Cannot query field "me" on type "Query".', locations: [{ line: 1, column: 3 }], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }]);
    expect(Object.keys(internal.errors![0])).toEqual(Object.keys(unknown.errors![0]));
    expect(unknown.errors![0].extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
    // A hidden field of a contract type (any suggestion names contract fields only).
    const owner = await g.gql('query($vin: String!) { vehicle(vin: $vin) { vin owner { id } } }', { vin: 'LGBH52E05PY000999' }, PARTNER);
    expect(owner.errors?.[0]).toMatchObject({ message: expect.stringMatching(/^Cannot query field "owner" on type "Vehicle"\./), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(fetches).toBe(before);
  });

  test("a partner's mistake is answered from the contract: no suggestion names a hidden field", async () => {
    // The full schema would answer: Cannot query field "mee" on type "Query". Did you mean "me"?
    const res = await g.gql('{ mee { id } }', {}, PARTNER);
    expect(res.status).toBe(400);
    expect(res.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors?.[0].message).toMatch(/^Cannot query field "mee" on type "Query"\./);
    expect(res.errors?.map((e) => e.message).join(' ')).not.toMatch(/"me"/);
    const admin = await g.gql('{ mee { id } }', {}, as.admin());
    expect(admin.errors?.[0].message).toMatch(/Did you mean "me"/);
  });

  test('a contract field works for the partner, alongside introspection answered from the contract', async () => {
    const res = await g.gql('{ stores(first: 2) { edges { node { id } } } loan: __type(name: "Loan") { name } }', {}, PARTNER);
    expect([res.status, res.errors]).toEqual([200, undefined]);
    expect(res.data).toEqual({ stores: { edges: expect.any(Array) }, loan: null });
    // The same operation as an admin: Loan exists.
    expect((await g.gql('{ loan: __type(name: "Loan") { name } }', {}, as.admin())).data).toEqual({ loan: { name: 'Loan' } });
  });

  test('a document validated for an admin, or registered as a persisted query, is checked again for a partner', async () => {
    const query = '{ user(id: "user-000001") { id } }';
    // Cached by Apollo after validating it for an admin...
    expect((await g.gql(query, {}, as.admin())).status).toBe(200);
    const cached = await g.gql(query, {}, PARTNER);
    expect([cached.status, cached.errors?.[0].extensions?.code, cached.errors?.[0].message]).toEqual([400, 'GRAPHQL_VALIDATION_FAILED', 'Cannot query field "user" on type "Query".']);
    // ...and registered as an automatic persisted query by an admin, then sent by hash only.
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const extensions = { persistedQuery: { version: 1, sha256Hash } };
    expect((await post({ query, extensions }, as.admin())).status).toBe(200);
    const byHash = await post({ extensions });
    expect([byHash.status, byHash.errors?.[0].extensions?.code, byHash.errors?.[0].message]).toEqual([400, 'GRAPHQL_VALIDATION_FAILED', 'Cannot query field "user" on type "Query".']);
    // A partner cannot register one outside its contract either: its hash stays unknown.
    const hidden = '{ me { id } }';
    const hiddenHash = createHash('sha256').update(hidden).digest('hex');
    expect((await post({ query: hidden, extensions: { persistedQuery: { version: 1, sha256Hash: hiddenHash } } })).status).toBe(400);
    expect((await post({ extensions: { persistedQuery: { version: 1, sha256Hash: hiddenHash } } }, as.admin())).errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  test('the contract follows a new supergraph: a field untagged for partners disappears for them, not for others', async () => {
    const colours = '{ colours { id } }';
    expect((await g.gql(colours, {}, PARTNER)).errors).toBeUndefined();
    writeFileSync(`${path}.tmp`, UNTAGGED);
    renameSync(`${path}.tmp`, path);
    await serving(UNTAGGED);
    const refused = await g.gql(colours, {}, PARTNER);
    expect([refused.status, refused.errors?.[0].message]).toEqual([400, 'Cannot query field "colours" on type "Query".']);
    expect((await schemaOf(PARTNER)).query).not.toContain('colours');
    expect((await g.gql(colours, {}, as.customer('user-000001'))).errors).toBeUndefined();

    // A supergraph whose contract leaves partners nothing: served to the others; partners are refused, never shown the full schema.
    writeFileSync(`${path}.tmp`, NOTHING_TAGGED);
    renameSync(`${path}.tmp`, path);
    await serving(NOTHING_TAGGED);
    const none = await g.gql(colours, {}, PARTNER);
    expect([none.status, none.errors?.[0].extensions?.code, none.data]).toEqual([503, 'INTERNAL_SERVER_ERROR', undefined]);
    expect((await g.gql(TYPES, {}, PARTNER)).status).toBe(503);
    expect((await g.gql(colours, {}, as.admin())).errors).toBeUndefined();
  });
});
