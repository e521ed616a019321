/**
 * Identity tokens over real HTTP into running subgraphs: a token is good only for the subgraph it was
 * minted for and the request it came with; keys rotate through the gateway's JWKS (a retired key is
 * refused, the new one works, unknown kids do not turn into a stream of fetches); a subgraph's own key
 * asserts only itself.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { subgraph } from '../subgraphs';
import { createSubgraphTokenSigner, type PartnerTokenSettings } from '../gateway/subgraph-tokens';
import { BODY_BINDING_CLAIM, IDENTITY_HEADER, requestBinding, signIdentityToken, subgraphAudience, type Identity } from '../platform/identity';
import { generateSigningKey, type PublicJwk, type SigningKey } from '../platform/signing-keys';
import { as, startTestGraph, TEST_GATEWAY_ISSUER, testSigningKey, type GqlResult, type TestGraph } from '../testing/harness';
import { serviceIssuer, signServiceCall } from '../subgraphs/kit/caller';
import { startSubgraph, type RunningSubgraph } from '../subgraphs/kit/subgraph';

let g: TestGraph;
beforeAll(async () => {
  g = await startTestGraph();
}, 60_000);
afterAll(async () => g?.stop());

const ME = { query: '{ me { id } }' };
const MODELS = { query: '{ models(first: 1) { edges { node { id } } } }' };

/** Sends `body` to `url` with `token` in the identity header, as the gateway does. */
async function send(url: string, token: string, body: object): Promise<GqlResult> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: token }, body: JSON.stringify(body) });
  return { ...((await res.json()) as GqlResult), status: res.status };
}
const refusal = (r: GqlResult) => [r.status, r.errors?.[0]?.extensions?.code, r.errors?.[0]?.message];

describe("a gateway token is good for one subgraph and one request", () => {
  test('it works where it was minted for: the subgraph and the request', async () => {
    const r = await send(g.subgraphUrl('orders'), await g.identityToken('orders', as.customer('u-tok'), ME), ME);
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({ me: { id: 'u-tok' } });
  });

  test('a token minted for one subgraph is refused by another', async () => {
    const forOrders = await g.identityToken('orders', as.admin(), MODELS);
    expect(refusal(await send(g.subgraphUrl('catalog'), forOrders, MODELS))).toEqual([401, 'UNAUTHENTICATED', 'identity token was minted for another audience, not autograph:subgraph:catalog']);
    // ...and a partner's token (its audience) is refused by ours too.
    expect(refusal(await send(g.subgraphUrl('catalog'), await g.identityToken('insurer', as.admin(), MODELS), MODELS))[0]).toBe(401);
  });

  test('a replayed token with another document, other variables or another operation name is refused', async () => {
    const token = await g.identityToken('orders', as.customer('u-tok'), ME);
    const again = await send(g.subgraphUrl('orders'), token, ME);
    expect(again.errors).toBeUndefined();
    const replays = [{ query: '{ me { id vehicles(first: 5) { edges { node { vin } } } } }' }, { ...ME, variables: { x: 1 } }, { ...ME, operationName: 'Other' }];
    for (const replay of replays) {
      const r = await send(g.subgraphUrl('orders'), token, replay);
      expect(refusal(r)).toEqual([401, 'UNAUTHENTICATED', `identity token was minted for another request (its ${BODY_BINDING_CLAIM} is not this request's): each token is good for the one request it came with`]);
      expect(r.data ?? null).toBeNull();
    }
  });

  test('a batch is bound as a whole: an operation added to it is refused', async () => {
    const batch = [ME, MODELS];
    const token = await g.identityToken('catalog', as.customer('u-tok'), MODELS);
    const res = await fetch(g.subgraphUrl('catalog'), { method: 'POST', headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: token }, body: JSON.stringify(batch) });
    expect(res.status).toBe(401);
    const signed = await g.identityToken('orders', as.customer('u-tok'), batch);
    const ok = await fetch(g.subgraphUrl('orders'), { method: 'POST', headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: signed }, body: JSON.stringify([ME, ME]) });
    expect(ok.status).toBe(401);
    const right = await fetch(g.subgraphUrl('orders'), { method: 'POST', headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: await g.identityToken('orders', as.customer('u-tok'), [ME, ME]) }, body: JSON.stringify([ME, ME]) });
    expect(((await right.json()) as GqlResult[]).map((a) => a.data)).toEqual([{ me: { id: 'u-tok' } }, { me: { id: 'u-tok' } }]);
  });

  test('forged, expired, malformed and misissued tokens are refused with a message saying which', async () => {
    const url = g.subgraphUrl('orders');
    const past = Math.floor(Date.now() / 1000) - 120;
    const key = testSigningKey();
    const expired = await new SignJWT({ role: 'admin', [BODY_BINDING_CLAIM]: requestBinding(ME) }).setProtectedHeader({ alg: key.alg, kid: key.kid }).setIssuer(TEST_GATEWAY_ISSUER).setAudience(subgraphAudience('orders')).setSubject('a').setJti('j').setIssuedAt(past).setExpirationTime(past + 60).sign(key.privateKey);
    const cases: Array<[string, string]> = [
      [expired, 'identity token has expired'],
      ['not-a-token', 'malformed identity token: expected a JWT'],
      [await signIdentityToken({ key: generateSigningKey(), issuer: TEST_GATEWAY_ISSUER, audience: subgraphAudience('orders'), identity: as.admin(), body: ME }), 'identity token is signed with a key the gateway does not publish (retired, or never ours)'],
      [await signIdentityToken({ key, issuer: 'someone-else', audience: subgraphAudience('orders'), identity: as.admin(), body: ME }), `identity token was not issued by the gateway (issuer ${TEST_GATEWAY_ISSUER})`],
      // The gateway's key never mints a service principal: only a subgraph's own key can, for itself.
      [await g.identityToken('orders', { sub: 'service:finance', role: 'service' }, ME), 'malformed identity token: the caller it names is not a client identity'],
    ];
    for (const [token, message] of cases) expect(refusal(await send(url, token, ME))).toEqual([401, 'UNAUTHENTICATED', message]);
    const get = await fetch(`${url}?query=${encodeURIComponent(ME.query)}`, { headers: { 'apollo-require-preflight': 'true', [IDENTITY_HEADER]: await g.identityToken('orders', as.admin(), ME) } });
    expect(refusal({ ...((await get.json()) as GqlResult), status: get.status })).toEqual([401, 'UNAUTHENTICATED', 'this subgraph answers GraphQL as POST only (identity tokens are bound to the request body): send the request to the gateway']);
  });
});

