/**
 * Who may do what in the registry, through its HTTP API on real PostgreSQL: a partner key checks, publishes,
 * rolls back and reads only the names granted to its organisation (and is recorded as their publisher); a
 * gateway key reads the supergraph; every other call — a name granted to another organisation, a missing,
 * malformed, unknown, forged or revoked key, a customer or partner JWT, a partner on admin routes, a
 * gateway key on a publish — is refused with its reason, and nothing in the registry changes, not even
 * a key's last use.
 */
import { createHash } from 'node:crypto';
import type { Identity } from '../platform/identity';
import { productExtension, SHOP, startTestRegistry, urlOf, type TestRegistry } from '../testing/registry';

let reg: TestRegistry;
/** Secrets, by what they are. */
const keys: Record<'insurer' | 'charging' | 'gateway' | 'admin' | 'revoked', { id: string; secret: string }> = {} as never;

async function issue(kind: string, org?: string) {
  const res = await reg.call('POST', '/v1/keys', { body: { kind, ...(org ? { org } : {}) } });
  expect(res.status).toBe(201);
  return { id: res.body.key.id as string, secret: res.body.secret as string };
}

const bearer = (secret: string) => `Bearer ${secret}`;

beforeAll(async () => {
  reg = await startTestRegistry();
  expect((await reg.call('POST', '/v1/subgraphs/products/publish', { body: { schema: SHOP.products, url: urlOf('products') } })).status).toBe(200);
  keys.insurer = await issue('partner', 'insurer-co');
  keys.charging = await issue('partner', 'charging-co');
  keys.gateway = await issue('gateway');
  keys.admin = await issue('admin');
  keys.revoked = await issue('partner', 'insurer-co');
  expect((await reg.call('POST', `/v1/keys/${keys.revoked.id}/revoke`, { body: {} })).status).toBe(200);
  for (const [org, name] of [['insurer-co', 'insurer'], ['charging-co', 'charging']]) {
    expect((await reg.call('POST', '/v1/grants', { body: { org, name } })).status).toBe(201);
  }
  // charging-co's name is in the graph, so refusals touching it have something to leave alone.
  const charging = await reg.call('POST', '/v1/subgraphs/charging/publish', { body: { schema: productExtension('chargingSessions'), url: urlOf('charging') }, as: bearer(keys.charging.secret) });
  expect(charging.status).toBe(200);
});
afterAll(() => reg.close());

/** Every registry table, to prove a refused call changed nothing. */
const registryTables = () => reg.tables();

const insurerV1 = { schema: productExtension('insuranceQuote'), url: urlOf('insurer') };

