/**
 * The registry derives the spending merger (real PostgreSQL, real HTTP, the tree's own generator injected
 * as `scripts/registry.ts` injects it): publishing, removing and rolling back a contributor — the fixture
 * insurer — re-derives spending's SDL in the same change (one supergraph), a check of a contributor says
 * what it would re-derive, and a contributor that breaks the derivation is refused changing nothing.
 * Also `GET /v1/subgraphs?sdl=true`, which a peer-following subgraph reads.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { derivedSubgraphs, graphFolders } from '../stack/graph';
import { TEST_JWT } from '../testing/harness';
import { ADMIN, startTestRegistry, type TestRegistry } from '../testing/registry';
import { TREE_ROOT } from '../testing/tree';
import { apiSchemaOf } from './check';
import { GraphQLEnumType, GraphQLUnionType } from 'graphql';

const INSURER = readFileSync(join(TREE_ROOT, 'testing/fixtures/insurer/schema.graphql'), 'utf8');
const INSURER_URL = 'http://insurer.example:4007/graphql';
/** The insurer with a contribution that would read lists by pseudonym: the derivation refuses it. */
const WITHOUT_REQUIRES = INSURER.replace('insurerLines: [InsurerSpendingLineContribution!]! @inaccessible @requires(fields: "internalUserId")', 'insurerLines: [InsurerSpendingLineContribution!]! @inaccessible');

let reg: TestRegistry;
let treeSupergraph: string;
const folders = graphFolders();

beforeAll(async () => {
  reg = await startTestRegistry({ derived: derivedSubgraphs() });
  const tree = folders.map((f) => ({ name: f.mod.name, url: f.source.routingUrl, schema: f.generatedSdl ?? readFileSync(f.source.schemaPath!, 'utf8') }));
  const published = await reg.call('POST', '/v1/publish', { body: { subgraphs: tree } });
  expect(published.status).toBe(200);
  // Sent exactly as it derives, the tree's spending is an ordinary version by its publisher.
  expect(published.body.derived).toEqual([]);
  treeSupergraph = published.body.supergraphId;
}, 60_000);
afterAll(() => reg.close());

/** Every registry table, to prove a refused call changed nothing. */
const state = () => reg.tables();

const latest = async (name: string) => (await reg.call('GET', `/v1/subgraphs/${name}/versions/latest`)).body;
const supergraph = async () => (await reg.call('GET', '/v1/supergraph')).body as { id: string; sdl: string };

