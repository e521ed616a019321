/**
 * The Apollo Router coprocessor, tested against the documented SubgraphRequest payload (no router binary
 * here): what it answers is sent, as the router would send it, to the test graph's real subgraphs, which
 * verify it with the test gateway's public keys.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { routerCoprocessor, JWT_CLAIMS_CONTEXT_KEY } from '../gateway/router-coprocessor';
import { createSubgraphTokenSigner } from '../gateway/subgraph-tokens';
import { listen, type Listening } from '../platform/http';
import { createTokenVerifier, IDENTITY_HEADER } from '../platform/identity';
import { startTestGraph, testGatewayConfig, TEST_GATEWAY_ISSUER, TEST_JWT, testSigningKey, type TestGraph } from '../testing/harness';

const MAX_BODY = 65_536;
let g: TestGraph;
let coproc: Listening;
let base: string;

beforeAll(async () => {
  g = await startTestGraph();
  const config = testGatewayConfig();
  coproc = await listen(
    routerCoprocessor({ signer: createSubgraphTokenSigner(config.partnerTokens), ownSubgraphs: config.ownSubgraphs, audience: TEST_JWT.audience, maxTtlSeconds: 86_400, maxBodyBytes: MAX_BODY }),
    0,
  );
  base = `http://127.0.0.1:${coproc.port}`;
});
afterAll(async () => {
  await coproc?.close();
  await g?.stop();
});

const now = () => Math.floor(Date.now() / 1000);
const customerClaims = (sub: string) => ({ sub, role: 'customer', iss: TEST_JWT.issuer, aud: TEST_JWT.audience, iat: now(), exp: now() + 600 });

/** A SubgraphRequest payload as the router documents it. */
function payload(serviceName: string, body: unknown, claims?: Record<string, unknown>, headers: Record<string, string[]> = {}) {
  return {
    version: 1,
    stage: 'SubgraphRequest',
    control: 'continue',
    id: 'req-1',
    subgraphRequestId: 'sub-1',
    headers: { 'content-type': ['application/json'], ...headers },
    body,
    context: { entries: claims ? { [JWT_CLAIMS_CONTEXT_KEY]: claims, 'apollo::supergraph::operation_name': 'Me' } : {} },
    serviceName,
    uri: g.subgraphUrl(serviceName === 'partner-shop' ? 'orders' : serviceName),
    method: 'POST',
  };
}

async function coprocess(body: string): Promise<{ status: number; json: any }> {
  const res = await fetch(base, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: res.status, json: await res.json() };
}

