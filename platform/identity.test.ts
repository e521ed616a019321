import { createHmac } from 'node:crypto';
import { IdentityError, signIdentity, verifyIdentity } from './identity';

const secret = 's'.repeat(32);

describe('forwarded identity between gateway and subgraphs', () => {
  test('a signed identity verifies and keeps role and org', () => {
    const header = signIdentity({ sub: 'u1', role: 'partner', org: 'catl-energy' }, secret);
    expect(verifyIdentity(header, secret)).toEqual({ sub: 'u1', role: 'partner', org: 'catl-energy' });
  });

  test('a header signed with another secret is refused', () => {
    const header = signIdentity({ sub: 'u1', role: 'admin' }, 'x'.repeat(32));
    expect(() => verifyIdentity(header, secret)).toThrow(IdentityError);
  });

  test('changing the payload of a signed header is refused', () => {
    const header = signIdentity({ sub: 'u1', role: 'customer' }, secret);
    const [, sig] = header.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'u1', role: 'admin', exp: 9999999999 })).toString('base64url');
    expect(() => verifyIdentity(`${forged}.${sig}`, secret)).toThrow(/signature/);
  });

  test('an expired header is refused', () => {
    const header = signIdentity({ sub: 'u1', role: 'customer' }, secret, 1000);
    expect(() => verifyIdentity(header, secret, 2000)).toThrow(/expired/);
  });

  test.each(['', 'abc', '.', 'a.b', 'x'.repeat(5000)])('malformed header %p is refused', (header) => {
    expect(() => verifyIdentity(header, secret)).toThrow(IdentityError);
  });
});

describe('the anonymous form of a forwarded identity', () => {
  test('an anonymous caller signed by the gateway verifies as null (anonymous), not as an error', () => {
    expect(verifyIdentity(signIdentity(null, secret), secret)).toBeNull();
  });

  test('an anonymous header signed with another secret is refused', () => {
    expect(() => verifyIdentity(signIdentity(null, 'x'.repeat(32)), secret)).toThrow(/signature/);
  });

  test('an expired anonymous header is refused', () => {
    expect(() => verifyIdentity(signIdentity(null, secret, 1000), secret, 2000)).toThrow(/expired/);
  });

  test('a signed payload that is both anonymous and someone is refused as malformed', () => {
    const payload = Buffer.from(JSON.stringify({ anonymous: true, sub: 'u1', role: 'admin', exp: 9999999999 })).toString('base64url');
    const header = `${payload}.${createHmac('sha256', secret).update(payload).digest('base64url')}`;
    expect(() => verifyIdentity(header, secret)).toThrow(/malformed/);
  });
});