describe('refused calls say why and change nothing', () => {
  let before: Awaited<ReturnType<typeof registryTables>>;
  // Taken before each test, so a refusal that does change something fails its own test and no other.
  beforeEach(async () => {
    before = await registryTables();
  });
  afterEach(async () => {
    expect(await registryTables()).toEqual(before);
  });

  test('a partner publishing, checking, removing or rolling back a name granted to another organisation is 403 naming its key, its organisation and the name', async () => {
    const as = bearer(keys.insurer.secret);
    for (const [path, body] of [
      ['/v1/subgraphs/charging/publish', { schema: productExtension('stolen'), url: urlOf('charging') }],
      ['/v1/subgraphs/charging/check', { schema: productExtension('stolen') }],
      ['/v1/subgraphs/charging/remove', { allowBreaking: true }],
      ['/v1/subgraphs/charging/rollback', {}],
    ] as const) {
      const res = await reg.call('POST', path, { body, as });
      expect([path, res.status, res.body.error.code]).toEqual([path, 403, 'FORBIDDEN']);
      expect(res.body.error.message).toBe(
        `the partner key ${keys.insurer.id} of insurer-co may not use subgraph charging: it is not granted to the organisation insurer-co (an admin grants a name: npm run schema -- grant --org insurer-co --name charging); nothing was changed`,
      );
    }
    for (const path of ['/v1/subgraphs/charging/versions', '/v1/subgraphs/charging/versions/1', '/v1/subgraphs/products/versions/latest']) {
      const res = await reg.call('GET', path, { as });
      expect([path, res.status]).toEqual([path, 403]);
    }
  });

  test('a batch publish is refused when any one name is not granted, naming those names', async () => {
    const res = await reg.call('POST', '/v1/publish', {
      as: bearer(keys.insurer.secret),
      body: { subgraphs: [{ name: 'insurer', ...insurerV1 }, { name: 'products', schema: SHOP.products, url: urlOf('products2') }, { name: 'newname', ...insurerV1 }] },
    });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/^the partner key [0-9a-f]{16} of insurer-co may not use subgraphs products, newname: they are not granted to the organisation insurer-co/);
  });

  test('a partner key on admin routes, and on the gateway routes, is 403 saying what a partner key may do', async () => {
    const as = bearer(keys.insurer.secret);
    for (const [method, path, body] of [
      ['POST', '/v1/keys', { kind: 'admin' }],
      ['GET', '/v1/keys', undefined],
      ['POST', `/v1/keys/${keys.charging.id}/revoke`, {}],
      ['POST', '/v1/grants', { org: 'insurer-co', name: 'charging' }],
      ['GET', '/v1/grants', undefined],
      ['POST', '/v1/grants/revoke', { org: 'charging-co', name: 'charging' }],
    ] as const) {
      const res = await reg.call(method, path, { as, body });
      expect([path, res.status, res.body.error.message]).toEqual([path, 403, `${method} ${path} is for admins only; the partner key ${keys.insurer.id} of insurer-co may check, publish, remove, roll back and read only its organisation's granted subgraph names, and publish and read the trusted documents of its granted clients`]);
    }
    const supergraph = await reg.call('GET', '/v1/supergraph', { as });
    expect([supergraph.status, supergraph.body.error.message]).toEqual([403, expect.stringMatching(/^GET \/v1\/supergraph is for admins and gateway keys; the partner key/)]);
  });

  test('a gateway key may not publish, check, remove, roll back, read a history or reach admin routes', async () => {
    const as = bearer(keys.gateway.secret);
    for (const [method, path, body] of [
      ['POST', '/v1/subgraphs/products/publish', { schema: productExtension('x'), url: urlOf('x') }],
      ['POST', '/v1/publish', { subgraphs: [{ name: 'products', schema: SHOP.products, url: urlOf('x') }] }],
      ['POST', '/v1/subgraphs/products/check', { schema: SHOP.products }],
      ['POST', '/v1/subgraphs/products/remove', {}],
      ['POST', '/v1/subgraphs/products/rollback', {}],
      ['GET', '/v1/subgraphs/products/versions', undefined],
      ['POST', '/v1/grants', { org: 'x-co', name: 'products' }],
    ] as const) {
      const res = await reg.call(method, path, { as, body });
      expect([path, res.status, res.body.error.code]).toEqual([path, 403, 'FORBIDDEN']);
      expect(res.body.error.message).toMatch(new RegExp(`^${method} ${path.replace(/\//g, '\\/')} is for admins.*; the gateway key ${keys.gateway.id} may read the supergraph and the subgraph list, and report usage$`));
    }
  });

  test('no credential is 401 with a Bearer challenge and says what to send', async () => {
    for (const as of [null, '', '   ']) {
      const res = await reg.call('POST', '/v1/subgraphs/insurer/publish', { as, body: insurerV1 });
      expect([res.status, res.body.error.code, res.headers.get('www-authenticate')]).toEqual([401, 'UNAUTHENTICATED', 'Bearer realm="autograph"']);
      expect(res.body.error.message).toMatch(/^sign in: send "Authorization: Bearer <credential>": a registry key \(agk_…\) or an admin token$/);
    }
  });

  test('a revoked key is 401 saying when it was revoked', async () => {
    const res = await reg.call('POST', '/v1/subgraphs/insurer/publish', { as: bearer(keys.revoked.secret), body: insurerV1 });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(new RegExp(`^the registry key ${keys.revoked.id} was revoked at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z: ask an admin for a new one$`));
    expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });

  test('a forged key (the right id, another secret) and an unknown id are 401', async () => {
    const forgedSecret = `agk_${keys.insurer.id}_${'A'.repeat(43)}`;
    const forged = await reg.call('POST', '/v1/subgraphs/insurer/publish', { as: bearer(forgedSecret), body: insurerV1 });
    expect([forged.status, forged.body.error.message]).toEqual([401, `the registry key ${keys.insurer.id} does not verify: its secret is wrong`]);
    const unknown = await reg.call('GET', '/v1/subgraphs', { as: bearer(`agk_0123456789abcdef_${keys.insurer.secret.slice(-43)}`) });
    expect([unknown.status, unknown.body.error.message]).toEqual([401, expect.stringMatching(/^no registry key has the id 0123456789abcdef/)]);
  });

  test('a malformed key is 401 and never echoed back, however it is sent', async () => {
    const real = keys.insurer.secret;
    for (const header of [bearer(real.slice(0, -1)), bearer(`${real}x`), bearer(real.replace(/_([^_]*)$/, '.$1')), bearer('agk_'), `Token ${real}`, real, `Bearer ${real} ${real}`]) {
      const res = await reg.call('GET', '/v1/subgraphs', { as: header });
      expect([header, res.status, res.body.error.code]).toEqual([header, 401, 'UNAUTHENTICATED']);
      expect(res.body.error.message).toMatch(/registry key/);
      const echoed = JSON.stringify(res.body) + (res.headers.get('www-authenticate') ?? '');
      expect(echoed).not.toContain(real.slice(21, 40));
    }
  });

  test.each<[string, Identity, RegExp]>([
    ['a customer JWT', { sub: 'user-1', role: 'customer' }, /the role customer may not use it$/],
    ['a partner JWT', { sub: 'dev-1', role: 'partner', org: 'insurer-co' }, /partners use a registry key .*; the role partner may not use it$/],
  ])('%s is 403, even for a name its organisation holds', async (_label, identity, message) => {
    const res = await reg.call('POST', '/v1/subgraphs/insurer/publish', { as: identity, body: insurerV1 });
    expect([res.status, res.body.error.code]).toEqual([403, 'FORBIDDEN']);
    expect(res.body.error.message).toMatch(message);
  });
});

