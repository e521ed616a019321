/**
 * Trusted documents in the registry, through HTTP on real PostgreSQL: a client's manifest is published
 * by an admin or by a key of the organisation granted that client — never with no credential, a forged
 * key, another organisation's key or a gateway key — additively (a new app version keeps the old
 * operations), listed, and read by gateways with a revision ETag. A manifest with any wrong operation
 * is refused naming it, and no refused call changes anything.
 */
import { sha256Hex } from '../gateway/trusted-manifest';
import { startTestRegistry, type TestRegistry } from '../testing/registry';

let reg: TestRegistry;
let webKey: string;
let otherKey: string;
let gatewayKey: string;
beforeAll(async () => {
  reg = await startTestRegistry({ maxBodyBytes: 64 * 1024 });
  const key = async (body: object) => (await reg.call('POST', '/v1/keys', { body })).body.secret as string;
  webKey = await key({ kind: 'partner', org: 'web-team' });
  otherKey = await key({ kind: 'partner', org: 'ios-team' });
  gatewayKey = await key({ kind: 'gateway' });
  expect((await reg.call('POST', '/v1/documents/web/grant', { body: { org: 'web-team' } })).status).toBe(201);
});
afterAll(() => reg.close());

const ME = 'query Me { me { id } }';
const MODELS = 'query Models { models { id } }';
const op = (body: string) => ({ id: sha256Hex(body), name: /query (\w+)/.exec(body)![1], type: 'query', body });
const manifest = (...bodies: string[]) => ({ format: 'apollo-persisted-query-manifest', version: 1, operations: bodies.map(op) });
const bearer = (key: string) => `Bearer ${key}`;

test('a key granted the client publishes its manifest; a later version adds to it and keeps the old operations; the list shows both', async () => {
  const first = await reg.call('POST', '/v1/documents/web/publish', { as: bearer(webKey), body: { manifest: manifest(ME), safelist: true } });
  expect(first).toMatchObject({ status: 200, body: { client: 'web', added: [sha256Hex(ME)], unchanged: [], safelist: true, total: 1 } });
  // The next release no longer ships Me, but old installs still send it: it stays.
  const second = await reg.call('POST', '/v1/documents/web/publish', { as: bearer(webKey), body: { manifest: manifest(MODELS) } });
  expect(second).toMatchObject({ status: 200, body: { added: [sha256Hex(MODELS)], safelist: true, total: 2 } });
  const again = await reg.call('POST', '/v1/documents/web/publish', { as: bearer(webKey), body: { manifest: manifest(ME, MODELS) } });
  expect(again.body).toMatchObject({ added: [], unchanged: [sha256Hex(ME), sha256Hex(MODELS)], revision: second.body.revision });

  const listed = await reg.call('GET', '/v1/documents/web', { as: bearer(webKey) });
  expect(listed.status).toBe(200);
  expect(listed.body.client).toMatchObject({ name: 'web', safelist: true, org: 'web-team', documents: 2 });
  expect(listed.body.documents.map((d: any) => [d.name, d.publishedBy])).toEqual(expect.arrayContaining([['Me', expect.stringMatching(/^partner:web-team\/key:/)], ['Models', expect.any(String)]]));
  expect(listed.body.documents[0].body).toBeUndefined();
  const bodies = await reg.call('GET', '/v1/documents/web?body=true', { as: bearer(webKey) });
  expect(bodies.body.documents.map((d: any) => d.body).sort()).toEqual([ME, MODELS].sort());
});

test('gateways read every client with a revision ETag, and get 304 while nothing changed', async () => {
  const read = await reg.call('GET', '/v1/documents', { as: bearer(gatewayKey) });
  expect(read.status).toBe(200);
  expect(read.body.clients).toEqual([{ name: 'web', safelist: true, documents: expect.arrayContaining([{ id: sha256Hex(ME), body: ME }]) }]);
  const etag = read.headers.get('etag')!;
  expect(etag).toBe(`"${read.body.revision}"`);
  const res = await fetch(`${reg.url}/v1/documents`, { headers: { authorization: bearer(gatewayKey), 'if-none-match': etag } });
  expect(res.status).toBe(304);
});

