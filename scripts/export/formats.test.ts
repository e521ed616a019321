/**
 * The conversions every format shares: an exact decimal string to its unscaled value and back (never a
 * float, never rounded), and csv's RFC 4180 quoting — the parts a process-level test would only catch
 * on data that happens to hold a comma or a third decimal.
 */
import { cellOf, column, ColumnValueError, formatScaledDecimal, parseScaledDecimal } from './columns';
import { csv, csvField, ndjson } from './text-formats';

describe('exact decimals', () => {
  it.each([
    ['0', 0n],
    ['12.3', 1230n],
    ['-12.34', -1234n],
    ['9999999999999999.99', 999999999999999999n],
  ])('%s is %p at scale 2, and formats back', (text, unscaled) => {
    expect(parseScaledDecimal(text, 18, 2)).toBe(unscaled);
    expect(parseScaledDecimal(formatScaledDecimal(unscaled, 2), 18, 2)).toBe(unscaled);
  });

  it('formats with every fraction digit', () => {
    expect(formatScaledDecimal(5n, 2)).toBe('0.05');
    expect(formatScaledDecimal(-5n, 2)).toBe('-0.05');
    expect(formatScaledDecimal(123n, 0)).toBe('123');
  });

  it.each(['1.234', '1e3', '1.5.2', '', ' 1', '99999999999999999.99'])('refuses %j instead of rounding or guessing', (text) => {
    expect(() => parseScaledDecimal(text, 18, 2)).toThrow(ColumnValueError);
  });

  it('a money column reads the decimal string, and refuses a JSON number (a float on the wire)', () => {
    const amount = column.money('amount', ['amount', 'amount'], true);
    expect(cellOf({ amount: { amount: '69800.10' } }, amount)).toBe(6980010n);
    expect(cellOf({ amount: null }, amount)).toBeNull();
    expect(() => cellOf({ amount: { amount: 69800.1 } }, amount)).toThrow(/not a decimal string/);
    expect(() => cellOf({ id: null }, column.string('id'))).toThrow(/not nullable/);
  });
});

describe('csv (RFC 4180)', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\r', '"cr\r"'],
    ['', '""'],
  ])('%j is written %j', (text, field) => expect(csvField(text, false)).toBe(field));

  it('a null is an empty field, apart from an empty string; rows end in CRLF after a header row', () => {
    const columns = [column.string('name'), column.string('city', ['city'], true), column.money('amount'), column.timestamp('at')];
    expect(csv.header(columns)).toBe('name,city,amount,at\r\n');
    expect(csv.rows(columns, [['a,b', null, 1234n, new Date('2025-01-02T03:04:05.006Z')], ['', '', -5n, new Date(0)]])).toBe(
      '"a,b",,12.34,2025-01-02T03:04:05.006Z\r\n"","",-0.05,1970-01-01T00:00:00.000Z\r\n',
    );
  });
});

describe('ndjson', () => {
  it('writes decimals as strings and keys in column order', () => {
    const columns = [column.string('id'), column.money('amount', ['amount'], true), column.int('n'), column.boolean('ok')];
    expect(ndjson.rows(columns, [['x', 1n, 3, true], ['y', null, 0, false]])).toBe('{"id":"x","amount":"0.01","n":3,"ok":true}\n{"id":"y","amount":null,"n":0,"ok":false}\n');
  });
});