/** What the supergraph routes of the insurer's contribution, and what spending's total requires. */
function routing(sdl: string) {
  return {
    insurerBuckets: /insurerBuckets: \[InsurerSpendingBucket!\]! .*@join__field\(graph: INSURER, requires: "internalUserId"\)/.test(sdl),
    totalRequiresInsurer: /total: Money! @join__field\(graph: SPENDING, requires: "[^"]*insurerBuckets \{/.test(sdl),
    insurerGraph: sdl.includes(`INSURER @join__graph(name: "insurer", url: "${INSURER_URL}")`),
  };
}

describe('in order, on one registry holding the tree', () => {
  test("a check of a contributor reports spending's re-derivation with the check, and changes nothing", async () => {
    const before = await state();
    const res = await reg.call('POST', '/v1/subgraphs/insurer/check', { body: { schema: INSURER, url: INSURER_URL } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ composes: true, against: treeSupergraph });
    expect(res.body.derived).toEqual([
      {
        name: 'spending',
        replacedSent: false,
        added: [
          // The insurer's own contribution types, as spending declares them.
          ...['', '.amount', '.category', '.lineCount', '.month'].map((f) => `InsurerSpendingBucket${f}`),
          ...['', '.amount', '.category', '.description', '.id', '.occurredAt', '.subjectId', '.subjectType'].map((f) => `InsurerSpendingLineContribution${f}`),
          'PartnerPremium',
          'PartnerPremium.id',
          'SpendingCategory.PARTNER_PREMIUM',
          'SpendingLinePage.insurerLines',
          'SpendingReport.insurerBuckets',
          'SpendingSubject|PartnerPremium',
        ],
        removed: [],
      },
    ]);
    // The client-visible changes come from the supergraph with spending re-derived: a new category and subject.
    expect(res.body.changes.map((c: any) => [c.severity, c.path])).toEqual(expect.arrayContaining([['dangerous', 'SpendingCategory.PARTNER_PREMIUM'], ['dangerous', 'SpendingSubject']]));
    expect(await state()).toEqual(before);
  });

  test("publishing the insurer publishes spending's re-derived SDL in the same change, and the supergraph routes the insurer's fields", async () => {
    const spendingBefore = await latest('spending');
    const res = await reg.call('POST', '/v1/subgraphs/insurer/publish', { body: { schema: INSURER, url: INSURER_URL } });
    expect(res.status).toBe(200);
    expect(res.body.versions).toEqual([{ name: 'insurer', version: 1 }, { name: 'spending', version: spendingBefore.version + 1 }]);
    expect(res.body.derived).toEqual([expect.objectContaining({ name: 'spending', version: spendingBefore.version + 1, replacedSent: false, removed: [] })]);

    const spending = await latest('spending');
    const insurer = await latest('insurer');
    const current = await supergraph();
    // One change: both versions produced the one supergraph that is now current.
    expect([spending.supergraphId, insurer.supergraphId, res.body.supergraphId]).toEqual([current.id, current.id, current.id]);
    expect(spending).toMatchObject({ kind: 'published', routingUrl: spendingBefore.routingUrl, publisher: 'registry: derived after insurer v1' });
    expect(spending.sdl).toMatch(/insurerBuckets: \[InsurerSpendingBucket!\]! @external/);
    expect(spending.sdl).toMatch(/insurerLines: \[InsurerSpendingLineContribution!\]! @external/);
    expect(insurer.publisher).toBe(ADMIN.sub);
    expect(routing(current.sdl)).toEqual({ insurerBuckets: true, totalRequiresInsurer: true, insurerGraph: true });
    const api = apiSchemaOf(current.sdl);
    expect((api.getType('SpendingCategory') as GraphQLEnumType).getValues().map((v) => v.name)).toContain('PARTNER_PREMIUM');
    expect((api.getType('SpendingSubject') as GraphQLUnionType).getTypes().map((t) => t.name)).toContain('PartnerPremium');
  });

  test('publishing it again is a no-op: spending derives the same SDL, no version, the same supergraph', async () => {
    const before = await state();
    const res = await reg.call('POST', '/v1/subgraphs/insurer/publish', { body: { schema: INSURER, url: INSURER_URL } });
    expect(res.body).toMatchObject({ published: false, unchanged: true, derived: [] });
    expect(await state()).toEqual(before);
  });

  test('a contributor that breaks the derivation is refused with the reason (check: composes false; publish: 422), and nothing changes', async () => {
    const before = await state();
    const checked = await reg.call('POST', '/v1/subgraphs/insurer/check', { body: { schema: WITHOUT_REQUIRES } });
    expect(checked.status).toBe(200);
    expect(checked.body).toMatchObject({ composes: false, errors: [{ code: 'DERIVATION_FAILED', subgraphs: ['spending', 'insurer'] }] });
    expect(checked.body.errors[0].message).toBe(
      'spending is derived from the other subgraphs and cannot be derived from this graph: insurer: SpendingLinePage.insurerLines must declare @requires(fields: "internalUserId") (and internalUserId: ID! @external): it reads the list of the real owner, never of a pseudonym',
    );
    const published = await reg.call('POST', '/v1/subgraphs/insurer/publish', { body: { schema: WITHOUT_REQUIRES, url: INSURER_URL, allowBreaking: true } });
    expect(published.status).toBe(422);
    expect(published.body).toMatchObject({ error: { code: 'COMPOSITION_FAILED', message: expect.stringMatching(/nothing was published/) }, errors: [{ code: 'DERIVATION_FAILED' }] });
    expect(await state()).toEqual(before);
  });

  test('removing the insurer re-derives spending without it in the same change, and the rest composes', async () => {
    const spendingBefore = await latest('spending');
    const res = await reg.call('POST', '/v1/subgraphs/insurer/remove', { body: { allowBreaking: true } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ removed: true, version: 2 });
    expect(res.body.derived).toEqual([
      expect.objectContaining({ name: 'spending', version: spendingBefore.version + 1, removed: expect.arrayContaining(['SpendingReport.insurerBuckets', 'SpendingLinePage.insurerLines']) }),
    ]);
    const spending = await latest('spending');
    const current = await supergraph();
    expect(spending).toMatchObject({ publisher: 'registry: derived after removing insurer (v2)', supergraphId: current.id });
    // Nothing the insurer contributed (finance's own descriptions name insurers, copied onto spending's stubs).
    expect(spending.sdl).not.toMatch(/insurer(Buckets|Lines)|PARTNER_PREMIUM|PartnerPremium/);
    expect(routing(current.sdl)).toEqual({ insurerBuckets: false, totalRequiresInsurer: false, insurerGraph: false });
    // Without the insurer, spending derives the tree's own schema again: the supergraph is the tree's.
    expect(current.id).toBe(treeSupergraph);
    expect(spending.sdl).toBe(folders.find((f) => f.mod.name === 'spending')!.generatedSdl);
  });

  test('rolling the insurer back re-derives spending with it again', async () => {
    const res = await reg.call('POST', '/v1/subgraphs/insurer/rollback', { body: {} });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ published: true, restored: 1, versions: [{ name: 'insurer', version: 3 }, { name: 'spending', version: expect.any(Number) }] });
    const spending = await latest('spending');
    const current = await supergraph();
    expect(spending).toMatchObject({ publisher: 'registry: derived after insurer v3', supergraphId: current.id });
    expect(spending.sdl).toMatch(/insurerBuckets/);
    expect(routing(current.sdl)).toEqual({ insurerBuckets: true, totalRequiresInsurer: true, insurerGraph: true });
  });

  test('spending published directly with another SDL gets the derived one, and the answer says so', async () => {
    const before = await state();
    const own = readFileSync(join(TREE_ROOT, 'subgraphs/spending/schema.graphql'), 'utf8');
    const spendingUrl = (await latest('spending')).routingUrl;
    const res = await reg.call('POST', '/v1/publish', { body: { subgraphs: [{ name: 'spending', schema: own, url: spendingUrl }] } });
    expect(res.status).toBe(200);
    // What it derives is what it holds: nothing to publish, but the sent SDL was not used.
    expect(res.body).toMatchObject({ unchanged: true, derived: [{ name: 'spending', replacedSent: true, added: [], removed: [] }] });
    expect(await state()).toEqual(before);

    // A new URL for it is a new version: the URL sent, the SDL derived, recorded as both.
    const moved = await reg.call('POST', '/v1/subgraphs/spending/publish', { body: { schema: own, url: 'http://spending.example/graphql' } });
    expect(moved.body).toMatchObject({ published: true, derived: [{ name: 'spending', replacedSent: true }] });
    const spending = await latest('spending');
    expect(spending).toMatchObject({ routingUrl: 'http://spending.example/graphql', publisher: `${ADMIN.sub} (registry: derived)` });
    expect(spending.sdl).toMatch(/insurerBuckets/);
  });
});

