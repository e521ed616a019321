/**
 * Client authentication at the gateway and identity forwarding to subgraphs, over HTTP.
 */
import { SignJWT, generateKeyPair, exportJWK } from 'jose';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestGraph, TEST_GATEWAY_ISSUER, TEST_JWT, as, testSigningKey, tokenSignedByAnotherKey, type TestGraph } from '../testing/harness';
import { createTokenVerifier } from './auth';
import { BODY_BINDING_CLAIM, IDENTITY_HEADER, requestBinding, subgraphAudience } from '../platform/identity';

const ME = '{ me { id } }';
const key = new TextEncoder().encode(TEST_JWT.secret);

const now = () => Math.floor(Date.now() / 1000);

/** `iat: null` leaves the issued-at claim out. */
function jwt(claims: Record<string, unknown>, opts: { exp?: number; iat?: number | null; aud?: string; iss?: string; secret?: Uint8Array } = {}) {
  const b = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject(String(claims.sub ?? 'u1'));
  if (opts.iat !== null) b.setIssuedAt(opts.iat);
  b.setIssuer(opts.iss ?? TEST_JWT.issuer).setAudience(opts.aud ?? TEST_JWT.audience).setExpirationTime(opts.exp ?? now() + 600);
  return b.sign(opts.secret ?? key);
}

const GRAPHQL_RESPONSE = 'application/graphql-response+json';
/** Both media types a client may ask for: the legacy `application/json` and GraphQL-over-HTTP's own. */
const ACCEPTS = ['application/json', GRAPHQL_RESPONSE];

