/**
 * Usage-aware checks through the registry's HTTP API on real PostgreSQL: without reported usage every
 * breaking change counts (and the check says so); with it, removing a field an operation used is breaking
 * and names the operation and its clients, removing an unused one is safe to ship with the usage window
 * as evidence (and publishes without allowBreaking), usage older than the window does not count, adding
 * an enum value stays dangerous and a new field safe. POST /v1/usage refuses every malformed report, and
 * callers without a gateway credential, recording nothing.
 */
import { createHash } from 'node:crypto';
import { SHOP, startTestRegistry, urlOf, type TestRegistry } from '../testing/registry';

let reg: TestRegistry;
beforeAll(async () => {
  reg = await startTestRegistry({ maxBodyBytes: 64 * 1024 });
  const published = await reg.call('POST', '/v1/publish', { body: { subgraphs: [{ name: 'products', schema: SHOP.products, url: urlOf('products') }, { name: 'reviews', schema: SHOP.reviews, url: urlOf('reviews') }] } });
  expect(published.status).toBe(200);
});
afterAll(() => reg.close());

const DOCUMENT = 'query ProductPage($id: ID!) {\n  product(id: $id) {\n    name\n    reviews\n  }\n}';
const HASH = createHash('sha256').update(DOCUMENT).digest('hex');
const USED = { 'Query.product': 5, 'Query.product(id:)': 5, 'Product.name': 5, 'Product.reviews': 5 };

/** A report of ProductPage, by the iOS app (5 calls) and the web app (2). */
const report = () => ({
  operations: [
    {
      hash: HASH,
      name: 'ProductPage',
      document: DOCUMENT,
      clients: [
        { name: 'ios-app', version: '3.1.0', count: 5, coordinates: USED },
        { name: 'web', version: '', count: 2, coordinates: Object.fromEntries(Object.keys(USED).map((c) => [c, 2])) },
      ],
    },
  ],
});

const withoutName = SHOP.products.replace(' name: String!', '');
const withoutColour = SHOP.products.replace(' colour: Colour', '');
const checkProducts = (schema: string, extra: Record<string, unknown> = {}) => reg.call('POST', '/v1/subgraphs/products/check', { body: { schema, ...extra } });

async function usageRows() {
  const ops = await reg.db.query(`SELECT hash, name FROM registry.usage_operations ORDER BY hash`);
  const daily = await reg.db.query(`SELECT coordinate, client_name, client_version, count::int AS count FROM registry.usage_daily ORDER BY coordinate, client_name`);
  return { ops, daily };
}

