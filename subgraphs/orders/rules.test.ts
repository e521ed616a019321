/** The buying rules (deposit, price split) and the input checks (idempotency keys, test-drive times) on their own. */
import { refusalOf } from '../../testing/assertions';
import { DEPOSIT_FEN, depositFor, requestFingerprint, splitPrice } from './rules';
import { checkIdempotencyKey, checkTestDriveTime } from './validation';

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
  expect(refusalOf(() => splitPrice(6_980_000n, 0n, 6_480_001n))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'financedAmount' });
  expect(refusalOf(() => splitPrice(6_980_000n, 6_480_001n, 0n))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'tradeInId' });
});

test('idempotency keys are 1 to 100 printable ASCII characters', () => {
  expect(checkIdempotencyKey('3f2a-key')).toBe('3f2a-key');
  expect(checkIdempotencyKey('x'.repeat(100))).toHaveLength(100);
  for (const bad of ['', '   ', 'x'.repeat(101), 'tab\there', 'ключ']) expect(refusalOf(() => checkIdempotencyKey(bad))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'idempotencyKey' });
});

test('a test drive is in the future and at most 90 days ahead', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  expect(refusalOf(() => checkTestDriveTime(new Date('2026-01-01T00:00:00Z'), now))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'at' });
  expect(refusalOf(() => checkTestDriveTime(new Date('2026-04-01T00:00:01Z'), now))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'at' });
  expect(refusalOf(() => checkTestDriveTime(new Date('2026-04-01T00:00:00Z'), now))).toEqual({ code: 'OK' });
});

test('a request fingerprint ignores the order accessories are listed in, and nothing else', () => {
  const base = { trimId: 't', colourId: null, packageId: null, accessoryIds: ['a', 'b'], financedFen: 0n, tradeInId: null };
  expect(requestFingerprint({ ...base, accessoryIds: ['b', 'a'] })).toBe(requestFingerprint(base));
  expect(requestFingerprint({ ...base, financedFen: 1n })).not.toBe(requestFingerprint(base));
  expect(requestFingerprint({ ...base, colourId: 'c' })).not.toBe(requestFingerprint(base));
  expect(requestFingerprint({ ...base, tradeInId: 'ti' })).not.toBe(requestFingerprint(base));
});
