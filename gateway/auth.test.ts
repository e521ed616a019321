/**
 * Client authentication at the gateway and identity forwarding to subgraphs, over HTTP.
 */
import { SignJWT, generateKeyPair, exportJWK } from 'jose';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestGraph, TEST_JWT, as, type TestGraph } from './testing';
import { createTokenVerifier } from './auth';
import { IDENTITY_HEADER, signIdentity } from '../subgraphs/kit/identity';

const ME = '{ me { id } }';
const key = new TextEncoder().encode(TEST_JWT.secret);

function jwt(claims: Record<string, unknown>, opts: { exp?: number; aud?: string; iss?: string; secret?: Uint8Array } = {}) {
  const b = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject(String(claims.sub ?? 'u1')).setIssuedAt();
  b.setIssuer(opts.iss ?? TEST_JWT.issuer).setAudience(opts.aud ?? TEST_JWT.audience).setExpirationTime(opts.exp ?? Math.floor(Date.now() / 1000) + 600);
  return b.sign(opts.secret ?? key);
}

describe('gateway authentication', () => {
  let g: TestGraph;
  beforeAll(async () => {
    g = await startTestGraph();
  });
  afterAll(async () => g.stop());

  test('a valid customer token reaches the subgraphs as that user', async () => {
    const res = await g.gql(ME, {}, as.customer('u-valid'));
    expect(res.status).toBe(200);
    expect(res.data.me.id).toBe('u-valid');
  });

  test('no token: me is refused with UNAUTHENTICATED', async () => {
    const res = await g.gql(ME);
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  const bad: Array<[string, () => Promise<string>, RegExp]> = [
    ['expired', () => jwt({ sub: 'u1', role: 'customer' }, { exp: Math.floor(Date.now() / 1000) - 10 }), /expired/],
    ['wrong audience', () => jwt({ sub: 'u1', role: 'customer' }, { aud: 'someone-else' }), /not for this graph/],
    ['wrong issuer', () => jwt({ sub: 'u1', role: 'customer' }, { iss: 'evil' }), /not for this graph/],
    ['signed with another secret', () => jwt({ sub: 'u1', role: 'customer' }, { secret: new TextEncoder().encode('another-secret-of-some-length') }), /not valid/],
    [
      'unsigned (alg none)',
      async () => {
        const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
        return `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ sub: 'u1', role: 'admin', iss: TEST_JWT.issuer, aud: TEST_JWT.audience, exp: 9999999999 })}.`;
      },
      /not valid/,
    ],
    ['the internal service role', () => jwt({ sub: 'u1', role: 'service' }), /role must be/],
    ['an unknown role', () => jwt({ sub: 'u1', role: 'root' }), /role must be/],
    ['a partner without organisation', () => jwt({ sub: 'p1', role: 'partner' }), /organisation/],
  ];
  test.each(bad)('a token that is %s is refused with 401 UNAUTHENTICATED', async (_name, make, message) => {
    const res = await g.gqlRaw(ME, {}, { authorization: `Bearer ${await make()}` });
    expect(res.status).toBe(401);
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(res.errors?.[0].message).toMatch(message);
    expect(res.data).toBeUndefined();
  });

  test.each(['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer not-a-jwt', `Bearer ${'a'.repeat(10)}.${'b'.repeat(10)}`])('a malformed Authorization header %p is refused', async (header) => {
    const res = await g.gqlRaw(ME, {}, { authorization: header });
    expect(res.status).toBe(401);
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  test('an identity header sent by the client to the gateway is ignored, not trusted', async () => {
    const forged = signIdentity({ sub: 'victim', role: 'admin' }, 'guessed-secret-guessed-secret-guessed');
    const res = await g.gqlRaw(ME, {}, { [IDENTITY_HEADER]: forged });
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  test('calling a subgraph directly with a forged identity is refused with UNAUTHENTICATED', async () => {
    const forged = signIdentity({ sub: 'victim', role: 'admin' }, 'guessed-secret-guessed-secret-guessed');
    const res = await fetch(g.subgraphUrl('orders'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: forged },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  test('calling a subgraph directly with no identity is refused with 401, saying to go through the gateway', async () => {
    const res = await fetch(g.subgraphUrl('orders'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { data?: unknown; errors: Array<{ message: string; extensions: { code: string } }> };
    expect(body.errors[0]).toEqual({ message: 'this subgraph answers only requests signed by the gateway: send the request to the gateway', extensions: { code: 'UNAUTHENTICATED' } });
    expect(body.data).toBeUndefined();
  });

  test('a correctly signed but expired forwarded identity is refused by the subgraph', async () => {
    const stale = signIdentity({ sub: 'u1', role: 'admin' }, g.internalSecret, Math.floor(Date.now() / 1000) - 3600);
    const res = await fetch(g.subgraphUrl('orders'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: stale },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(res.status).toBe(401);
  });
});

describe('gateway HTTP hygiene', () => {
  let g: TestGraph;
  beforeAll(async () => {
    g = await startTestGraph();
  });
  afterAll(async () => g.stop());

  test('GET /health answers 200 once the supergraph is loaded', async () => {
    const res = await fetch(g.url.replace('/graphql', '/health'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  test('an oversized body is refused with 413 before it is parsed', async () => {
    const res = await fetch(g.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ me { id } } # ${'x'.repeat(300_000)}` }) });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  test('malformed JSON is refused with 400 and a clear message', async () => {
    const res = await fetch(g.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: Array<{ message: string }> }).errors[0].message).toMatch(/not valid JSON/);
  });

  test('a syntax error in the operation is a GRAPHQL_PARSE_FAILED error', async () => {
    const res = await g.gql('{ me { id ', {}, as.customer('u1'));
    expect(res.status).toBe(400);
    expect(res.errors?.[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  test('a variable of the wrong type is a BAD_USER_INPUT error', async () => {
    const res = await g.gql('query($f: DateTime){ me { spending(from: $f) { total { amount } } } }', { f: 12 }, as.customer('u1'));
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  test('an unknown route is a 404 that says where the graph is', async () => {
    const res = await fetch(g.url.replace('/graphql', '/nope'));
    expect(res.status).toBe(404);
  });

  test('error responses carry no stack traces outside development', async () => {
    const res = await g.gql('{ me { spending(from: "2026-01-01", to: "2025-01-01") { total { amount } } } }', {}, as.customer('u1'));
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(res)).not.toMatch(/stacktrace|at .*\.ts:/);
  });
});

describe('JWKS verification (real deployments)', () => {
  test('an RS256 token signed by a key from the JWKS is accepted; an HS256 token is not', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const verify = createTokenVerifier({ issuer: 'idp', audience: 'autograph', jwksUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json` });
      const good = await new SignJWT({ role: 'analyst' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setSubject('a1').setIssuer('idp').setAudience('autograph').setExpirationTime('5m').sign(privateKey);
      expect(await verify(`Bearer ${good}`)).toEqual({ sub: 'a1', role: 'analyst' });
      const hs = await jwt({ sub: 'a1', role: 'admin' }, { iss: 'idp' });
      await expect(verify(`Bearer ${hs}`)).rejects.toThrow(/not valid/);
    } finally {
      server.close();
    }
  });
});

describe('deep health check', () => {
  let g: TestGraph;
  beforeAll(async () => {
    g = await startTestGraph();
  });
  afterAll(async () => g.stop());

  test('GET /health/subgraphs reports every subgraph ok; a stopped subgraph turns it 503 and is named', async () => {
    const url = g.url.replace('/graphql', '/health/subgraphs');
    const healthy = await fetch(url);
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toEqual({ status: 'ok', subgraphs: { catalog: 'ok', orders: 'ok', finance: 'ok', aftermarket: 'ok', energy: 'ok' } });

    await g.stack.subgraphs.energy.stop();
    const degraded = await fetch(url);
    expect(degraded.status).toBe(503);
    const body = (await degraded.json()) as { status: string; subgraphs: Record<string, string> };
    expect(body.status).toBe('degraded');
    expect(body.subgraphs.energy).toMatch(/unreachable/);
    expect(body.subgraphs.orders).toBe('ok');
  });
});
