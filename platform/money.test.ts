import { DecimalScalar, divideRoundHalfUp, fenFromDb, formatFen, parseDecimalToFen, MoneyFormatError } from './money';
import { Kind } from 'graphql';

describe('money: exact decimal strings <-> bigint fen', () => {
  test.each([
    ['0', 0n],
    ['69800', 6980000n],
    ['69800.5', 6980050n],
    ['69800.55', 6980055n],
    ['-12.30', -1230n],
    ['0.01', 1n],
    ['9999999999999.99', 999999999999999n],
  ])('parses %s to %p fen', (text, fen) => {
    expect(parseDecimalToFen(text)).toBe(fen);
  });

  test.each(['', '1.234', '1e3', '12,00', ' 1', '1 ', '+1', '.5', '1.', 'NaN', '0x10', '١٢'])('refuses %p instead of rounding or guessing', (text) => {
    expect(() => parseDecimalToFen(text)).toThrow(MoneyFormatError);
  });

  test('refuses amounts beyond the accepted maximum', () => {
    expect(() => parseDecimalToFen('10000000000000.01')).toThrow(/larger than/);
  });

  test('formats fen with two fraction digits, negative included', () => {
    expect(formatFen(6980000n)).toBe('69800.00');
    expect(formatFen(5n)).toBe('0.05');
    expect(formatFen(-105n)).toBe('-1.05');
    expect(formatFen(123456789012345678901234567890n)).toBe('1234567890123456789012345678.90');
  });

  test('round-trips every amount in a range exactly', () => {
    for (let fen = -2000n; fen <= 2000n; fen += 7n) expect(parseDecimalToFen(formatFen(fen))).toBe(fen);
  });

  test('reads database values without passing through a float', () => {
    expect(fenFromDb('9007199254740993')).toBe(9007199254740993n);
    expect(fenFromDb(42)).toBe(42n);
    expect(() => fenFromDb(0.5)).toThrow();
    expect(() => fenFromDb(2 ** 60)).toThrow();
    expect(() => fenFromDb('1.5')).toThrow();
  });

  test('a missing amount (null or undefined) is an error, never zero', () => {
    expect(() => fenFromDb(null)).toThrow(/missing amount of fen/);
    expect(() => fenFromDb(undefined)).toThrow(/missing amount of fen/);
  });

  test('the Decimal scalar refuses numbers and malformed literals with BAD_USER_INPUT', () => {
    expect(() => DecimalScalar.parseValue(12.5)).toThrow(/must be a decimal string like "123.45", not a number/);
    expect(() => DecimalScalar.parseValue('12.555')).toThrow(/not an exact amount/);
    expect(() => DecimalScalar.parseLiteral({ kind: Kind.FLOAT, value: '1.5' } as never)).toThrow(/must be strings/);
    expect(DecimalScalar.parseValue('12.5')).toBe(1250n);
    expect(DecimalScalar.serialize(1250n)).toBe('12.50');
  });
});

describe('divideRoundHalfUp: a computed amount rounded to the fen once', () => {
  test('rounds a half up and anything below it down, exactly', () => {
    expect(divideRoundHalfUp(5n, 2n)).toBe(3n);
    expect(divideRoundHalfUp(7n, 3n)).toBe(2n);
    expect(divideRoundHalfUp(8n, 3n)).toBe(3n);
    expect(divideRoundHalfUp(0n, 7n)).toBe(0n);
    expect(divideRoundHalfUp(10n ** 30n + 1n, 2n)).toBe(5n * 10n ** 29n + 1n);
  });
  test('refuses a negative dividend and a divisor that is not positive', () => {
    expect(() => divideRoundHalfUp(-1n, 2n)).toThrow(RangeError);
    expect(() => divideRoundHalfUp(1n, 0n)).toThrow(RangeError);
  });
});
