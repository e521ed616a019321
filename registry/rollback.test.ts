/**
 * Removing a subgraph and rolling one back through the registry's HTTP API on real PostgreSQL: both run
 * publish's check (composition, then breaking changes) and refuse the same way changing nothing; a removal
 * is recorded as a `removed` version, a rollback is a new version with the earlier content.
 */
import type { GraphQLObjectType } from 'graphql';
import { ADMIN, SHOP, startTestRegistry, urlOf, type TestRegistry } from '../testing/registry';
import { apiSchemaOf } from './check';

const productFields = (supergraphSdl: string) => Object.keys((apiSchemaOf(supergraphSdl).getType('Product') as GraphQLObjectType).getFields());

let reg: TestRegistry;
let original: string;
beforeAll(async () => {
  reg = await startTestRegistry();
  const first = await reg.call('POST', '/v1/publish', {
    body: { subgraphs: [{ name: 'products', schema: SHOP.products, url: urlOf('products') }, { name: 'reviews', schema: SHOP.reviews, url: urlOf('reviews') }] },
  });
  expect(first.status).toBe(200);
  original = first.body.supergraphId;
});
afterAll(() => reg.close());

/** Every registry table, to prove a refused call changed nothing. */
const state = () => reg.tables();

const remove = (name: string, body: unknown = {}, as = ADMIN) => reg.call('POST', `/v1/subgraphs/${name}/remove`, { body, as });
const rollback = (name: string, body: unknown = {}, as = ADMIN) => reg.call('POST', `/v1/subgraphs/${name}/rollback`, { body, as });

describe('in order, on one registry', () => {
  test('a removal after which the rest does not compose is refused (422) with its errors, changing nothing', async () => {
    const before = await state();
    // Without products no subgraph has a query.
    const res = await remove('products', { allowBreaking: true });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: { code: 'COMPOSITION_FAILED', message: expect.stringMatching(/does not compose without products/) }, errors: [expect.objectContaining({ code: expect.any(String) })] });
    expect(await state()).toEqual(before);
  });

  test('a breaking removal needs allowBreaking (409, nothing changed); with it the name leaves the list and the supergraph, and history records it', async () => {
    const before = await state();
    const refused = await remove('reviews');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { code: 'BREAKING_CHANGES' }, changes: [{ severity: 'breaking', path: 'Product.reviews' }] });
    expect(await state()).toEqual(before);

    const removed = await remove('reviews', { allowBreaking: true });
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ removed: true, name: 'reviews', version: 2, summary: { breaking: 1 } });
    expect((await reg.call('GET', '/v1/subgraphs')).body.subgraphs.map((s: any) => s.name)).toEqual(['products']);
    const history = (await reg.call('GET', '/v1/subgraphs/reviews/versions')).body.versions;
    expect(history.map((v: any) => [v.version, v.kind, v.routingUrl, v.publisher, v.supergraphId])).toEqual([
      [1, 'published', urlOf('reviews'), ADMIN.sub, original],
      [2, 'removed', null, ADMIN.sub, removed.body.supergraphId],
    ]);
    const supergraph = (await reg.call('GET', '/v1/supergraph')).body;
    expect(supergraph.id).toBe(removed.body.supergraphId);
    expect(productFields(supergraph.sdl)).toEqual(['id', 'name', 'colour']);
    expect(supergraph.sdl).not.toMatch(/reviews/);

    expect((await remove('reviews', { allowBreaking: true })).status).toBe(404);
  });

  test('rolling back a removed name publishes its earlier SDL and URL again as a new version, and the supergraph is the earlier one', async () => {
    const res = await rollback('reviews');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ published: true, restored: 1, versions: [{ name: 'reviews', version: 3 }], supergraphId: original, summary: { breaking: 0, safe: 1 } });
    expect((await reg.call('GET', '/v1/subgraphs/reviews/versions/3')).body).toMatchObject({ kind: 'published', sdl: SHOP.reviews, routingUrl: urlOf('reviews'), supergraphId: original });
    expect((await reg.call('GET', '/v1/supergraph')).body.id).toBe(original);
  });

  test('rollback goes to the version before the current one by default, or to `to`, under the same breaking rule', async () => {
    const withPrice = SHOP.products.replace('colour: Colour }', 'colour: Colour price: String }');
    expect((await reg.call('POST', '/v1/subgraphs/products/publish', { body: { schema: withPrice, url: urlOf('products') } })).status).toBe(200);
    const withoutName = SHOP.products.replace(' name: String!', '');
    expect((await reg.call('POST', '/v1/subgraphs/products/publish', { body: { schema: withoutName, url: urlOf('products'), allowBreaking: true } })).status).toBe(200);

    const back = await rollback('products');
    expect(back.body).toMatchObject({ published: true, restored: 2, versions: [{ name: 'products', version: 4 }] });
    expect((await reg.call('GET', '/v1/subgraphs/products/versions/latest')).body.sdl).toBe(withPrice);

    // v1 has no price: going back to it is breaking.
    const before = await state();
    const refused = await rollback('products', { to: 1 });
    expect(refused.status).toBe(409);
    expect(refused.body.changes).toEqual([expect.objectContaining({ severity: 'breaking', path: 'Product.price' })]);
    expect(await state()).toEqual(before);
    const first = await rollback('products', { to: 1, allowBreaking: true });
    expect(first.body).toMatchObject({ published: true, restored: 1, versions: [{ name: 'products', version: 5 }], supergraphId: original });
    expect((await reg.call('GET', '/v1/supergraph')).body.id).toBe(original);
  });
});

