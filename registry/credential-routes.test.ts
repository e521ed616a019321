/**
 * The admin routes for keys and grants, through HTTP on real PostgreSQL: a key is created with its secret
 * shown once, listed without it and revoked once; a name is granted to one organisation at a time; and every
 * bad body, field, id or organisation is refused naming the field, with nothing changed.
 */
import { startTestRegistry, type TestRegistry } from '../testing/registry';

const MAX_BODY = 4096;
let reg: TestRegistry;
beforeAll(async () => {
  reg = await startTestRegistry({ maxBodyBytes: MAX_BODY });
});
afterAll(() => reg.close());

const tables = async () => ({
  credentials: await reg.db.query(`SELECT * FROM registry.credentials ORDER BY id`),
  grants: await reg.db.query(`SELECT * FROM registry.grants ORDER BY id`),
});

test('a key is created with its secret once, listed without it, and revoked once', async () => {
  const created = await reg.call('POST', '/v1/keys', { body: { kind: 'partner', org: 'insurer-co', label: 'insurer CI' } });
  expect(created.status).toBe(201);
  const { key, secret } = created.body;
  expect(key).toMatchObject({ kind: 'partner', org: 'insurer-co', label: 'insurer CI', createdBy: 'admin-1', lastUsedAt: null, revokedAt: null });
  expect(secret).toMatch(new RegExp(`^agk_${key.id}_[A-Za-z0-9_-]{43}$`));

  const gateway = await reg.call('POST', '/v1/keys', { body: { kind: 'gateway' } });
  expect(gateway.body.key).toMatchObject({ kind: 'gateway', org: null, label: '' });
  expect(gateway.body.secret).not.toBe(secret);

  const listed = await reg.call('GET', '/v1/keys');
  expect(listed.body.keys.map((k: any) => [k.id, k.kind])).toEqual([[key.id, 'partner'], [gateway.body.key.id, 'gateway']]);
  expect(JSON.stringify(listed.body)).not.toContain(secret.slice(-43));

  const revoked = await reg.call('POST', `/v1/keys/${key.id}/revoke`, { body: {} });
  expect(revoked).toMatchObject({ status: 200, body: { revoked: true, key: { id: key.id, revokedBy: 'admin-1', revokedAt: expect.any(String) } } });
  const before = await tables();
  const again = await reg.call('POST', `/v1/keys/${key.id}/revoke`, { body: {} });
  expect([again.status, again.body.error.code, again.body.error.message]).toEqual([409, 'CONFLICT', expect.stringMatching(new RegExp(`^the key ${key.id} was already revoked at .* by admin-1; nothing was changed$`))]);
  expect(await tables()).toEqual(before);
});

test('a name is granted to one organisation at a time: again is unchanged, another is 409 naming the holder, revoke then grant moves it', async () => {
  expect(await reg.call('POST', '/v1/grants', { body: { org: 'insurer-co', name: 'insurer' } })).toMatchObject({ status: 201, body: { granted: true, grant: { org: 'insurer-co', name: 'insurer', grantedBy: 'admin-1' } } });
  const before = await tables();
  expect(await reg.call('POST', '/v1/grants', { body: { org: 'insurer-co', name: 'insurer' } })).toMatchObject({ status: 200, body: { granted: false, unchanged: true } });
  const other = await reg.call('POST', '/v1/grants', { body: { org: 'charging-co', name: 'insurer' } });
  expect([other.status, other.body.error.message]).toEqual([409, 'the subgraph name insurer is granted to insurer-co; revoke that grant first (ungrant --org insurer-co --name insurer) to give it to charging-co']);
  const wrongOrg = await reg.call('POST', '/v1/grants/revoke', { body: { org: 'charging-co', name: 'insurer' } });
  expect([wrongOrg.status, wrongOrg.body.error.message]).toEqual([404, 'the organisation charging-co holds no grant of insurer; nothing was changed']);
  expect(await tables()).toEqual(before);

  expect((await reg.call('POST', '/v1/grants/revoke', { body: { org: 'insurer-co', name: 'insurer' } })).status).toBe(200);
  expect((await reg.call('POST', '/v1/grants', { body: { org: 'charging-co', name: 'insurer' } })).status).toBe(201);
  expect((await reg.call('GET', '/v1/grants')).body.grants.map((g: any) => [g.org, g.name])).toEqual([['charging-co', 'insurer']]);
  // The revoked grant stays as history.
  expect(await reg.db.query(`SELECT org, revoked_by FROM registry.grants ORDER BY id`)).toEqual([
    { org: 'insurer-co', revoked_by: 'admin-1' },
    { org: 'charging-co', revoked_by: null },
  ]);
});

