/**
 * The registry's HTTP API refuses what it must, before anything changes: bad bodies and fields (each
 * refusal naming the field), bad names, URLs and SDL, unknown routes, and every JWT caller but an admin —
 * no token, a customer, analyst or partner, a token signed with another key.
 */
import { SignJWT } from 'jose';
import type { Identity } from '../platform/identity';
import { TEST_JWT } from '../testing/harness';
import { SHOP, startTestRegistry, urlOf, type TestRegistry } from '../testing/registry';

const MAX_BODY = 16 * 1024;
let reg: TestRegistry;
beforeAll(async () => {
  reg = await startTestRegistry({ maxBodyBytes: MAX_BODY });
  expect((await reg.call('POST', '/v1/subgraphs/products/publish', { body: { schema: SHOP.products, url: urlOf('products') } })).status).toBe(200);
});
afterAll(() => reg.close());

/** Every registry table, to prove a refused call changed nothing. */
const state = () => reg.tables();

/** A publish of `products` as `as` (an identity, a raw Authorization header), by default the admin. */
const publishProducts = (body: unknown, as?: Identity | string) => reg.call('POST', '/v1/subgraphs/products/publish', { body, ...(as !== undefined ? { as } : {}) });

test('GET /health answers without a token', async () => {
  const res = await reg.call('GET', '/health', { as: null });
  expect(res).toMatchObject({ status: 200, body: { status: 'ok' } });
});