describe('what each credential may do', () => {
  test('a granted partner checks and publishes its name, rolls it back, reads its history; the version records its key as publisher', async () => {
    const as = bearer(keys.insurer.secret);
    const checked = await reg.call('POST', '/v1/subgraphs/insurer/check', { as, body: { schema: insurerV1.schema } });
    expect(checked).toMatchObject({ status: 200, body: { composes: true, summary: { breaking: 0, safe: 1 } } });
    const published = await reg.call('POST', '/v1/subgraphs/insurer/publish', { as, body: insurerV1 });
    expect(published).toMatchObject({ status: 200, body: { published: true, versions: [{ name: 'insurer', version: 1 }] } });
    const v2 = await reg.call('POST', '/v1/subgraphs/insurer/publish', { as, body: { ...insurerV1, url: urlOf('insurer-v2') } });
    expect(v2.status).toBe(200);
    const rolled = await reg.call('POST', '/v1/subgraphs/insurer/rollback', { as, body: {} });
    expect(rolled).toMatchObject({ status: 200, body: { restored: 1, versions: [{ name: 'insurer', version: 3 }] } });

    const history = await reg.call('GET', '/v1/subgraphs/insurer/versions', { as });
    expect(history.body.versions.map((v: any) => v.publisher)).toEqual(Array(3).fill(`partner:insurer-co/key:${keys.insurer.id}`));
    expect((await reg.call('GET', '/v1/subgraphs/insurer/versions/latest', { as })).body).toMatchObject({ version: 3, sdl: insurerV1.schema, routingUrl: urlOf('insurer') });
    const [row] = await reg.db.query<{ last_used_at: Date | null }>(`SELECT last_used_at FROM registry.credentials WHERE id = $1`, [keys.insurer.id]);
    expect(row.last_used_at).not.toBeNull();
  });

  test("a partner's subgraph list holds only its organisation's names; an admin's and a gateway's hold every name", async () => {
    const names = async (as: string | undefined) => (await reg.call('GET', '/v1/subgraphs', as === undefined ? {} : { as })).body.subgraphs.map((s: any) => s.name);
    expect(await names(bearer(keys.insurer.secret))).toEqual(['insurer']);
    expect(await names(bearer(keys.charging.secret))).toEqual(['charging']);
    expect(await names(bearer(keys.gateway.secret))).toEqual(['charging', 'insurer', 'products']);
    expect(await names(undefined)).toEqual(['charging', 'insurer', 'products']);
  });

  test('GET /v1/me tells each credential what it is, and a partner which names its organisation holds', async () => {
    expect((await reg.call('GET', '/v1/me', { as: bearer(keys.charging.secret) })).body).toEqual({ kind: 'partner', principal: `partner:charging-co/key:${keys.charging.id}`, org: 'charging-co', keyId: keys.charging.id, grants: ['charging'] });
    expect((await reg.call('GET', '/v1/me', { as: bearer(keys.gateway.secret) })).body).toEqual({ kind: 'gateway', principal: `gateway/key:${keys.gateway.id}`, keyId: keys.gateway.id });
    expect((await reg.call('GET', '/v1/me')).body).toEqual({ kind: 'admin', principal: 'admin-1' });
    expect((await reg.call('GET', '/v1/me', { as: bearer(keys.revoked.secret) })).status).toBe(401);
  });

  test('a gateway key reads GET /v1/supergraph, and its use is recorded', async () => {
    const res = await reg.call('GET', '/v1/supergraph', { as: bearer(keys.gateway.secret) });
    expect(res.status).toBe(200);
    expect(res.body.sdl).toMatch(/insuranceQuote/);
    const [row] = await reg.db.query<{ last_used_at: Date | null }>(`SELECT last_used_at FROM registry.credentials WHERE id = $1`, [keys.gateway.id]);
    expect(row.last_used_at).not.toBeNull();
  });

  test('an admin key does what an admin token does, recorded as admin/key:<id>', async () => {
    const as = bearer(keys.admin.secret);
    const grant = await reg.call('POST', '/v1/grants', { as, body: { org: 'insurer-co', name: 'insurer_claims' } });
    expect(grant).toMatchObject({ status: 201, body: { grant: { name: 'insurer_claims', org: 'insurer-co', grantedBy: `admin/key:${keys.admin.id}` } } });
    const published = await reg.call('POST', '/v1/subgraphs/insurer_claims/publish', { as, body: { schema: productExtension('claims'), url: urlOf('claims') } });
    expect(published.status).toBe(200);
    expect((await reg.call('GET', '/v1/subgraphs/insurer_claims/versions', { as })).body.versions[0].publisher).toBe(`admin/key:${keys.admin.id}`);
  });

  test('a batch publish of only granted names is allowed to a partner', async () => {
    const res = await reg.call('POST', '/v1/publish', {
      as: bearer(keys.insurer.secret),
      body: { subgraphs: [{ name: 'insurer', schema: productExtension('insuranceQuote: String premium'), url: urlOf('insurer') }, { name: 'insurer_claims', schema: productExtension('claims: String claimCount'), url: urlOf('claims') }] },
    });
    expect(res).toMatchObject({ status: 200, body: { published: true, versions: [{ name: 'insurer', version: 4 }, { name: 'insurer_claims', version: 2 }] } });
  });

  test('revoking a key or a grant takes effect on the next call', async () => {
    const key = await issue('partner', 'insurer-co');
    const as = bearer(key.secret);
    expect((await reg.call('POST', '/v1/subgraphs/insurer/check', { as, body: { schema: insurerV1.schema } })).status).toBe(200);
    expect((await reg.call('POST', `/v1/keys/${key.id}/revoke`, { body: {} })).status).toBe(200);
    expect((await reg.call('POST', '/v1/subgraphs/insurer/check', { as, body: { schema: insurerV1.schema } })).status).toBe(401);

    expect((await reg.call('POST', '/v1/grants/revoke', { body: { org: 'insurer-co', name: 'insurer_claims' } })).status).toBe(200);
    const after = await reg.call('POST', '/v1/subgraphs/insurer_claims/check', { as: bearer(keys.insurer.secret), body: { schema: productExtension('claims') } });
    expect([after.status, after.body.error.message]).toEqual([403, expect.stringMatching(/may not use subgraph insurer_claims: it is not granted to the organisation insurer-co/)]);
  });

  test('the registry stores only the SHA-256 of a secret, and never answers with it', async () => {
    const rows = await reg.db.query<{ id: string; secret_sha256: Uint8Array }>(`SELECT id, secret_sha256 FROM registry.credentials WHERE id = $1`, [keys.insurer.id]);
    const secretPart = keys.insurer.secret.slice(`agk_${keys.insurer.id}_`.length);
    expect(Buffer.from(rows[0].secret_sha256).toString('hex')).toBe(createHash('sha256').update(secretPart).digest('hex'));
    const dump = JSON.stringify(await reg.db.query(`SELECT * FROM registry.credentials`));
    const listed = JSON.stringify((await reg.call('GET', '/v1/keys')).body);
    for (const text of [dump, listed]) expect(text).not.toContain(secretPart);
    expect(listed).not.toMatch(/sha256|secret/i);
  });
});