describe('in order, on one registry', () => {
  test('with no usage reported, a breaking change counts: the check says no usage was reported, and publish refuses it', async () => {
    const checked = await checkProducts(withoutColour);
    expect(checked.status).toBe(200);
    expect(checked.body).toMatchObject({ composes: true, blocking: 1, usage: { days: 30, operations: 0, clients: 0 } });
    expect(checked.body.changes[0]).toMatchObject({ severity: 'breaking', path: 'Product.colour', coordinates: ['Product.colour'], usage: { safeToShip: false, operations: [], operationCount: 0 } });
    const refused = await reg.call('POST', '/v1/subgraphs/products/publish', { body: { schema: withoutColour, url: urlOf('products') } });
    expect([refused.status, refused.body.error.code]).toEqual([409, 'BREAKING_CHANGES']);
  });

  test('a gateway report is recorded (operations and per-day counts), and a second one adds to the counts', async () => {
    const first = await reg.call('POST', '/v1/usage', { body: report() });
    expect(first).toMatchObject({ status: 200, body: { recorded: { operations: 1, clients: 2, coordinates: 8 } } });
    await reg.call('POST', '/v1/usage', { body: report() });
    const { ops, daily } = await usageRows();
    expect(ops).toEqual([{ hash: HASH, name: 'ProductPage' }]);
    expect(daily).toContainEqual({ coordinate: 'Product.name', client_name: 'ios-app', client_version: '3.1.0', count: 10 });
    expect(daily).toContainEqual({ coordinate: 'Query.product(id:)', client_name: 'web', client_version: '', count: 4 });
  });

  test('removing a field the operation used is breaking and names the operation, its clients, counts and last seen', async () => {
    const checked = await checkProducts(withoutName);
    expect(checked.body).toMatchObject({ composes: true, blocking: 1, usage: { days: 30, operations: 1, clients: 2 } });
    const [change] = checked.body.changes;
    expect(change).toMatchObject({ severity: 'breaking', type: 'FIELD_REMOVED', path: 'Product.name', coordinates: ['Product.name'] });
    expect(change.usage).toEqual({
      safeToShip: false,
      operationCount: 1,
      operations: [
        {
          hash: HASH,
          name: 'ProductPage',
          count: 14,
          lastSeen: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          clients: [
            { name: 'ios-app', version: '3.1.0', count: 10, lastSeen: expect.any(String) },
            { name: 'web', version: '', count: 4, lastSeen: expect.any(String) },
          ],
        },
      ],
    });
    const refused = await reg.call('POST', '/v1/subgraphs/products/publish', { body: { schema: withoutName, url: urlOf('products') } });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ blocking: 1, changes: [{ path: 'Product.name', usage: { operationCount: 1 } }] });
  });

  test('usage older than the window does not count; usageDays widens it; a bad usageDays is 400', async () => {
    await reg.db.query(`UPDATE registry.usage_daily SET last_seen = now() - interval '40 days'`);
    try {
      const narrow = await checkProducts(withoutName);
      expect(narrow.body).toMatchObject({ blocking: 1, usage: { days: 30, operations: 0 }, changes: [{ usage: { safeToShip: false, operationCount: 0 } }] });
      const wide = await checkProducts(withoutName, { usageDays: 60 });
      expect(wide.body).toMatchObject({ blocking: 1, usage: { days: 60, operations: 1 }, changes: [{ usage: { operationCount: 1 } }] });
    } finally {
      await reg.db.query(`UPDATE registry.usage_daily SET last_seen = now()`);
    }
    for (const usageDays of [0, 366, 1.5, '30', null]) {
      const res = await checkProducts(withoutName, { usageDays });
      expect([res.status, res.body.error?.field]).toEqual([400, 'usageDays']);
    }
  });

  test('adding an enum value is dangerous and a new field safe, with usage reported too', async () => {
    const enumAdded = await checkProducts(SHOP.products.replace('enum Colour { RED BLUE }', 'enum Colour { RED BLUE GREEN }'));
    expect(enumAdded.body).toMatchObject({ blocking: 0, summary: { breaking: 0, dangerous: 1, safe: 0 }, changes: [{ severity: 'dangerous', path: 'Colour.GREEN' }] });
    expect(enumAdded.body.changes[0].usage).toBeUndefined();
    const fieldAdded = await checkProducts(SHOP.products.replace('colour: Colour }', 'colour: Colour price: String }'));
    expect(fieldAdded.body).toMatchObject({ blocking: 0, summary: { breaking: 0, dangerous: 0, safe: 1 }, changes: [{ severity: 'safe', path: 'Product.price' }] });
  });

  test('removing a field nobody used is safe to ship with the window as evidence, and publishes without allowBreaking', async () => {
    const checked = await checkProducts(withoutColour);
    expect(checked.body).toMatchObject({ composes: true, summary: { breaking: 1 }, blocking: 0, usage: { days: 30, since: expect.any(String), operations: 1, clients: 2 } });
    expect(checked.body.changes[0]).toMatchObject({ severity: 'breaking', path: 'Product.colour', usage: { safeToShip: true, operations: [], operationCount: 0 } });
    const published = await reg.call('POST', '/v1/subgraphs/products/publish', { body: { schema: withoutColour, url: urlOf('products') } });
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ published: true, summary: { breaking: 1 }, changes: [{ path: 'Product.colour', usage: { safeToShip: true } }] });
  });

  test('removing a type looks up every coordinate of it: removing the Colour enum (now unused by any field) is safe', async () => {
    const checked = await checkProducts(withoutColour.replace('enum Colour { RED BLUE }\n', ''));
    expect(checked.body.changes).toEqual([expect.objectContaining({ type: 'TYPE_REMOVED', path: 'Colour', coordinates: ['Colour.*'], usage: expect.objectContaining({ safeToShip: true }) })]);
  });
});