test('publishing with no credential, a forged key, another organisation\'s key or a gateway key is refused and changes nothing', async () => {
  const before = await reg.tables();
  const body = { manifest: manifest('query Evil { me { id } }') };
  const none = await reg.call('POST', '/v1/documents/web/publish', { as: null, body });
  expect([none.status, none.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
  const forged = `agk_${webKey.split('_')[1]}_${'A'.repeat(43)}`;
  const wrongSecret = await reg.call('POST', '/v1/documents/web/publish', { as: bearer(forged), body });
  expect([wrongSecret.status, wrongSecret.body.error.message]).toEqual([401, expect.stringContaining('its secret is wrong')]);
  const other = await reg.call('POST', '/v1/documents/web/publish', { as: bearer(otherKey), body });
  expect([other.status, other.body.error.code, other.body.error.message]).toEqual([403, 'FORBIDDEN', expect.stringContaining('may not use the trusted documents of client web: it is granted to web-team, not to ios-team')]);
  const ungranted = await reg.call('POST', '/v1/documents/ios/publish', { as: bearer(otherKey), body });
  expect([ungranted.status, ungranted.body.error.message]).toEqual([403, expect.stringContaining('it is granted to no organisation')]);
  const gateway = await reg.call('POST', '/v1/documents/web/publish', { as: bearer(gatewayKey), body });
  expect([gateway.status, gateway.body.error.message]).toEqual([403, expect.stringContaining('may not publish trusted documents')]);
  const customer = await reg.call('POST', '/v1/documents/web/publish', { as: { sub: 'u1', role: 'customer' }, body });
  expect(customer.status).toBe(403);
  // Reading another organisation's client, and granting, are refused too.
  expect((await reg.call('GET', '/v1/documents/web', { as: bearer(otherKey) })).status).toBe(403);
  expect((await reg.call('POST', '/v1/documents/web/grant', { as: bearer(webKey), body: { org: 'web-team' } })).status).toBe(403);
  expect(await reg.tables()).toEqual(before);
});

test('a manifest with a wrong id, an unparsable body or two operations is refused whole, naming each, and stores nothing', async () => {
  const before = await reg.tables();
  const two = 'query A { me { id } } query B { me { id } }';
  const bad = {
    format: 'apollo-persisted-query-manifest',
    version: 1,
    operations: [op('query Fine { me { id } }'), { ...op(ME), id: sha256Hex('other') }, { id: sha256Hex('query Broken {'), name: 'Broken', type: 'query', body: 'query Broken {' }, { ...op(two), name: 'A' }],
  };
  const res = await reg.call('POST', '/v1/documents/web/publish', { as: bearer(webKey), body: { manifest: bad } });
  expect([res.status, res.body.error.code, res.body.error.field]).toEqual([400, 'BAD_USER_INPUT', 'manifest']);
  expect(res.body.error.message).toContain('3 problems');
  expect(res.body.error.message).toContain(`operations[1] (Me): id ${sha256Hex('other')} is not the SHA-256 of its body`);
  expect(res.body.error.message).toContain('operations[2] (Broken): body does not parse');
  expect(res.body.error.message).toContain('operations[3] (A): body holds 2 operations (A, B)');
  expect(await reg.tables()).toEqual(before);
});

test('wrong types, unknown fields, a bad client name and an oversized body are refused naming the field', async () => {
  const before = await reg.tables();
  const post = (path: string, body: unknown) => reg.call('POST', path, { body });
  expect((await post('/v1/documents/web/publish', { manifest: manifest(ME), safelist: 'yes' })).body.error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'safelist' });
  expect((await post('/v1/documents/web/publish', { manifest: manifest(ME), extra: 1 })).body.error).toMatchObject({ field: 'extra' });
  expect((await post('/v1/documents/web/publish', {})).body.error).toMatchObject({ field: 'manifest' });
  expect((await post('/v1/documents/web/publish', { manifest: 'not an object' })).body.error.message).toContain('manifest: must be a JSON object');
  expect((await post('/v1/documents/bad%20name/publish', { manifest: manifest(ME) })).body.error).toMatchObject({ field: 'client' });
  const huge = await reg.call('POST', '/v1/documents/web/publish', { rawBody: JSON.stringify({ manifest: manifest(`query Big { me { id } } # ${'x'.repeat(70_000)}`) }) });
  expect([huge.status, huge.body.error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  expect(await reg.tables()).toEqual(before);
});