describe('bad input is 400 naming the field (413 past the size limit, 404 for an unknown key), and nothing changes', () => {
  let before: Awaited<ReturnType<typeof tables>>;
  beforeAll(async () => {
    before = await tables();
  });
  afterEach(async () => {
    expect(await tables()).toEqual(before);
  });

  test.each([
    [{}, 'kind', /must be one of admin, gateway, partner$/],
    [{ kind: 'root' }, 'kind', /must be one of admin, gateway, partner, not "root"/],
    [{ kind: 7 }, 'kind', /not 7/],
    [{ kind: 'partner' }, 'org', /is required for a partner key/],
    [{ kind: 'gateway', org: 'insurer-co' }, 'org', /belongs to partner keys only; a gateway key has no organisation/],
    [{ kind: 'partner', org: 5 }, 'org', /must be a string/],
    [{ kind: 'partner', org: 'Insurer Co' }, 'org', /"Insurer Co" is not an organisation name/],
    [{ kind: 'partner', org: 'x'.repeat(64) }, 'org', /is not an organisation name/],
    [{ kind: 'admin', label: 3 }, 'label', /must be a string/],
    [{ kind: 'admin', label: 'x'.repeat(201) }, 'label', /longer than 200/],
    [{ kind: 'admin', label: 'a\nb' }, 'label', /control characters/],
    [{ kind: 'admin', owner: 'me' }, 'owner', /is not a field of this request \(fields: kind, org, label\)/],
  ])('POST /v1/keys %j', async (body, field, message) => {
    const res = await reg.call('POST', '/v1/keys', { body });
    expect([res.status, res.body.error.code, res.body.error.field]).toEqual([400, 'BAD_USER_INPUT', field]);
    expect(res.body.error.message).toMatch(message);
  });

  test.each([
    [{ name: 'insurer' }, 'org', /must be a string/],
    [{ org: 'insurer-co' }, 'name', /must be a string/],
    [{ org: '-co', name: 'insurer' }, 'org', /is not an organisation name/],
    [{ org: 'insurer-co', name: 'Insurer' }, 'name', /is not a subgraph name/],
    [{ org: 'insurer-co', name: 'insurer', until: 'tomorrow' }, 'until', /is not a field/],
  ])('POST /v1/grants and /v1/grants/revoke %j', async (body, field, message) => {
    for (const path of ['/v1/grants', '/v1/grants/revoke']) {
      const res = await reg.call('POST', path, { body });
      expect([path, res.status, res.body.error.field]).toEqual([path, 400, field]);
      expect(res.body.error.message).toMatch(message);
    }
  });

  test('a key id that is not one, the key itself in place of its id, an unknown id, a body to revoke', async () => {
    const created = (await reg.call('GET', '/v1/keys')).body.keys[0];
    const odd = await reg.call('POST', '/v1/keys/12345/revoke', { body: {} });
    expect([odd.status, odd.body.error.field, odd.body.error.message]).toEqual([400, 'id', 'id: "12345" is not a key id (16 hex digits)']);
    const whole = await reg.call('POST', `/v1/keys/agk_${created.id}_${'A'.repeat(43)}/revoke`, { body: {} });
    expect([whole.status, whole.body.error.message]).toEqual([400, expect.stringMatching(/^id: give the key's id .*not the key itself$/)]);
    expect(whole.body.error.message).not.toContain('AAAA');
    const unknown = await reg.call('POST', '/v1/keys/0000000000000000/revoke', { body: {} });
    expect([unknown.status, unknown.body.error.message]).toEqual([404, 'no registry key has the id 0000000000000000']);
    const extra = await reg.call('POST', `/v1/keys/${created.id}/revoke`, { body: { reason: 'x' } });
    expect([extra.status, extra.body.error.field]).toEqual([400, 'reason']);
  });

  test('a body that is not a JSON object is 400, one over the limit 413', async () => {
    expect((await reg.call('POST', '/v1/keys', { rawBody: '{"kind":' })).body.error.code).toBe('BAD_REQUEST');
    expect((await reg.call('POST', '/v1/grants', { rawBody: '["insurer"]' })).body.error.message).toMatch(/must be a JSON object/);
    const big = await reg.call('POST', '/v1/keys', { body: { kind: 'admin', label: 'x'.repeat(MAX_BODY) } });
    expect([big.status, big.body.error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  });
});
