/**
 * The development-only demo-token route the web app's sign-in uses (`GET /explorer/demo-token`): a
 * customer token for demo-driver or another seeded demo user (`?sub=user-000002`), the demo users listed,
 * and nothing else — no other role, no id of another shape, no unknown parameter; and no route at all
 * where demo tokens are off (production, or a deployment's own JWT secret).
 */
import { decodeJwt } from 'jose';
import { startTestGraph, type TestGraph } from '../testing/harness';
import { DEMO_USER } from '../platform/demo';

const get = async (g: TestGraph, query = '') => {
  const res = await fetch(`${new URL(g.url).origin}/explorer/demo-token${query}`);
  return { status: res.status, cache: res.headers.get('cache-control'), cors: res.headers.get('access-control-allow-origin'), body: (await res.json().catch(() => null)) as any };
};

describe('with demo tokens on (development, the built-in secret)', () => {
  let g: TestGraph;
  beforeAll(async () => {
    g = await startTestGraph({ db: 'pglite', development: true });
  }, 120_000);
  afterAll(async () => g?.stop());

  test('a customer token for demo-driver by default, and for another seeded demo user by ?sub=, with the demo users listed', async () => {
    const plain = await get(g);
    expect([plain.status, plain.cache, plain.cors]).toEqual([200, 'no-store', null]);
    expect(decodeJwt(plain.body.token)).toMatchObject({ sub: DEMO_USER, role: 'customer' });
    expect(plain.body.demoUsers.slice(0, 3)).toEqual([DEMO_USER, 'user-000001', 'user-000002']);
    const other = await get(g, '?sub=user-000002');
    expect(other.status).toBe(200);
    expect(decodeJwt(other.body.token)).toMatchObject({ sub: 'user-000002', role: 'customer' });
    // The token works at the graph: it is that user's.
    const me = await g.gqlRaw('{ me { id } }', undefined, { authorization: `Bearer ${other.body.token}` });
    expect(me.data?.me?.id).toBe('user-000002');
  });

  test('refuses any role but customer, any id that is not a seeded demo user, and unknown parameters', async () => {
    for (const role of ['admin', 'analyst', 'partner']) {
      const r = await get(g, `?role=${role}`);
      expect([role, r.status, r.body.token]).toEqual([role, 403, undefined]);
      expect(r.body.error).toMatch(/customer tokens only/);
    }
    for (const sub of ['admin-1', 'analyst-1', 'user-1', 'user-0000001', 'demo-driver2', '', '../admin']) {
      const r = await get(g, `?sub=${encodeURIComponent(sub)}`);
      expect([sub, r.status, r.body.token]).toEqual([sub, 403, undefined]);
      expect(r.body.error).toMatch(/seeded demo users only/);
    }
    const extra = await get(g, '?sub=user-000001&org=choco');
    expect([extra.status, extra.body.token]).toEqual([400, undefined]);
    expect(extra.body.error).toMatch(/unknown parameter "org"/);
  });
});

test('without demo tokens (production, or a JWT secret of your own) there is no such route', async () => {
  const g = await startTestGraph({ db: 'pglite', development: true, demoTokens: false });
  try {
    const r = await fetch(`${new URL(g.url).origin}/explorer/demo-token?sub=user-000001`);
    expect(r.status).toBe(404);
  } finally {
    await g.stop();
  }
}, 120_000);