/** POSTs through the gateway with the given Accept and Authorization, keeping the status and headers. */
async function post(g: TestGraph, query: string, accept: string, authorization?: string) {
  const res = await fetch(g.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  return { status: res.status, type: res.headers.get('content-type') ?? '', challenge: res.headers.get('www-authenticate'), body };
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

  test.each([
    ['Basic dXNlcjpwYXNz', /the Authorization scheme "Basic" is not accepted: send "Authorization: Bearer <JWT>"/],
    ['Bearer', /the Bearer token is empty/],
    ['Bearer    ', /the Bearer token is empty/],
    ['Bearer not-a-jwt', /not a JWT: it has 1 dot-separated part, a JWT has three/],
    [`Bearer ${'a'.repeat(10)}.${'b'.repeat(10)}`, /not a JWT: it has 2 dot-separated parts, a JWT has three/],
    ['Bearer a.b.c.d', /not a JWT: it has 4 dot-separated parts/],
    ['Bearer eyJh.eyJz fake.sig', /contains spaces/],
    ['Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9=.c2ln', /payload \(part 2 of 3\) is not base64url/],
    ['Bearer .eyJzdWIiOiJ1MSJ9.c2ln', /header \(part 1 of 3\) is empty/],
    ['Bearer e30.e30.c2ln', /not valid/],
  ])('a malformed Authorization header %p is refused with 401 saying what is wrong with it', async (header, message) => {
    const res = await g.gqlRaw(ME, {}, { authorization: header });
    expect(res.status).toBe(401);
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(res.errors?.[0].message).toMatch(message);
    expect(res.errors?.[0].message).not.toMatch(/must be "Bearer <JWT>"/);
  });

  test.each(['bearer', 'BEARER', 'beaRer'])('the scheme is case-insensitive (RFC 7235): %p <JWT> is accepted', async (scheme) => {
    const res = await g.gqlRaw(ME, {}, { authorization: `${scheme} ${await g.token(as.customer('u-case'))}` });
    expect(res.status).toBe(200);
    expect(res.data.me.id).toBe('u-case');
  });

  test('a token that lives longer than the cap (exp - iat above 86400 s by default) is refused with 401 saying so', async () => {
    const iat = now();
    const res = await g.gqlRaw(ME, {}, { authorization: `Bearer ${await jwt({ sub: 'u1', role: 'customer' }, { iat, exp: iat + 86_401 })}` });
    expect(res.status).toBe(401);
    expect(res.errors?.[0].message).toMatch(/token lives too long: exp - iat is 86401 s, this graph accepts at most 86400 s \(JWT_MAX_TTL_SECONDS\)/);
    const atCap = await g.gqlRaw(ME, {}, { authorization: `Bearer ${await jwt({ sub: 'u1', role: 'customer' }, { iat, exp: iat + 86_400 })}` });
    expect(atCap.status).toBe(200);
    expect(atCap.data.me.id).toBe('u1');
  });

  test('a token without "iat", or issued in the future, is refused with 401: its lifetime cannot be trusted', async () => {
    const noIat = await g.gqlRaw(ME, {}, { authorization: `Bearer ${await jwt({ sub: 'u1', role: 'customer' }, { iat: null })}` });
    expect(noIat.status).toBe(401);
    expect(noIat.errors?.[0].message).toMatch(/no usable "iat" \(issued-at\) claim/);
    const future = now() + 365 * 86_400;
    const fromTheFuture = await g.gqlRaw(ME, {}, { authorization: `Bearer ${await jwt({ sub: 'u1', role: 'customer' }, { iat: future, exp: future + 600 })}` });
    expect(fromTheFuture.status).toBe(401);
    expect(fromTheFuture.errors?.[0].message).toMatch(/issued in the future/);
  });

  test('an identity header sent by the client to the gateway is ignored, not trusted', async () => {
    // Signed with the graph's real gateway key for orders and this very request: orders would accept it, were the gateway to pass it on.
    const forged = await g.identityToken('orders', { sub: 'victim', role: 'admin' }, { query: ME, variables: {} });
    const withToken = await g.gqlRaw(ME, {}, { authorization: `Bearer ${await g.token(as.customer('u-honest'))}`, [IDENTITY_HEADER]: forged });
    expect(withToken.status).toBe(200);
    expect(withToken.errors).toBeUndefined();
    expect(withToken.data.me).toEqual({ id: 'u-honest' });
    // An admin-only field stays refused to the customer the token names.
    const asAdmin = await g.gqlRaw(`{ user(id: "victim") { id } }`, {}, { authorization: `Bearer ${await g.token(as.customer('u-honest'))}`, [IDENTITY_HEADER]: forged });
    expect(asAdmin.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(asAdmin.data?.user ?? null).toBeNull();
    // Without a token the caller is anonymous, whatever identity it claims.
    const anonymous = await g.gqlRaw(ME, {}, { [IDENTITY_HEADER]: forged });
    expect(anonymous.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(anonymous.data?.me ?? null).toBeNull();
  });

  test('calling a subgraph directly with a forged identity is refused with UNAUTHENTICATED', async () => {
    const body0 = JSON.stringify({ query: '{ me { id } }' });
    const forged = await tokenSignedByAnotherKey('orders', { sub: 'victim', role: 'admin' }, body0);
    const res = await fetch(g.subgraphUrl('orders'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: forged },
      body: body0,
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
    const request = { query: '{ me { id } }' };
    const gatewayKey = testSigningKey();
    const anHourAgo = Math.floor(Date.now() / 1000) - 3600;
    const stale = await new SignJWT({ role: 'admin', [BODY_BINDING_CLAIM]: requestBinding(request) })
      .setProtectedHeader({ alg: gatewayKey.alg, kid: gatewayKey.kid })
      .setIssuer(TEST_GATEWAY_ISSUER)
      .setAudience(subgraphAudience('orders'))
      .setSubject('u1')
      .setJti('stale-1')
      .setIssuedAt(anHourAgo)
      .setExpirationTime(anHourAgo + 60)
      .sign(gatewayKey.privateKey);
    const res = await fetch(g.subgraphUrl('orders'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: stale },
      body: JSON.stringify(request),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { errors: Array<{ message: string }> }).errors[0].message).toBe('identity token has expired');
  });
});

describe('status codes for authentication, in both media types (GraphQL over HTTP)', () => {
  let g: TestGraph;
  beforeAll(async () => {
    g = await startTestGraph();
  });
  afterAll(async () => g.stop());

  test.each(ACCEPTS)('Accept %s: a bad token is a request error: 401, WWW-Authenticate: Bearer error="invalid_token", no data', async (accept) => {
    const expired = await jwt({ sub: 'u1', role: 'customer' }, { iat: now() - 700, exp: now() - 10 });
    const res = await post(g, ME, accept, `Bearer ${expired}`);
    expect(res.status).toBe(401);
    expect(res.type).toContain(accept);
    expect(res.challenge).toBe('Bearer realm="autograph", error="invalid_token", error_description="token has expired: get a new one"');
    expect(res.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(res.body).not.toHaveProperty('data');
  });

  test.each(ACCEPTS)('Accept %s: a header that is not a bearer JWT is 401 invalid_request; another scheme gets the bare challenge', async (accept) => {
    const malformed = await post(g, ME, accept, 'Bearer not-a-jwt');
    expect(malformed.status).toBe(401);
    expect(malformed.challenge).toMatch(/^Bearer realm="autograph", error="invalid_request", error_description="the Bearer token is not a JWT: [^"]+"$/);
    const basic = await post(g, ME, accept, 'Basic dXNlcjpwYXNz');
    expect(basic.status).toBe(401);
    expect(basic.challenge).toBe('Bearer realm="autograph"');
  });

  test.each(ACCEPTS)('Accept %s: anonymous, only fields that need sign-in: 200, data with those fields null, field error UNAUTHENTICATED', async (accept) => {
    const res = await post(g, ME, accept);
    expect(res.status).toBe(200);
    expect(res.type).toContain(accept);
    expect(res.challenge).toBeNull();
    expect(res.body).toHaveProperty('data');
    expect(res.body.data?.me ?? null).toBeNull();
    expect(res.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  test.each(ACCEPTS)('Accept %s: anonymous, public and signed-in fields mixed: 200 with the public data and UNAUTHENTICATED for the rest', async (accept) => {
    const res = await post(g, '{ models(first: 1) { edges { cursor } } me { id } }', accept);
    expect(res.status).toBe(200);
    expect(res.body.data.models.edges).toEqual(expect.any(Array));
    expect(res.body.data.me).toBeNull();
    expect(res.body.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
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
      const good = await new SignJWT({ role: 'analyst' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setSubject('a1').setIssuedAt().setIssuer('idp').setAudience('autograph').setExpirationTime('5m').sign(privateKey);
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
    // Every subgraph of the supergraph, whatever folders there are.
    expect(await healthy.json()).toEqual({ status: 'ok', subgraphs: Object.fromEntries(Object.keys(g.stack.subgraphs).map((name) => [name, 'ok'])) });
    expect(Object.keys(g.stack.subgraphs).length).toBeGreaterThanOrEqual(6);

    await g.stack.subgraphs.energy.stop();
    const degraded = await fetch(url);
    expect(degraded.status).toBe(503);
    const body = (await degraded.json()) as { status: string; subgraphs: Record<string, string> };
    expect(body.status).toBe('degraded');
    expect(body.subgraphs.energy).toMatch(/unreachable/);
    expect(body.subgraphs.orders).toBe('ok');
  });
});
