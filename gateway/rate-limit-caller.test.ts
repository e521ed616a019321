import { clientAddress, rateLimitBudgets } from './rate-limit-caller';

/** The first budget: the caller's own. */
const rateLimitCaller = (...args: Parameters<typeof rateLimitBudgets>) => rateLimitBudgets(...args)[0];

describe('the client address', () => {
  test('is the peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(clientAddress('10.0.0.7', '1.2.3.4', 0)).toBe('10.0.0.7');
    expect(clientAddress('::ffff:10.0.0.7', ['1.2.3.4', '5.6.7.8'], 0)).toBe('10.0.0.7');
  });

  test('with one trusted proxy, is the entry that proxy appended, not what the client wrote before it', () => {
    expect(clientAddress('10.0.0.1', '203.0.113.9', 1)).toBe('203.0.113.9');
    expect(clientAddress('10.0.0.1', '6.6.6.6, 203.0.113.9', 1)).toBe('203.0.113.9');
    expect(clientAddress('10.0.0.1', ['6.6.6.6', '7.7.7.7, 203.0.113.9'], 1)).toBe('203.0.113.9');
  });

  test('with two trusted proxies, is the entry the outer proxy appended', () => {
    expect(clientAddress('10.0.0.2', '6.6.6.6, 203.0.113.9, 10.0.0.1', 2)).toBe('203.0.113.9');
    expect(clientAddress('10.0.0.2', '2001:DB8::1, 10.0.0.1', 2)).toBe('2001:db8:0:0::/64');
  });

  test('an IPv6 address counts as its /64 network, however it is spelled', () => {
    const network = '2001:db8:0:7::/64';
    for (const a of ['2001:db8:0:7::1', '2001:0db8:0000:0007:ffff:1:2:3', '2001:DB8:0:7:a::', '2001:db8:0:7::1.2.3.4', '2001:db8:0:7::1%eth0']) expect(clientAddress(a, undefined, 0)).toBe(network);
    expect(clientAddress('2001:db8:0:8::1', undefined, 0)).not.toBe(network);
    expect(clientAddress('::1', undefined, 0)).toBe('0:0:0:0::/64');
    expect(clientAddress('fe80::1:2:3:4', undefined, 0)).toBe('fe80:0:0:0::/64');
  });

  test('falls back to the peer when the header is missing, short, or not an address', () => {
    expect(clientAddress('10.0.0.1', undefined, 1)).toBe('10.0.0.1');
    expect(clientAddress('10.0.0.2', '10.0.0.1', 3)).toBe('10.0.0.1');
    expect(clientAddress('10.0.0.1', 'not-an-address', 1)).toBe('10.0.0.1');
    expect(clientAddress(undefined, undefined, 0)).toBe('unknown');
  });
});

describe('who is counted', () => {
  test('a verified caller by role and subject (and a partner by organisation too), not by address', () => {
    expect(rateLimitCaller({ sub: 'u-1', role: 'customer' }, 'app', '1.1.1.1').key).toBe('customer:u-1');
    expect(rateLimitCaller({ sub: 'u-1', role: 'customer' }, 'other', '2.2.2.2').key).toBe('customer:u-1');
    expect(rateLimitCaller({ sub: 'u-1', role: 'admin' }, undefined, '1.1.1.1').key).toBe('admin:u-1');
    expect(rateLimitCaller({ sub: 'ci', role: 'partner', org: 'a/b' }, undefined, '1.1.1.1')).toMatchObject({ role: 'partner', key: 'partner:a%2Fb/ci' });
  });

  test('an anonymous caller by client name and address', () => {
    const a = rateLimitCaller(null, 'web', '1.1.1.1');
    expect(a).toMatchObject({ role: 'anonymous', key: 'anonymous:web@1.1.1.1' });
    expect(rateLimitCaller(undefined, 'ios', '1.1.1.1').key).not.toBe(a.key);
    expect(rateLimitCaller(null, 'web', '1.1.1.2').key).not.toBe(a.key);
    expect(rateLimitCaller(null, undefined, '1.1.1.1').key).toBe('anonymous:@1.1.1.1');
  });

  test('an anonymous caller also spends from the budget its address shares with every client name; a verified one does not', () => {
    const shared = { role: 'anonymous-address', key: 'anonymous-address:1.1.1.1' };
    expect(rateLimitBudgets(null, 'web', '1.1.1.1')[1]).toMatchObject(shared);
    expect(rateLimitBudgets(null, 'ios', '1.1.1.1')[1]).toMatchObject(shared);
    expect(rateLimitBudgets(null, 'web', '1.1.1.2')[1].key).toBe('anonymous-address:1.1.1.2');
    expect(rateLimitBudgets({ sub: 'u-1', role: 'customer' }, 'web', '1.1.1.1')).toHaveLength(1);
  });

  test('a client name is bounded and escaped in the key', () => {
    const key = rateLimitCaller(null, `${'x'.repeat(500)}`, '1.1.1.1').key;
    expect(key).toBe(`anonymous:${'x'.repeat(64)}@1.1.1.1`);
    expect(rateLimitCaller(null, 'a@b:c', '1.1.1.1').key).toBe('anonymous:a%40b%3Ac@1.1.1.1');
  });
});