describe('bad input and callers other than an admin are refused, changing nothing', () => {
  let before: Awaited<ReturnType<typeof state>>;
  beforeAll(async () => {
    before = await state();
  });
  afterEach(async () => {
    expect(await state()).toEqual(before);
  });

  test.each([
    ['"x"', { to: 'x' }, /"x" is not a version number/],
    ['0', { to: 0 }, /0 is not a version number/],
    ['1.5', { to: 1.5 }, /1.5 is not a version number/],
    ['the current version', { to: 5 }, /v5 is the current version of products/],
  ])('rollback to %s is 400 naming to', async (_label, body, message) => {
    const res = await rollback('products', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to', message: expect.stringMatching(message) });
  });

  test('rollback to a removal is 400; an unknown version or name, or removing a name not in the graph, is 404', async () => {
    const removal = await rollback('reviews', { to: 2 });
    expect([removal.status, removal.body.error.field, removal.body.error.message]).toEqual([400, 'to', expect.stringMatching(/is a removal/)]);
    expect((await rollback('products', { to: 99 })).body.error).toMatchObject({ code: 'NOT_FOUND', message: 'subgraph products has no version 99' });
    expect((await rollback('unknown')).status).toBe(404);
    expect((await remove('unknown')).body.error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/unknown is not in the graph/) });
  });

  test('a misspelt field, a bad allowBreaking and a bad name are 400', async () => {
    expect((await remove('products', { allow_breaking: true })).body.error.field).toBe('allow_breaking');
    expect((await rollback('products', { to: 1, allowBreaking: 'yes' })).body.error.field).toBe('allowBreaking');
    expect((await remove('Products')).body.error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
  });

  test.each([
    ['customer', { sub: 'user-1', role: 'customer' as const }],
    ['partner', { sub: 'dev-1', role: 'partner' as const, org: 'pingan-insurance' }],
  ])('a %s token is 403 for remove and rollback', async (_role, identity) => {
    for (const res of [await remove('products', { allowBreaking: true }, identity), await rollback('products', { to: 1, allowBreaking: true }, identity)]) {
      expect([res.status, res.body.error.code]).toEqual([403, 'FORBIDDEN']);
    }
    const none = await reg.call('POST', '/v1/subgraphs/products/remove', { body: {}, as: null });
    expect(none.status).toBe(401);
  });
});