describe('GET /v1/subgraphs?sdl=true', () => {
  test("adds each current version's SDL; the plain listing stays without", async () => {
    const withSdl = await reg.call('GET', '/v1/subgraphs?sdl=true');
    expect(withSdl.status).toBe(200);
    for (const s of withSdl.body.subgraphs) expect(s.sdl).toBe((await latest(s.name)).sdl);
    expect(withSdl.body.subgraphs.map((s: any) => s.name)).toEqual([...folders.map((f) => f.mod.name), 'insurer'].sort());
    const plain = await reg.call('GET', '/v1/subgraphs');
    expect(plain.body.subgraphs.map(({ sdl: _sdl, ...s }: any) => s)).toEqual(withSdl.body.subgraphs.map(({ sdl: _sdl, ...s }: any) => s));
    expect(plain.body.subgraphs.some((s: any) => 'sdl' in s)).toBe(false);
    expect((await reg.call('GET', '/v1/subgraphs?sdl=false')).body).toEqual(plain.body);
  });

  test.each([
    ['sdl=yes', 'sdl', /sdl: "yes" must be true or false/],
    ['sdl=true&sdl=false', 'sdl', /sdl: give it once/],
    ['sdl=', 'sdl', /must be true or false/],
    ['sdl=true&schema=1', 'schema', /schema: is not a parameter of this route/],
  ])('?%s is 400 naming the parameter', async (query, field, message) => {
    const res = await reg.call('GET', `/v1/subgraphs?${query}`);
    expect([res.status, res.body.error.code, res.body.error.field]).toEqual([400, 'BAD_USER_INPUT', field]);
    expect(res.body.error.message).toMatch(message);
  });

  test('no token, a forged token and a customer token are refused', async () => {
    const none = await reg.call('GET', '/v1/subgraphs?sdl=true', { as: null });
    expect([none.status, none.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
    const forged = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('admin-1')
      .setIssuer(TEST_JWT.issuer)
      .setAudience(TEST_JWT.audience)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('another-secret-that-is-long-enough'));
    const bad = await reg.call('GET', '/v1/subgraphs?sdl=true', { as: `Bearer ${forged}` });
    expect([bad.status, bad.body.error.message]).toEqual([401, expect.stringMatching(/signature does not verify/)]);
    const customer = await reg.call('GET', '/v1/subgraphs?sdl=true', { as: { sub: 'user-1', role: 'customer' } });
    expect([customer.status, customer.body.error.code]).toEqual([403, 'FORBIDDEN']);
  });
});