describe('POST /v1/usage refuses what it must and records nothing', () => {
  let before: Awaited<ReturnType<typeof usageRows>>;
  beforeAll(async () => {
    before = await usageRows();
  });
  afterEach(async () => {
    expect(await usageRows()).toEqual(before);
  });

  const op = (change: Record<string, unknown>) => ({ operations: [{ ...report().operations[0], ...change }] });
  const client = (change: Record<string, unknown>) => op({ clients: [{ ...report().operations[0].clients[0], ...change }] });

  test.each([
    ['no operations', { operations: [] }, 'operations', /non-empty array/],
    ['operations not an array', { operations: 'x' }, 'operations', /non-empty array/],
    ['an unknown top-level field', { ...report(), extra: 1 }, 'extra', /is not a field/],
    ['a hash that is not SHA-256 hex', op({ hash: 'abc' }), 'operations[0].hash', /64 lower-case hex/],
    ['the same operation twice', { operations: [report().operations[0], report().operations[0]] }, 'operations[1].hash', /reported twice/],
    ['a name that is not a GraphQL name', op({ name: 'drop table' }), 'operations[0].name', /GraphQL name/],
    ['a number for the document', op({ document: 5 }), 'operations[0].document', /non-empty string/],
    ['an oversized document', op({ document: 'x'.repeat(16 * 1024 + 1) }), 'operations[0].document', /longer than 16384/],
    ['an unknown operation field', op({ variables: { id: 'p-1' } }), 'operations[0].variables', /is not a field/],
    ['no clients', op({ clients: [] }), 'operations[0].clients', /non-empty array/],
    ['a negative count', client({ count: -1 }), 'operations[0].clients[0].count', /not a count/],
    ['a zero count', client({ count: 0 }), 'operations[0].clients[0].count', /not a count/],
    ['a fractional count', client({ count: 1.5 }), 'operations[0].clients[0].count', /not a count/],
    ['a string count', client({ count: '5' }), 'operations[0].clients[0].count', /not a count/],
    ['a client name that is a number', client({ name: 7 }), 'operations[0].clients[0].name', /must be a string/],
    ['a client name too long', client({ name: 'x'.repeat(101) }), 'operations[0].clients[0].name', /longer than 100/],
    ['a client version with a newline', client({ version: '1\n2' }), 'operations[0].clients[0].version', /control characters/],
    ['a coordinate without a field', client({ coordinates: { Product: 1 } }), 'operations[0].clients[0].coordinates', /is not a schema coordinate/],
    ['a coordinate with SQL in it', client({ coordinates: { "Product.name'; --": 1 } }), 'operations[0].clients[0].coordinates', /is not a schema coordinate/],
    ['a coordinate with a negative count', client({ coordinates: { 'Product.name': -3 } }), 'operations[0].clients[0].coordinates["Product.name"]', /not a count/],
    ['coordinates as a list', client({ coordinates: ['Product.name'] }), 'operations[0].clients[0].coordinates', /must be an object/],
  ])('%s is 400 naming the field', async (_label, body, field, message) => {
    const res = await reg.call('POST', '/v1/usage', { body });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'BAD_USER_INPUT', field, message: expect.stringMatching(message) });
  });

  test('a body over the limit is 413, one that is not JSON 400', async () => {
    const big = op({ clients: [{ name: 'ios-app', version: '1', count: 1, coordinates: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`Product.field${i}`, 1])) }] });
    const res = await reg.call('POST', '/v1/usage', { body: big });
    expect([res.status, res.body.error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect((await reg.call('POST', '/v1/usage', { rawBody: '{"operations": [' })).status).toBe(400);
  });

  test('no token is 401, a customer or partner token 403, a forged header 401', async () => {
    expect((await reg.call('POST', '/v1/usage', { body: report(), as: null })).status).toBe(401);
    expect((await reg.call('POST', '/v1/usage', { body: report(), as: { sub: 'user-1', role: 'customer' } })).status).toBe(403);
    expect((await reg.call('POST', '/v1/usage', { body: report(), as: { sub: 'dev-1', role: 'partner', org: 'pingan-insurance' } })).status).toBe(403);
    expect((await reg.call('POST', '/v1/usage', { body: report(), as: 'Bearer not.a.jwt' })).status).toBe(401);
    expect((await reg.call('GET', '/v1/usage')).status).toBe(405);
  });
});