/** Sends the subgraph request with the headers the coprocessor returned, as the router would. */
async function toSubgraph(name: string, headers: Record<string, string[]>, body: unknown): Promise<{ status: number; json: any }> {
  const flat = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.join(', ')]));
  const res = await fetch(g.subgraphUrl(name), { method: 'POST', headers: flat, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

const ME = { query: 'query Me { me { id } }', operationName: 'Me', variables: {} };

describe('a SubgraphRequest from the router', () => {
  test("a customer's claims are signed for orders, which answers as that customer", async () => {
    const { status, json } = await coprocess(JSON.stringify(payload('orders', ME, customerClaims('coproc-alice'))));
    expect([status, json.control, json.id, json.serviceName]).toEqual([200, 'continue', 'req-1', 'orders']);
    expect(json.headers[IDENTITY_HEADER]).toHaveLength(1);
    expect(json.headers.authorization).toBeUndefined();
    const answer = await toSubgraph('orders', json.headers, json.body);
    expect([answer.status, answer.json.errors, answer.json.data]).toEqual([200, undefined, { me: { id: 'coproc-alice' } }]);
  });

  test('a body the router sends as a JSON string is bound as parsed', async () => {
    const { json } = await coprocess(JSON.stringify(payload('orders', JSON.stringify(ME), customerClaims('coproc-str'))));
    const answer = await toSubgraph('orders', json.headers, json.body);
    expect(answer.json.data).toEqual({ me: { id: 'coproc-str' } });
  });

  test('the same headers sent to another subgraph are refused there (audience)', async () => {
    const { json } = await coprocess(JSON.stringify(payload('orders', ME, customerClaims('coproc-bob'))));
    const answer = await toSubgraph('catalog', json.headers, json.body);
    expect([answer.status, answer.json.errors?.[0].extensions?.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect(answer.json.errors[0].message).toMatch(/aud|audience|another subgraph/i);
  });

  test('a body changed after signing is refused by the subgraph (binding)', async () => {
    const { json } = await coprocess(JSON.stringify(payload('orders', ME, customerClaims('coproc-carol'))));
    const answer = await toSubgraph('orders', json.headers, { ...ME, query: 'query Me { me { id orders(first: 1) { edges { node { id } } } } }' });
    expect([answer.status, answer.json.errors?.[0].extensions?.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect(answer.json.errors[0].message).toMatch(/another request/);
  });

  test('no claims in the context is an anonymous caller: signed, and orders answers `me` UNAUTHENTICATED', async () => {
    const { json } = await coprocess(JSON.stringify(payload('orders', ME)));
    expect(json.control).toBe('continue');
    const claims = await createTokenVerifier({ issuer: TEST_GATEWAY_ISSUER, audience: 'autograph:subgraph:orders', keys: { jwks: { keys: [testSigningKey().publicJwk] } }, signer: 'the gateway' })(json.headers[IDENTITY_HEADER][0], ME);
    expect([claims.anonymous, claims.sub, claims.role]).toEqual([true, undefined, undefined]);
    const answer = await toSubgraph('orders', json.headers, json.body);
    expect([answer.status, answer.json.errors?.[0].extensions?.code]).toEqual([200, 'UNAUTHENTICATED']);
  });

  test("a client-sent x-autograph-identity (or Authorization) is replaced, whatever its case", async () => {
    const forged = { 'X-Autograph-Identity': ['forged.token.here'], authorization: ['Bearer client-token'] };
    const { json } = await coprocess(JSON.stringify(payload('orders', ME, customerClaims('coproc-dave'), forged)));
    expect(Object.keys(json.headers).filter((k) => k.toLowerCase() === IDENTITY_HEADER)).toEqual([IDENTITY_HEADER]);
    expect(json.headers[IDENTITY_HEADER]).toHaveLength(1);
    expect(json.headers[IDENTITY_HEADER][0]).not.toBe('forged.token.here');
    expect(json.headers.authorization).toBeUndefined();
    expect((await toSubgraph('orders', json.headers, json.body)).json.data).toEqual({ me: { id: 'coproc-dave' } });
  });

  test("a partner's subgraph gets Authorization: Bearer for its audience and none of our headers", async () => {
    const headers = { 'x-request-id': ['r-1'], [IDENTITY_HEADER]: ['forged'] };
    const { json } = await coprocess(JSON.stringify(payload('partner-shop', ME, { ...customerClaims('p-1'), role: 'partner', org: 'jd-auto-care' }, headers)));
    expect([json.control, json.headers[IDENTITY_HEADER], json.headers['x-request-id']]).toEqual(['continue', undefined, undefined]);
    const token = /^Bearer (.+)$/.exec(json.headers.authorization[0])![1];
    const claims = await createTokenVerifier({ issuer: TEST_GATEWAY_ISSUER, audience: 'autograph:subgraph:partner-shop', keys: { jwks: { keys: [testSigningKey().publicJwk] } }, signer: 'the gateway' })(token, ME);
    expect([claims.sub, claims.role, claims.org]).toEqual(['p-1', 'partner', 'jd-auto-care']);
  });

  test('claims that name no caller of this graph break with 401 (as the gateway refuses such a token)', async () => {
    for (const [claims, message] of [
      [{ ...customerClaims('x'), role: 'root' }, /role must be one of/],
      [{ ...customerClaims('x'), role: 'partner' }, /organisation/],
      [{ ...customerClaims('x'), aud: 'someone-else' }, /not for this graph/],
      [{ ...customerClaims('x'), exp: now() + 10 * 86_400 }, /lives too long/],
      [{ ...customerClaims(''), sub: '' }, /no usable subject/],
    ] as const) {
      const { status, json } = await coprocess(JSON.stringify(payload('orders', ME, claims)));
      expect([status, json.control, json.headers[IDENTITY_HEADER]]).toEqual([200, { break: 401 }, undefined]);
      expect(json.body.errors[0].message).toMatch(message);
    }
  });
});

describe('payloads the coprocessor refuses rather than forward unsigned', () => {
  const refused = async (body: string, status: number, message: RegExp) => {
    const res = await coprocess(body);
    expect([res.status, res.json.control]).toEqual([status, { break: 500 }]);
    expect(res.json.body.errors[0].message).toMatch(message);
    expect(res.json.headers?.[IDENTITY_HEADER]).toBeUndefined();
  };
  test('malformed JSON', () => refused('{"version": 1, "stage": ', 400, /not JSON/));
  test('not an object', () => refused('[1, 2]', 400, /JSON object/));
  test('another stage', () => refused(JSON.stringify({ ...payload('orders', ME), stage: 'RouterRequest' }), 400, /stage "RouterRequest" is not handled/));
  test('a wrong version', () => refused(JSON.stringify({ ...payload('orders', ME), version: 2 }), 400, /version 2 is not supported/));
  test('no service name', () => refused(JSON.stringify({ ...payload('orders', ME), serviceName: undefined }), 400, /no serviceName/));
  test('no GraphQL body', () => refused(JSON.stringify({ ...payload('orders', ME), body: undefined }), 400, /no GraphQL body/));
  test('headers of the wrong shape', () => refused(JSON.stringify({ ...payload('orders', ME), headers: { a: 'b' } }), 400, /array of strings/));
  test('a payload over the size bound', () => refused(JSON.stringify(payload('orders', { ...ME, variables: { pad: 'x'.repeat(MAX_BODY) } })), 413, /larger than 65536 bytes/));
});

describe('the keys and health', () => {
  test('GET /.well-known/jwks.json serves the public key the subgraphs verify with, and /health answers', async () => {
    const jwks = (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toEqual([testSigningKey().publicJwk]);
    expect(jwks.keys.every((k) => !('d' in k))).toBe(true);
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });
});

describe('npm run router-coprocessor', () => {
  let child: ChildProcess | undefined;
  afterEach(() => child?.kill('SIGTERM'));
  test('runs as its own process on --port/--host and serves its JWKS', async () => {
    child = spawn(process.execPath, ['--import=tsx', join(__dirname, 'router-coprocessor.ts'), '--port', '0', '--host', '127.0.0.1'], {
      env: { ...process.env, NODE_ENV: 'test', PARTNER_TOKEN_SIGNING_KEY: testSigningKey().privateKey.export({ format: 'pem', type: 'pkcs8' }) as string },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child!.stdout!.on('data', (d) => {
        out += d;
        const m = /listening on (http:\/\/\S+?) /.exec(out);
        if (m) resolve(m[1]);
      });
      child!.stderr!.on('data', (d) => (out += d));
      child!.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    const jwks = (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as { keys: unknown[] };
    expect(jwks.keys).toEqual([testSigningKey().publicJwk]);
  }, 60_000);
});
