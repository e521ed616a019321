/**
 * Checking and publishing through the registry's HTTP API on real PostgreSQL: what composes is stored with
 * the supergraph it produced, what does not is refused with its errors and changes nothing, changes for
 * clients are classified breaking / dangerous / safe, and concurrent publishes lose nothing.
 */
import { ADMIN, productExtension, SHOP, startTestRegistry, urlOf, type TestRegistry } from '../testing/registry';
import { apiSchemaOf } from './check';
import { supergraphId } from '../gateway/supergraph-source';
import type { GraphQLObjectType } from 'graphql';

/** The fields clients see on Product in a supergraph. */
const productFields = (supergraphSdl: string) => Object.keys((apiSchemaOf(supergraphSdl).getType('Product') as GraphQLObjectType).getFields());

let reg: TestRegistry;
beforeAll(async () => {
  reg = await startTestRegistry();
  const first = await reg.call('POST', '/v1/publish', {
    body: { subgraphs: [{ name: 'products', schema: SHOP.products, url: urlOf('products') }, { name: 'reviews', schema: SHOP.reviews, url: urlOf('reviews') }] },
  });
  expect(first.status).toBe(200);
});
afterAll(() => reg.close());

/** Everything a refused call must leave as it was. */
async function state() {
  const [list, supergraph, products, reviews] = await Promise.all(
    ['/v1/subgraphs', '/v1/supergraph', '/v1/subgraphs/products/versions', '/v1/subgraphs/reviews/versions'].map((p) => reg.call('GET', p)),
  );
  return { list: list.body, supergraph: supergraph.body, products: products.body, reviews: reviews.body };
}

const withoutName = SHOP.products.replace(' name: String!', '');
const withGreen = SHOP.products.replace('enum Colour { RED BLUE }', 'enum Colour { RED BLUE GREEN }');
const withPrice = SHOP.products.replace('colour: Colour }', 'colour: Colour price: String }');

test('a publish stores each version with its URL, SDL, publisher and the supergraph it produced, and makes that supergraph current', async () => {
  const list = await reg.call('GET', '/v1/subgraphs');
  expect(list.body.subgraphs.map((s: any) => [s.name, s.version, s.routingUrl, s.publisher])).toEqual([
    ['products', 1, urlOf('products'), ADMIN.sub],
    ['reviews', 1, urlOf('reviews'), ADMIN.sub],
  ]);
  const supergraph = await reg.call('GET', '/v1/supergraph');
  expect(supergraph.body.id).toBe(supergraphId(supergraph.body.sdl));
  expect(productFields(supergraph.body.sdl)).toEqual(['id', 'name', 'colour', 'reviews']);
  const v1 = await reg.call('GET', '/v1/subgraphs/products/versions/1');
  expect(v1.body).toMatchObject({ name: 'products', version: 1, kind: 'published', sdl: SHOP.products, supergraphId: supergraph.body.id });
  expect((await reg.call('GET', '/v1/subgraphs/products/versions/latest')).body).toEqual(v1.body);
});

test('a candidate that does not compose is refused with its composition errors, and nothing changes', async () => {
  const before = await state();
  const clash = SHOP.reviews.replace('id: ID!', 'id: String!');
  const checked = await reg.call('POST', '/v1/subgraphs/reviews/check', { body: { schema: clash } });
  expect(checked.status).toBe(200);
  expect(checked.body.composes).toBe(false);
  expect(checked.body.errors[0]).toMatchObject({ code: 'FIELD_TYPE_MISMATCH', subgraphs: expect.arrayContaining(['reviews']) });
  const published = await reg.call('POST', '/v1/subgraphs/reviews/publish', { body: { schema: clash, url: urlOf('reviews') } });
  expect(published.status).toBe(422);
  expect(published.body.error.code).toBe('COMPOSITION_FAILED');
  expect(published.body.errors[0].code).toBe('FIELD_TYPE_MISMATCH');
  expect(await state()).toEqual(before);
});

test('removing a field is breaking: publish refuses it unless allowBreaking, changing nothing, and accepts it with', async () => {
  const checked = await reg.call('POST', '/v1/subgraphs/products/check', { body: { schema: withoutName } });
  expect(checked.body).toMatchObject({ composes: true, summary: { breaking: 1, dangerous: 0, safe: 0 } });
  expect(checked.body.changes[0]).toMatchObject({ severity: 'breaking', type: 'FIELD_REMOVED', path: 'Product.name' });

  const before = await state();
  const refused = await reg.call('POST', '/v1/subgraphs/products/publish', { body: { schema: withoutName, url: urlOf('products') } });
  expect(refused.status).toBe(409);
  expect(refused.body).toMatchObject({ error: { code: 'BREAKING_CHANGES' }, changes: [{ path: 'Product.name', severity: 'breaking' }] });
  expect(await state()).toEqual(before);

  const allowed = await reg.call('POST', '/v1/subgraphs/products/publish', { body: { schema: withoutName, url: urlOf('products'), allowBreaking: true } });
  expect(allowed.status).toBe(200);
  expect(allowed.body).toMatchObject({ published: true, versions: [{ name: 'products', version: 2 }], summary: { breaking: 1 } });
  const supergraph = (await reg.call('GET', '/v1/supergraph')).body;
  expect(supergraph.id).toBe(allowed.body.supergraphId);
  expect(productFields(supergraph.sdl)).not.toContain('name');
  // Put the field back (an addition) so the other tests start from the same graph.
  expect((await reg.call('POST', '/v1/subgraphs/products/publish', { body: { schema: SHOP.products, url: urlOf('products') } })).status).toBe(200);
});