describe('bad input is refused with a clear error and changes nothing', () => {
  let before: Awaited<ReturnType<typeof state>>;
  beforeAll(async () => {
    before = await state();
  });
  afterEach(async () => {
    expect(await state()).toEqual(before);
  });

  test('a body that is not JSON is 400, one that is not an object is 400', async () => {
    const res = await reg.call('POST', '/v1/subgraphs/products/publish', { rawBody: '{"schema": ' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/not valid JSON/) });
    const list = await reg.call('POST', '/v1/subgraphs/products/check', { rawBody: '[1]' });
    expect(list.status).toBe(400);
    expect(list.body.error.message).toMatch(/must be a JSON object/);
  });

  test('a body over the limit is 413', async () => {
    const res = await publishProducts({ schema: `${SHOP.products}\n#${'x'.repeat(MAX_BODY)}`, url: urlOf('products') });
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining(String(MAX_BODY)) });
  });

  test.each([
    ['schema a number', { schema: 5, url: urlOf('products') }, 'schema', /must be a string/],
    ['url a number', { schema: SHOP.products, url: 5 }, 'url', /must be a string/],
    ['no url', { schema: SHOP.products }, 'url', /is required to publish/],
    ['allowBreaking a string', { schema: SHOP.products, url: urlOf('products'), allowBreaking: 'yes' }, 'allowBreaking', /true or false/],
    ['a misspelt field', { schema: SHOP.products, url: urlOf('products'), allow_breaking: true }, 'allow_breaking', /is not a field/],
    ['an ftp URL', { schema: SHOP.products, url: 'ftp://products.example/graphql' }, 'url', /http or https/],
    ['a URL that is not one', { schema: SHOP.products, url: 'not a url' }, 'url', /is not a URL/],
    ['a URL with credentials', { schema: SHOP.products, url: 'http://user:pw@products.example/graphql' }, 'url', /must not carry a user name or password/],
    ['a cloud metadata address', { schema: SHOP.products, url: 'http://169.254.169.254/graphql' }, 'url', /link-local/],
    ['an IPv6 link-local address', { schema: SHOP.products, url: 'http://[fe80::1]:4001/graphql' }, 'url', /link-local/],
    ['SDL that does not parse', { schema: 'type Query { broken(: Int }', url: urlOf('products') }, 'schema', /does not parse: Syntax Error: .*\(line 1, column 21\)/],
    ['blank SDL', { schema: '   ', url: urlOf('products') }, 'schema', /is empty/],
  ])('publish with %s is 400 naming the field', async (_label, body, field, message) => {
    const res = await publishProducts(body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'BAD_USER_INPUT', field, message: expect.stringMatching(message) });
    expect(res.body.error.message.startsWith(`${field}: `)).toBe(true);
  });

  test('check refuses the same way (unparseable SDL names the field and the place)', async () => {
    const res = await reg.call('POST', '/v1/subgraphs/products/check', { body: { schema: 'type Query {' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ field: 'schema', message: expect.stringMatching(/Syntax Error/) });
  });

  test('the batch publish names the entry and field', async () => {
    for (const [body, field] of [
      [{ subgraphs: [] }, 'subgraphs'],
      [{ subgraphs: 'products' }, 'subgraphs'],
      [{ subgraphs: [{ name: 'products', schema: SHOP.products, url: urlOf('products') }, { name: 'Bad', schema: SHOP.reviews, url: urlOf('r') }] }, 'subgraphs[1].name'],
      [{ subgraphs: [{ name: 'reviews', schema: SHOP.reviews, url: urlOf('r') }, { name: 'reviews', schema: SHOP.reviews, url: urlOf('r') }] }, 'subgraphs[1].name'],
      [{ subgraphs: [{ name: 'reviews', schema: SHOP.reviews, url: 'mailto:x@y' }] }, 'subgraphs[0].url'],
      [{ subgraphs: [{ name: 'reviews', schema: SHOP.reviews, url: urlOf('r'), extra: 1 }] }, 'subgraphs[0].extra'],
    ] as const) {
      const res = await reg.call('POST', '/v1/publish', { body });
      expect({ field, status: res.status, got: res.body.error?.field }).toEqual({ field, status: 400, got: field });
    }
  });

  test.each(['Products', 'bad-name', '1st', 'x'.repeat(41), '%E2%9C%93'])('the subgraph name %s is 400 naming name', async (name) => {
    const res = await reg.call('POST', `/v1/subgraphs/${name}/publish`, { body: { schema: SHOP.products, url: urlOf('x') } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name', message: expect.stringMatching(/is not a subgraph name/) });
  });

  test('unknown routes are 404, a known route with another method 405, an odd version 400', async () => {
    expect((await reg.call('GET', '/v1/nothing')).status).toBe(404);
    expect((await reg.call('GET', '/v1/subgraphs/products/versions/9')).body.error.code).toBe('NOT_FOUND');
    expect((await reg.call('GET', '/v1/subgraphs/unknown/versions')).status).toBe(404);
    const wrong = await reg.call('DELETE', '/v1/subgraphs/products/publish');
    expect([wrong.status, wrong.headers.get('allow')]).toEqual([405, 'POST']);
    const odd = await reg.call('GET', '/v1/subgraphs/products/versions/0');
    expect([odd.status, odd.body.error.field]).toEqual([400, 'version']);
  });
});

describe('of JWT callers only an admin may use the registry (partners and gateways use registry keys, access.test.ts); every other caller is refused with a reason and changes nothing', () => {
  const change = { schema: SHOP.products.replace('colour: Colour }', 'colour: Colour extra: String }'), url: urlOf('products') };
  let before: Awaited<ReturnType<typeof state>>;
  beforeAll(async () => {
    before = await state();
  });
  afterEach(async () => {
    expect(await state()).toEqual(before);
  });

  test('no token is 401 with a Bearer challenge', async () => {
    for (const [method, path] of [['POST', '/v1/subgraphs/products/publish'], ['POST', '/v1/subgraphs/products/check'], ['GET', '/v1/subgraphs'], ['GET', '/v1/supergraph']]) {
      const res = await reg.call(method, path, { as: null, ...(method === 'POST' ? { body: change } : {}) });
      expect([path, res.status, res.body.error.code, res.headers.get('www-authenticate')]).toEqual([path, 401, 'UNAUTHENTICATED', 'Bearer realm="autograph"']);
      expect(res.body.error.message).toMatch(/admin token/);
    }
  });

  test.each([
    ['customer', { sub: 'user-1', role: 'customer' as const }],
    ['analyst', { sub: 'analyst-1', role: 'analyst' as const }],
    ['partner', { sub: 'dev-1', role: 'partner' as const, org: 'pingan-insurance' }],
  ])('the role %s is 403', async (role, identity) => {
    const res = await publishProducts(change, identity);
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining(`the role ${role} may not`) });
  });

  test("a token signed with another key, or the gateway's other refusals, are 401 with the gateway's reasons", async () => {
    const forged = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('admin-1')
      .setIssuer(TEST_JWT.issuer)
      .setAudience(TEST_JWT.audience)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('another-secret-that-is-long-enough'));
    const res = await publishProducts(change, `Bearer ${forged}`);
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/signature does not verify/);
    expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    const basic = await publishProducts(change, 'Basic YWRtaW46YWRtaW4=');
    expect([basic.status, basic.body.error.message]).toEqual([401, expect.stringMatching(/scheme "Basic" is not accepted/)]);
  });
});
