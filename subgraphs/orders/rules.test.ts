/** The buying rules (deposit, price split) and the input checks (VINs, idempotency keys, test-drive times) on their own. */
import { GraphQLError } from 'graphql';
import { DEPOSIT_FEN, depositFor, requestFingerprint, splitPrice } from './rules';
import { checkIdempotencyKey, checkTestDriveTime, parseVin } from './validation';

const codeAndField = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return [(err as GraphQLError).extensions.code, (err as GraphQLError).extensions.field];
  }
  return ['OK'];
};

test('the deposit is 5000.00, or the whole price when that is smaller', () => {
  expect(DEPOSIT_FEN).toBe(500_000n);
  expect(depositFor(6_980_000n)).toBe(500_000n);
  expect(depositFor(300_000n)).toBe(300_000n);
});

test('deposit + trade-in credit + financed + balance always equals the total', () => {
  for (const [total, credit, financed] of [[6_980_000n, 0n, 0n], [6_980_000n, 1_234_567n, 3_000_000n], [6_980_000n, 0n, 6_480_000n], [400_000n, 0n, 0n]]) {
    const s = splitPrice(total, credit, financed);
    expect(s.depositFen + s.tradeInCreditFen + s.financedFen + s.balanceDueFen).toBe(total);
    expect(s.balanceDueFen).toBeGreaterThanOrEqual(0n);
  }
});

test('a split with a negative balance is refused, naming what to change', () => {
  expect(codeAndField(() => splitPrice(6_980_000n, 0n, 6_480_001n))).toEqual(['BAD_USER_INPUT', 'financedAmount']);
  expect(codeAndField(() => splitPrice(6_980_000n, 6_480_001n, 0n))).toEqual(['BAD_USER_INPUT', 'tradeInId']);
});

test('VINs are 17 characters without I, O or Q, normalised to upper case', () => {
  expect(parseVin(' ljdag000000000001 ')).toBe('LJDAG000000000001');
  for (const bad of ['LJDAG00000000001', 'LJDAG0000000000012', 'LJDAGI00000000001', 'LJDAGQ00000000001', 'LJDAG 0000000000001']) {
    expect(codeAndField(() => parseVin(bad))).toEqual(['BAD_USER_INPUT', 'vin']);
  }
});

test('idempotency keys are 1 to 100 printable ASCII characters', () => {
  expect(checkIdempotencyKey('3f2a-key')).toBe('3f2a-key');
  expect(checkIdempotencyKey('x'.repeat(100))).toHaveLength(100);
  for (const bad of ['', '   ', 'x'.repeat(101), 'tab\there', 'ключ']) expect(codeAndField(() => checkIdempotencyKey(bad))).toEqual(['BAD_USER_INPUT', 'idempotencyKey']);
});

test('a test drive is in the future and at most 90 days ahead', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  expect(codeAndField(() => checkTestDriveTime(new Date('2026-01-01T00:00:00Z'), now))).toEqual(['BAD_USER_INPUT', 'at']);
  expect(codeAndField(() => checkTestDriveTime(new Date('2026-04-01T00:00:01Z'), now))).toEqual(['BAD_USER_INPUT', 'at']);
  expect(codeAndField(() => checkTestDriveTime(new Date('2026-04-01T00:00:00Z'), now))).toEqual(['OK']);
});

test('a request fingerprint ignores the order accessories are listed in, and nothing else', () => {
  const base = { trimId: 't', colourId: null, packageId: null, accessoryIds: ['a', 'b'], financedFen: 0n, tradeInId: null };
  expect(requestFingerprint({ ...base, accessoryIds: ['b', 'a'] })).toBe(requestFingerprint(base));
  expect(requestFingerprint({ ...base, financedFen: 1n })).not.toBe(requestFingerprint(base));
  expect(requestFingerprint({ ...base, colourId: 'c' })).not.toBe(requestFingerprint(base));
  expect(requestFingerprint({ ...base, tradeInId: 'ti' })).not.toBe(requestFingerprint(base));
});