describe("a subgraph's own key asserts only itself", () => {
  test("finance's key signs for finance; as catalog, or naming catalog, it is refused", async () => {
    const body = { query: '{ trim(id: "trim-ut-420") { id } }' };
    const financeKey = g.identityFor('finance').serviceKey;
    const asFinance = await send(g.subgraphUrl('catalog'), await signServiceCall('finance', financeKey, 'catalog', body), body);
    expect(asFinance.errors).toBeUndefined();
    // Finance's key under orders' issuer: verified against orders' key, it fails.
    const asOrders = await signIdentityToken({ key: financeKey, issuer: serviceIssuer('orders'), audience: subgraphAudience('catalog'), identity: { sub: 'service:orders', role: 'service' }, body });
    expect(refusal(await send(g.subgraphUrl('catalog'), asOrders, body))[0]).toBe(401);
    // Finance's own issuer, naming another principal.
    const naming = await signIdentityToken({ key: financeKey, issuer: serviceIssuer('finance'), audience: subgraphAudience('catalog'), identity: { sub: 'service:orders', role: 'service' }, body });
    expect(refusal(await send(g.subgraphUrl('catalog'), naming, body))).toEqual([401, 'UNAUTHENTICATED', 'a service token names the service that signed it and nothing else: finance signed for "service:orders"']);
    // ...or a person.
    const person = await signIdentityToken({ key: financeKey, issuer: serviceIssuer('finance'), audience: subgraphAudience('catalog'), identity: as.admin(), body });
    expect(refusal(await send(g.subgraphUrl('catalog'), person, body))[0]).toBe(401);
    // An issuer that names no subgraph of the graph.
    const stranger = await signServiceCall('billing', generateSigningKey(), 'catalog', body);
    expect(refusal(await send(g.subgraphUrl('catalog'), stranger, body))).toEqual([401, 'UNAUTHENTICATED', 'identity token is issued by "autograph:service:billing", which is not another subgraph of this graph']);
  });

  test('a service principal is refused an action its policy does not name: the lifecycle feed answers analytics only', async () => {
    const feed = { query: '{ financeLifecycleChanges(since: "") { userIds } }' };
    const as = async (service: string) => send(g.subgraphUrl('finance'), await signServiceCall(service, g.identityFor(service).serviceKey, 'finance', feed), feed);
    const byAnalytics = await as('analytics');
    expect(byAnalytics.errors).toBeUndefined();
    expect(byAnalytics.data).toEqual({ financeLifecycleChanges: expect.objectContaining({ userIds: expect.any(Array) }) });
    for (const service of ['orders', 'energy', 'spending']) {
      const r = await as(service);
      expect([service, ...refusal(r)]).toEqual([service, 200, 'FORBIDDEN', `service:${service} may not read the lifecycle feed: only service:analytics may`]);
      expect(r.data ?? null).toBeNull();
    }
    // The orders facts analytics groups by are the same: analytics only.
    const facts = { query: '{ ordersAnalystFactsOf(userIds: ["u-1"]) { userId } }' };
    expect(refusal(await send(g.subgraphUrl('orders'), await signServiceCall('finance', g.identityFor('finance').serviceKey, 'orders', facts), facts))[1]).toBe('FORBIDDEN');
    expect((await send(g.subgraphUrl('orders'), await signServiceCall('analytics', g.identityFor('analytics').serviceKey, 'orders', facts), facts)).errors).toBeUndefined();
  });

  test('a service passes no role check by being one: a partner-or-admin query is refused to it, naming why', async () => {
    const body = { query: '{ analystLifecycleEvents(first: 1) { asOf } }' };
    const r = await send(g.subgraphUrl('analytics'), await signServiceCall('orders', g.identityFor('orders').serviceKey, 'analytics', body), body);
    expect(refusal(r)).toEqual([200, 'FORBIDDEN', 'this operation needs the role analyst or admin; service:orders is not among the services it names']);
  });

  test("a peer in its own process is verified with the keys it serves, the previous one too while its key rotates", async () => {
    const oldKey = generateSigningKey();
    const newKey = generateSigningKey('EdDSA');
    const catalog = await startSubgraph(subgraph('catalog'), { db: g.db, identity: { ...g.identityFor('catalog'), serviceKey: newKey, previousServiceKeys: [oldKey.publicJwk], peerKeys: undefined }, subgraphUrls: {}, port: 0 });
    // Orders knows catalog only by its URL, as a separate process does: it reads catalog's /.well-known/jwks.json.
    const orders = await startSubgraph(subgraph('orders'), { db: g.db, identity: { ...g.identityFor('orders'), peerKeys: undefined }, subgraphUrls: { catalog: catalog.url }, port: 0 });
    try {
      const { keys } = (await (await fetch(new URL('/.well-known/jwks.json', catalog.url))).json()) as { keys: PublicJwk[] };
      expect(keys.map((k) => k.kid)).toEqual([newKey.kid, oldKey.kid]);
      const body = { query: '{ __typename }' };
      for (const key of [newKey, oldKey]) expect((await send(orders.url, await signServiceCall('catalog', key, 'orders', body), body)).data).toEqual({ __typename: 'Query' });
      expect(refusal(await send(orders.url, await signServiceCall('catalog', generateSigningKey(), 'orders', body), body))).toEqual([401, 'UNAUTHENTICATED', 'identity token is signed with a key the catalog subgraph does not publish (retired, or never ours)']);
    } finally {
      await Promise.all([catalog.stop(), orders.stop()]);
    }
  });

  test('every subgraph serves its public key, and no private part', async () => {
    const res = await fetch(new URL('/.well-known/jwks.json', g.subgraphUrl('orders')));
    const { keys } = (await res.json()) as { keys: PublicJwk[] };
    expect(keys.map((k) => k.kid)).toEqual([g.identityFor('orders').serviceKey.kid]);
    expect(keys.every((k) => !('d' in k))).toBe(true);
  });
});

