/**
 * Partner token keys and configuration: every bad key value stops start-up with a message naming the
 * variable and the fix; production needs a configured key; outside production two gateway processes
 * starting together generate one shared key file; our own subgraphs get the token in the identity header and partners
 * only a token for their audience (anonymous callers marked so), verifiable with the served JWKS.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { loadConfig } from './config';
import { identityForwardingFeature } from './features/identity-forwarding';
import { generateSigningKey, installKeyFile, loadOrCreateKeyFile, parseSigningKey } from '../platform/signing-keys';
import type { SubgraphRequest } from './feature';
import { BODY_BINDING_CLAIM, IDENTITY_HEADER, requestBinding, type Identity } from '../platform/identity';

const tmp = () => mkdtempSync(join(tmpdir(), 'autograph-partner-keys-'));
const pem = (key: ReturnType<typeof generateKeyPairSync>['privateKey']) => key.export({ format: 'pem', type: 'pkcs8' }) as string;
const ec = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return '';
  } catch (err) {
    return (err as Error).message;
  }
};

describe('partner token key configuration', () => {
  const production = { NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-value', AUTOGRAPH_PSEUDONYM_KEY: 'p'.repeat(32) };

  test('production refuses to start without a signing key; outside production one is generated under .data/', () => {
    expect(problemsOf(production)).toMatch(/PARTNER_TOKEN_SIGNING_KEY or PARTNER_TOKEN_SIGNING_KEY_FILE must be set when NODE_ENV=production/);
    expect(loadConfig({}).partnerTokens).toEqual({ issuer: 'autograph-gateway', key: { kind: 'generated', path: '.data/partner-token-signing-key.pem' }, previousKeys: [] });
  });

  test('a PEM or private JWK (P-256 or Ed25519) is accepted, from the variable or a file; kid is the key thumbprint unless the JWK names one', () => {
    const { privateKey } = ec();
    const fromPem = loadConfig({ ...production, PARTNER_TOKEN_SIGNING_KEY: pem(privateKey) }).partnerTokens.key;
    const file = join(tmp(), 'key.pem');
    writeFileSync(file, pem(privateKey));
    const fromFile = loadConfig({ ...production, PARTNER_TOKEN_SIGNING_KEY_FILE: file }).partnerTokens.key;
    expect(fromPem.kind === 'configured' && fromFile.kind === 'configured' && fromPem.key.kid === fromFile.key.kid).toBe(true);
    const ed = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
    const named = parseSigningKey(JSON.stringify({ ...ed, kid: 'gateway-2026-12' }));
    expect([named.alg, named.kid]).toEqual(['EdDSA', 'gateway-2026-12']);
    expect(parseSigningKey(JSON.stringify(ed)).kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  const CASES: Array<[Record<string, string>, RegExp]> = [
    [{ PARTNER_TOKEN_SIGNING_KEY: 'hunter2' }, /PARTNER_TOKEN_SIGNING_KEY is neither a PEM private key .* nor a private JWK/],
    [{ PARTNER_TOKEN_SIGNING_KEY: '{"kty":"EC"' }, /PARTNER_TOKEN_SIGNING_KEY starts with "\{" but is not valid JSON/],
    [{ PARTNER_TOKEN_SIGNING_KEY: createPublicPem() }, /PARTNER_TOKEN_SIGNING_KEY is a PEM "-----BEGIN PUBLIC KEY-----": give the private key/],
    [{ PARTNER_TOKEN_SIGNING_KEY: pem(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey) }, /is a RSA key: identity tokens are signed with an EC P-256 \(ES256\) or Ed25519 \(EdDSA\) key/],
    [{ PARTNER_TOKEN_SIGNING_KEY: pem(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey) }, /is a EC P-384 key/],
    [{ PARTNER_TOKEN_SIGNING_KEY: JSON.stringify(ec().publicKey.export({ format: 'jwk' })) }, /is a JWK without its private part \("d"\)/],
    [{ PARTNER_TOKEN_SIGNING_KEY: '-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----' }, /is not a readable PEM private key/],
    [{ PARTNER_TOKEN_SIGNING_KEY: pem(ec().privateKey), PARTNER_TOKEN_SIGNING_KEY_FILE: '/nonexistent' }, /PARTNER_TOKEN_SIGNING_KEY and PARTNER_TOKEN_SIGNING_KEY_FILE are both set/],
    [{ PARTNER_TOKEN_SIGNING_KEY_FILE: '/nonexistent/key.pem' }, /PARTNER_TOKEN_SIGNING_KEY_FILE="\/nonexistent\/key.pem" cannot be read \(ENOENT\)/],
    [{ PARTNER_TOKEN_SIGNING_KEY: 'x'.repeat(20_000) }, /is 20000 characters long/],
    [{ PARTNER_TOKEN_PREVIOUS_KEYS: 'nope' }, /PARTNER_TOKEN_PREVIOUS_KEYS is not JSON: give the JWKS the gateway served before the rotation/],
    [{ PARTNER_TOKEN_PREVIOUS_KEYS: '{"kids":[]}' }, /PARTNER_TOKEN_PREVIOUS_KEYS must be a JWKS/],
    [{ PARTNER_TOKEN_PREVIOUS_KEYS: JSON.stringify({ keys: [ec().privateKey.export({ format: 'jwk' })] }) }, /key 1 contains a private part \("d"\): publish only public keys/],
    [{ PARTNER_TOKEN_PREVIOUS_KEYS: JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }) }, /PARTNER_TOKEN_PREVIOUS_KEYS is a oct key/],
    [{ PARTNER_TOKEN_PREVIOUS_KEYS: JSON.stringify([{ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }]) }, /key 1 is not a usable public JWK/],
    [{ PARTNER_TOKEN_ISSUER: 'the gateway' }, /PARTNER_TOKEN_ISSUER="the gateway" must be 1 to 256 characters without spaces/],
  ];
  test.each(CASES.map(([env, message]) => [Object.keys(env).join(' and '), message.source.replace(/\\/g, '').slice(0, 90), env, message] as const))('a bad %s is refused: %s', (_vars, _shown, env, message) => {
    expect(problemsOf(env)).toMatch(message);
  });

  test('previous public keys are accepted as the JWKS the gateway served (rotation)', () => {
    const before = generateSigningKey();
    const c = loadConfig({ PARTNER_TOKEN_PREVIOUS_KEYS: JSON.stringify({ keys: [before.publicJwk] }) });
    expect(c.partnerTokens.previousKeys).toEqual([before.publicJwk]);
  });
});

function createPublicPem(): string {
  return ec().publicKey.export({ format: 'pem', type: 'spki' }) as string;
}

test('two gateway processes starting together on one machine generate one key file and agree on it', async () => {
  const path = join(tmp(), '.data', 'partner-token-signing-key.pem');
  const keysModule = resolve(__dirname, '../platform/signing-keys.ts');
  // Each process loads the module first, then waits for one agreed instant, so they really race for the file.
  const startAt = Date.now() + 5000;
  const script = `const keys = require(${JSON.stringify(keysModule)}); while (Date.now() < ${startAt}); process.stdout.write(keys.loadOrCreateKeyFile(${JSON.stringify(path)}).kid)`;
  const run = () =>
    new Promise<string>((ok, fail) => {
      const child = spawn(process.execPath, ['--import=tsx', '-e', script], { env: { PATH: process.env.PATH ?? '' } });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('exit', (code) => (code === 0 ? ok(out) : fail(new Error(err))));
    });
  const kids = await Promise.all([run(), run(), run()]);
  expect(new Set(kids).size).toBe(1);
  expect(loadOrCreateKeyFile(path).kid).toBe(kids[0]);
  expect(readFileSync(path, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
}, 60_000);

test('a process that loses the race to create the key file adopts the key already there, and never overwrites it', () => {
  const path = join(tmp(), '.data', 'partner-token-signing-key.pem');
  const first = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const second = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const winner = installKeyFile(path, pem(first));
  expect(installKeyFile(path, pem(second)).kid).toBe(winner.kid);
  expect(readFileSync(path, 'utf8')).toBe(pem(first));
  expect(loadOrCreateKeyFile(path).kid).toBe(winner.kid);
});

describe('what each subgraph fetch carries', () => {
  const key = generateSigningKey();
  const previous = generateSigningKey('EdDSA');
  const feature = identityForwardingFeature({ ownSubgraphs: ['orders'], partnerTokens: { issuer: 'gw', key: { kind: 'configured', key }, previousKeys: [previous.publicJwk] } });
  const body = { query: '{ me { id } }', variables: {} };
  /** The headers one fetch leaves with: set before it (planted ones removed), then the token as the request is sent. */
  const fetchTo = async (subgraph: string, identity: Identity | null) => {
    const headers = new Headers({ [IDENTITY_HEADER]: 'planted', 'x-request-id': 'planted', authorization: 'planted' });
    await feature.beforeSubgraphFetch!({ subgraph, request: { http: { headers, url: '', method: 'POST' } } as unknown as SubgraphRequest, context: { identity } });
    for (const [name, value] of Object.entries(await feature.signSubgraphRequest!({ subgraph, body, context: { identity } }))) headers.set(name, value);
    return headers;
  };
  const jwks = async () => {
    let body = '';
    const res = { setHeader() {}, writeHead() {}, end: (b: string) => (body = b) };
    await feature.routes!({} as never)['/.well-known/jwks.json']({} as never, res as never);
    return JSON.parse(body);
  };

  test('our own subgraph gets the token in the identity header, for its audience and bound to the request, and no bearer token', async () => {
    const headers = await fetchTo('orders', { sub: 'u-1', role: 'customer' });
    const { payload } = await jwtVerify(headers.get(IDENTITY_HEADER)!, createLocalJWKSet(await jwks()), { issuer: 'gw', audience: 'autograph:subgraph:orders' });
    expect(payload).toMatchObject({ sub: 'u-1', role: 'customer', [BODY_BINDING_CLAIM]: requestBinding(body) });
    expect(headers.get('authorization')).toBeNull();
  });

  test('a partner gets a token for its audience with the caller, verifiable with the JWKS, and no internal header', async () => {
    const headers = await fetchTo('insurer', { sub: 'p-1', role: 'partner', org: 'pingan-insurance' });
    expect(headers.get(IDENTITY_HEADER)).toBeNull();
    expect(headers.get('x-request-id')).toBeNull();
    const token = /^Bearer (.+)$/.exec(headers.get('authorization')!)![1];
    const { payload } = await jwtVerify(token, createLocalJWKSet(await jwks()), { issuer: 'gw', audience: 'autograph:subgraph:insurer' });
    expect(payload).toMatchObject({ sub: 'p-1', role: 'partner', org: 'pingan-insurance' });
  });

  test('an anonymous caller is marked anonymous, with no subject or role', async () => {
    const headers = await fetchTo('charging', null);
    const claims = decodeJwt(/^Bearer (.+)$/.exec(headers.get('authorization')!)![1]);
    expect(claims.anonymous).toBe(true);
    expect(claims.sub).toBeUndefined();
    expect(claims.role).toBeUndefined();
    expect(claims.aud).toBe('autograph:subgraph:charging');
  });

  test('the JWKS holds public keys only: the signing key first, then the previous ones', async () => {
    const { keys } = await jwks();
    expect(keys.map((k: { kid: string }) => k.kid)).toEqual([key.kid, previous.kid]);
    expect(keys.every((k: object) => !('d' in k))).toBe(true);
  });
});
