/**
 * A partner cannot take over the graph's own subgraphs, through the registry's HTTP API on real PostgreSQL:
 * a partner's check, publish or batch publish that `@override`s a field from a name its organisation does
 * not hold (under any name federation gives the directive) is 403 naming the field and the name, and
 * changes nothing — though an admin's composes, and a partner may override from its own names — and so is
 * its rollback to an admin's version that does; and an
 * admin cannot grant a derived subgraph's name (403, even forced) nor, without `force`, a name whose
 * current version the graph's own principals published (409).
 */
import type { DerivedSubgraph } from './derive';
import { productExtension, SHOP, startTestRegistry, urlOf, type TestRegistry } from '../testing/registry';

let reg: TestRegistry;
let partner: { id: string; secret: string };
const FED = 'https://specs.apollo.dev/federation/v2.3';

/** The graph's own `orders` owns `Product.ownerId`: the field a stranger wants. */
const ORDERS = `extend schema @link(url: "${FED}", import: ["@key"])
type Product @key(fields: "id") { id: ID! ownerId: ID! }
`;
/** A stand-in for the spending merger: the registry derives its SDL. */
const SPENDING: DerivedSubgraph = { name: 'spending', derive: () => productExtension('spendingTotal') };

/** The insurer taking `Product.ownerId` from `from`, with the directive spelt as `link` imports it. */
const takeover = (link: string, directive: string, from = 'orders') => `extend schema ${link}
type Product @key(fields: "id") { id: ID! ownerId: ID! ${directive}(from: "${from}") }
`;
const SPELLINGS: Array<[string, string, string]> = [
  ['imported @override', `@link(url: "${FED}", import: ["@key", "@override"])`, '@override'],
  ['the namespaced @federation__override', `@link(url: "${FED}", import: ["@key"])`, '@federation__override'],
  ['a link renamed with as: "fed"', `@link(url: "${FED}", as: "fed", import: ["@key"])`, '@fed__override'],
  ['an import renamed to @take', `@link(url: "${FED}", import: ["@key", { name: "@override", as: "@take" }])`, '@take'],
];

const as = () => `Bearer ${partner.secret}`;

beforeAll(async () => {
  reg = await startTestRegistry({ derived: [SPENDING] });
  const graph = [
    { name: 'products', schema: SHOP.products, url: urlOf('products') },
    { name: 'orders', schema: ORDERS, url: urlOf('orders') },
    { name: 'spending', schema: productExtension('spendingTotal'), url: urlOf('spending') },
  ];
  expect((await reg.call('POST', '/v1/publish', { body: { subgraphs: graph } })).status).toBe(200);
  const key = await reg.call('POST', '/v1/keys', { body: { kind: 'partner', org: 'insurer-co' } });
  partner = { id: key.body.key.id, secret: key.body.secret };
  for (const name of ['insurer', 'insurer_claims']) expect((await reg.call('POST', '/v1/grants', { body: { org: 'insurer-co', name } })).status).toBe(201);
  expect((await reg.call('POST', '/v1/subgraphs/insurer/publish', { as: as(), body: { schema: productExtension('insuranceQuote'), url: urlOf('insurer') } })).status).toBe(200);
});
afterAll(() => reg.close());

describe('refused, changing nothing', () => {
  let before: Record<string, string[]>;
  beforeEach(async () => {
    // A key's use is recorded at most once a minute: cleared, a refusal that records it shows in the snapshot.
    await reg.db.query(`UPDATE registry.credentials SET last_used_at = NULL`);
    before = await reg.tables();
  });
  afterEach(async () => {
    expect(await reg.tables()).toEqual(before);
  });

  test.each(SPELLINGS)("a partner's check, publish and batch publish overriding a field from orders (%s) is 403 naming the field and orders, though it composes", async (_, link, directive) => {
    const schema = takeover(link, directive);
    // An admin's check of the same SDL composes: the refusal is about who, not about the schema.
    expect((await reg.call('POST', '/v1/subgraphs/insurer/check', { body: { schema } })).body).toMatchObject({ composes: true });
    const message = `the partner key ${partner.id} of insurer-co may not take fields from subgraphs its organisation does not hold: insurer's Product.ownerId @override(from: "orders") (orders is not granted to insurer-co; only an admin may override a field from another subgraph); nothing was changed`;
    for (const [path, body] of [
      ['/v1/subgraphs/insurer/check', { schema }],
      ['/v1/subgraphs/insurer/publish', { schema, url: urlOf('insurer') }],
      ['/v1/publish', { subgraphs: [{ name: 'insurer_claims', schema: productExtension('claims'), url: urlOf('claims') }, { name: 'insurer', schema, url: urlOf('insurer') }] }],
    ] as const) {
      const res = await reg.call('POST', path, { as: as(), body });
      expect([path, res.status, res.body.error]).toEqual([path, 403, { code: 'FORBIDDEN', message }]);
    }
  });

  test('overriding from a name held by no one, or from the derived spending, is refused the same way', async () => {
    for (const from of ['nobody', 'spending']) {
      const schema = takeover(SPELLINGS[0][1], '@override', from);
      const res = await reg.call('POST', '/v1/subgraphs/insurer/publish', { as: as(), body: { schema, url: urlOf('insurer') } });
      expect([res.status, res.body.error.message]).toEqual([403, expect.stringContaining(`insurer's Product.ownerId @override(from: "${from}") (${from} is not granted to insurer-co;`)]);
    }
  });

  test('granting the derived spending is 403, even forced', async () => {
    for (const force of [false, true]) {
      const res = await reg.call('POST', '/v1/grants', { body: { org: 'evil-co', name: 'spending', force } });
      expect([res.status, res.body.error.code, res.body.error.message]).toEqual([403, 'FORBIDDEN', expect.stringMatching(/^spending is a derived subgraph: .*can never be granted .*force does not apply.*nothing was changed$/)]);
    }
  });

  test('granting orders, which an admin published, is 409 saying who published it and how to force it', async () => {
    const res = await reg.call('POST', '/v1/grants', { body: { org: 'evil-co', name: 'orders' } });
    expect([res.status, res.body.error.code, res.body.error.message]).toEqual([
      409,
      'CONFLICT',
      "orders is one of the graph's own subgraphs: its current version v1 was published by admin-1, not a partner key, and evil-co's keys could replace or remove it and receive its traffic; nothing was changed (send force: true, npm run schema -- grant --force, to grant it anyway)",
    ]);
  });

  test('a force that is not a boolean is 400 naming force', async () => {
    for (const force of ['yes', 1, null]) {
      const res = await reg.call('POST', '/v1/grants', { body: { org: 'evil-co', name: 'orders', force } });
      expect([res.status, res.body.error.field]).toEqual([400, 'force']);
    }
  });
});