describe('rotating the gateway key through its JWKS', () => {
  /** What the gateway serves at /.well-known/jwks.json for the settings it runs with, changed as a deployment would. */
  let published: { keys: PublicJwk[] } = { keys: [] };
  let fetches = 0;
  let jwksServer: Server;
  let jwksUrl: string;
  const running: RunningSubgraph[] = [];
  const settings = (key: SigningKey, previous: SigningKey[] = []): PartnerTokenSettings => ({ issuer: 'rotating-gateway', key: { kind: 'configured', key }, previousKeys: previous.map((k) => k.publicJwk) });
  const deploy = (s: PartnerTokenSettings) => (published = createSubgraphTokenSigner(s).jwks());
  const tokenOf = (key: SigningKey, identity: Identity = as.customer('u-rot')) => createSubgraphTokenSigner(settings(key)).sign(identity, 'catalog', MODELS);
  const startCatalog = async (keys: { cacheMaxAgeMs?: number; cooldownMs?: number }) => {
    const s = await startSubgraph(subgraph('catalog'), { db: g.db, identity: { gateway: { issuer: 'rotating-gateway', keys: { jwksUrl, ...keys } }, serviceKey: generateSigningKey() }, subgraphUrls: {}, port: 0 });
    running.push(s);
    return s;
  };

  beforeAll(async () => {
    jwksServer = createServer((_req, res) => {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(published));
    });
    await new Promise<void>((ok) => jwksServer.listen(0, '127.0.0.1', ok));
    jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(async () => {
    await Promise.all(running.map((s) => s.stop()));
    jwksServer?.close();
  });

  test('old key, then old and new side by side, then the old one retired: its tokens are refused while the new key works', async () => {
    const oldKey = generateSigningKey();
    const newKey = generateSigningKey('EdDSA');
    deploy(settings(oldKey));
    // A short cache so the test sees a retirement soon; the deployed default is five minutes.
    const catalog = await startCatalog({ cacheMaxAgeMs: 1_000, cooldownMs: 0 });
    expect((await send(catalog.url, await tokenOf(oldKey), MODELS)).errors).toBeUndefined();

    // The new key signs; the old one is still published (PARTNER_TOKEN_PREVIOUS_KEYS). The unknown kid makes the subgraph read the JWKS again.
    deploy(settings(newKey, [oldKey]));
    expect((await send(catalog.url, await tokenOf(newKey), MODELS)).errors).toBeUndefined();
    expect((await send(catalog.url, await tokenOf(oldKey), MODELS)).errors).toBeUndefined();

    // Retired: once the subgraph's cached copy is older than its max age, the old key's tokens are refused.
    deploy(settings(newKey));
    const deadline = Date.now() + 30_000;
    let last = await send(catalog.url, await tokenOf(oldKey), MODELS);
    while (!last.errors && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      last = await send(catalog.url, await tokenOf(oldKey), MODELS);
    }
    expect(refusal(last)).toEqual([401, 'UNAUTHENTICATED', 'identity token is signed with a key the gateway does not publish (retired, or never ours)']);
    expect((await send(catalog.url, await tokenOf(newKey), MODELS)).errors).toBeUndefined();
  });

  test("when the gateway's keys cannot be fetched the request is refused, saying so, not blamed on the token", async () => {
    const gone = createServer();
    await new Promise<void>((ok) => gone.listen(0, '127.0.0.1', ok));
    const closedUrl = `http://127.0.0.1:${(gone.address() as AddressInfo).port}/.well-known/jwks.json`;
    await new Promise((r) => gone.close(r));
    const s = await startSubgraph(subgraph('catalog'), { db: g.db, identity: { gateway: { issuer: 'rotating-gateway', keys: { jwksUrl: closedUrl } }, serviceKey: generateSigningKey() }, subgraphUrls: {}, port: 0 });
    running.push(s);
    expect(refusal(await send(s.url, await tokenOf(generateSigningKey()), MODELS))).toEqual([401, 'UNAUTHENTICATED', 'the public keys of the gateway cannot be read right now: try again shortly']);
  });

  test('keys are cached by kid, and a flood of unknown kids does not become a flood of JWKS fetches', async () => {
    const key = generateSigningKey();
    deploy(settings(key));
    const catalog = await startCatalog({});
    const before = fetches;
    for (let i = 0; i < 5; i++) expect((await send(catalog.url, await tokenOf(key), { ...MODELS })).errors).toBeUndefined();
    expect(fetches - before).toBe(1);
    for (let i = 0; i < 5; i++) {
      const forged = await signIdentityToken({ key: { ...generateSigningKey(), kid: `forged-${i}` }, issuer: 'rotating-gateway', audience: subgraphAudience('catalog'), identity: as.admin(), body: MODELS });
      expect(refusal(await send(catalog.url, forged, MODELS))[0]).toBe(401);
    }
    expect(fetches - before).toBe(1);
  });
});
