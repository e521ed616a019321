/**
 * Identity tokens on their own: what a token binds (audience, request, time, key) and what a verifier
 * says about each way one can be wrong. The same checks over real HTTP into subgraphs are in
 * `stack/identity-tokens.test.ts`.
 */
import { SignJWT } from 'jose';
import { generateSigningKey } from './signing-keys';
import { BODY_BINDING_CLAIM, callerFromClaims, createTokenVerifier, IdentityError, requestBinding, signIdentityToken, subgraphAudience, type Identity } from './identity';

const key = generateSigningKey();
const issuer = 'gw-test';
const body = { query: 'query($id: ID!) { order(id: $id) { id } }', variables: { id: 'o-1' } };
const verifierFor = (audience: string, keys = [key.publicJwk]) => createTokenVerifier({ issuer, audience, keys: { jwks: { keys } }, signer: 'the gateway' });
const sign = (identity: Identity | null, audience = subgraphAudience('orders'), signingKey = key) => signIdentityToken({ key: signingKey, issuer, audience, identity, body });
const refusal = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(IdentityError);
    return (err as Error).message;
  }
  throw new Error('the token was accepted');
};

describe('the request binding', () => {
  test('is the same for the operation as sent and as parsed back, whatever the member order of the body', () => {
    const text = JSON.stringify({ operationName: undefined, variables: body.variables, query: body.query });
    expect(requestBinding(JSON.parse(text))).toBe(requestBinding(body));
  });

  test('changes with the document, the variables, the operation name, and for a batch with each operation and their order', () => {
    const other = { query: body.query, variables: { id: 'o-2' } };
    const all = [body, other, { ...body, query: '{ me { id } }' }, { ...body, operationName: 'X' }, [body, other], [other, body], [body]];
    expect(new Set(all.map(requestBinding)).size).toBe(all.length);
  });
});

describe('a token the gateway signed', () => {
  test('verifies for its own audience and request, and carries the caller', async () => {
    const claims = await verifierFor(subgraphAudience('orders'))(await sign({ sub: 'u1', role: 'partner', org: 'catl-energy' }), body);
    expect(callerFromClaims(claims)).toEqual({ sub: 'u1', role: 'partner', org: 'catl-energy' });
    expect(claims[BODY_BINDING_CLAIM]).toBe(requestBinding(body));
    expect(claims.exp! - claims.iat!).toBe(60);
    expect(typeof claims.jti).toBe('string');
  });

  test('an anonymous caller is null, and a gateway token naming the service role is refused', async () => {
    expect(callerFromClaims(await verifierFor(subgraphAudience('orders'))(await sign(null), body))).toBeNull();
    const service = await verifierFor(subgraphAudience('orders'))(await sign({ sub: 'service:orders', role: 'service' }), body);
    expect(() => callerFromClaims(service)).toThrow(/not a client identity/);
  });

  test('is refused for another audience, another request, another key, another issuer', async () => {
    expect(await refusal(verifierFor(subgraphAudience('finance'))(await sign(as()), body))).toBe('identity token was minted for another audience, not autograph:subgraph:finance');
    expect(await refusal(verifierFor(subgraphAudience('orders'))(await sign(as()), { ...body, variables: { id: 'o-2' } }))).toMatch(/^identity token was minted for another request/);
    expect(await refusal(verifierFor(subgraphAudience('orders'))(await sign(as(), subgraphAudience('orders'), generateSigningKey()), body))).toMatch(/signed with a key the gateway does not publish/);
    const elsewhere = await signIdentityToken({ key, issuer: 'someone-else', audience: subgraphAudience('orders'), identity: as(), body });
    expect(await refusal(verifierFor(subgraphAudience('orders'))(elsewhere, body))).toBe('identity token was not issued by the gateway (issuer gw-test)');
  });

  test('is refused when expired, malformed, unsigned, or signed with the right kid by another key', async () => {
    const verify = verifierFor(subgraphAudience('orders'));
    const past = Math.floor(Date.now() / 1000) - 600;
    const expired = await new SignJWT({ role: 'admin', [BODY_BINDING_CLAIM]: requestBinding(body) }).setProtectedHeader({ alg: key.alg, kid: key.kid }).setIssuer(issuer).setAudience(subgraphAudience('orders')).setSubject('u1').setJti('j').setIssuedAt(past).setExpirationTime(past + 60).sign(key.privateKey);
    expect(await refusal(verify(expired, body))).toBe('identity token has expired');
    expect(await refusal(verify('garbage', body))).toBe('malformed identity token: expected a JWT');
    expect(await refusal(verify('a.b.c', body))).toBe('malformed identity token: its header is not readable');
    expect(await refusal(verify('x'.repeat(5000), body))).toBe('malformed identity token: expected a JWT');
    const [header, payload] = (await sign(as())).split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: key.kid })).toString('base64url')}.${payload}.`;
    expect(await refusal(verify(none, body))).toMatch(/algorithm is not accepted|malformed|not valid/);
    const impostor = await sign(as(), subgraphAudience('orders'), { ...generateSigningKey(), kid: key.kid });
    expect(await refusal(verify(impostor, body))).toBe('identity token signature is not valid: call the graph through the gateway');
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), role: 'admin' })).toString('base64url')}.${(await sign(as())).split('.')[2]}`;
    expect(await refusal(verify(tampered, body))).toBe('identity token signature is not valid: call the graph through the gateway');
  });
});

function as(): Identity {
  return { sub: 'u1', role: 'customer' };
}