describe('allowed', () => {
  test("a partner overrides a field from a name its organisation holds", async () => {
    const owner = `extend schema @link(url: "${FED}", import: ["@key"])
type Product @key(fields: "id") { id: ID! claimCount: Int }
`;
    expect((await reg.call('POST', '/v1/subgraphs/insurer_claims/publish', { as: as(), body: { schema: owner, url: urlOf('claims') } })).status).toBe(200);
    const schema = `extend schema @link(url: "${FED}", import: ["@key", "@override"])
type Product @key(fields: "id") { id: ID! insuranceQuote: String claimCount: Int @override(from: "insurer_claims") }
`;
    const res = await reg.call('POST', '/v1/subgraphs/insurer/publish', { as: as(), body: { schema, url: urlOf('insurer') } });
    expect(res).toMatchObject({ status: 200, body: { published: true } });
  });

  test('an admin still overrides a field from orders', async () => {
    const schema = `extend schema @link(url: "${FED}", import: ["@key", "@override"])
type Product @key(fields: "id") { id: ID! insuranceQuote: String claimCount: Int @override(from: "insurer_claims") ownerId: ID! @override(from: "orders") }
`;
    const res = await reg.call('POST', '/v1/subgraphs/insurer/publish', { body: { schema, url: urlOf('insurer') } });
    expect(res).toMatchObject({ status: 200, body: { published: true } });
  });

  test("a partner's rollback to the admin's version that overrides from orders is 403 and changes nothing; to its own version it is allowed", async () => {
    const own = `extend schema @link(url: "${FED}", import: ["@key", "@override"])
type Product @key(fields: "id") { id: ID! insuranceQuote: String claimCount: Int @override(from: "insurer_claims") }
`;
    expect((await reg.call('POST', '/v1/subgraphs/insurer/publish', { as: as(), body: { schema: own, url: urlOf('insurer') } })).body).toMatchObject({ versions: [{ name: 'insurer', version: 4 }] });
    await reg.db.query(`UPDATE registry.credentials SET last_used_at = NULL`);
    const before = await reg.tables();
    const refused = await reg.call('POST', '/v1/subgraphs/insurer/rollback', { as: as(), body: {} });
    expect([refused.status, refused.body.error.message]).toEqual([403, expect.stringContaining(`insurer's Product.ownerId @override(from: "orders") (orders is not granted to insurer-co;`)]);
    expect(await reg.tables()).toEqual(before);
    const allowed = await reg.call('POST', '/v1/subgraphs/insurer/rollback', { as: as(), body: { to: 1 } });
    expect(allowed).toMatchObject({ status: 200, body: { published: true, restored: 1, versions: [{ name: 'insurer', version: 5 }] } });
  });

  test('granting a name a partner published, after its grant was revoked, needs no force; orders is granted with force: true', async () => {
    expect((await reg.call('POST', '/v1/grants/revoke', { body: { org: 'insurer-co', name: 'insurer_claims' } })).status).toBe(200);
    expect((await reg.call('POST', '/v1/grants', { body: { org: 'claims-co', name: 'insurer_claims' } })).status).toBe(201);
    const forced = await reg.call('POST', '/v1/grants', { body: { org: 'evil-co', name: 'orders', force: true } });
    expect(forced).toMatchObject({ status: 201, body: { granted: true, grant: { name: 'orders', org: 'evil-co' } } });
  });
});