test('adding a value to an output enum is dangerous', async () => {
  const checked = await reg.call('POST', '/v1/subgraphs/products/check', { body: { schema: withGreen } });
  expect(checked.body.summary).toEqual({ breaking: 0, dangerous: 1, safe: 0 });
  expect(checked.body.changes[0]).toMatchObject({ severity: 'dangerous', type: 'ENUM_VALUE_ADDED', path: 'Colour.GREEN' });
});

test('adding a field is safe, and a new name checked without a URL composes', async () => {
  const checked = await reg.call('POST', '/v1/subgraphs/products/check', { body: { schema: withPrice } });
  expect(checked.body.summary).toEqual({ breaking: 0, dangerous: 0, safe: 1 });
  expect(checked.body.changes[0]).toMatchObject({ severity: 'safe', type: 'FIELD_ADDED', path: 'Product.price' });
  const added = await reg.call('POST', '/v1/subgraphs/stock/check', { body: { schema: productExtension('stock') } });
  expect(added.body).toMatchObject({ composes: true, summary: { breaking: 0, dangerous: 0, safe: 1 } });
  expect((await reg.call('GET', '/v1/subgraphs/stock/versions')).status).toBe(404);
});

test('publishing the same SDL and URL again is a no-op: no new version, the same supergraph', async () => {
  const before = await state();
  const again = await reg.call('POST', '/v1/subgraphs/products/publish', { body: { schema: SHOP.products, url: urlOf('products') } });
  expect(again.status).toBe(200);
  expect(again.body).toMatchObject({ published: false, unchanged: true, versions: [{ name: 'products', version: before.products.versions.length }], supergraphId: before.supergraph.id });
  expect(await state()).toEqual(before);
  // A new URL alone is a new version, and says where gateways will send the traffic (no schema diff shows it).
  const checked = await reg.call('POST', '/v1/subgraphs/products/check', { body: { schema: SHOP.products, url: 'https://products.example/graphql' } });
  expect(checked.body).toMatchObject({ composes: true, changes: [], routing: [{ name: 'products', from: urlOf('products'), to: 'https://products.example/graphql' }] });
  const moved = await reg.call('POST', '/v1/subgraphs/products/publish', { body: { schema: SHOP.products, url: 'https://products.example/graphql' } });
  expect(moved.body).toMatchObject({ published: true, versions: [{ name: 'products', version: before.products.versions.length + 1 }], routing: [{ name: 'products', from: urlOf('products'), to: 'https://products.example/graphql' }] });
});

test('two concurrent publishes of different subgraphs both land, and the current supergraph has both', async () => {
  const [a, b] = await Promise.all(
    ['inventory', 'shipping'].map((name) => reg.call('POST', `/v1/subgraphs/${name}/publish`, { body: { schema: productExtension(name), url: urlOf(name) } })),
  );
  expect([a.status, b.status]).toEqual([200, 200]);
  const fields = productFields((await reg.call('GET', '/v1/supergraph')).body.sdl);
  expect(fields).toEqual(expect.arrayContaining(['inventory', 'shipping']));
  const list = (await reg.call('GET', '/v1/subgraphs')).body.subgraphs.map((s: any) => s.name);
  expect(list).toEqual(expect.arrayContaining(['inventory', 'shipping']));
});

test('concurrent publishes of one name get distinct version numbers', async () => {
  const results = await Promise.all(
    ['a1', 'a2', 'a3'].map((field) => reg.call('POST', '/v1/subgraphs/extras/publish', { body: { schema: productExtension(field), url: urlOf('extras'), allowBreaking: true } })),
  );
  expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
  const versions = (await reg.call('GET', '/v1/subgraphs/extras/versions')).body.versions.map((v: any) => v.version);
  expect(versions).toEqual([1, 2, 3]);
  const latest = (await reg.call('GET', '/v1/subgraphs/extras/versions/latest')).body;
  expect((await reg.call('GET', '/v1/supergraph')).body.id).toBe(latest.supergraphId);
});
