import { DATETIME_MAX, DATETIME_MIN, parseIsoDateTime } from './scalars';

describe('DateTime input', () => {
  test('accepts exactly 1900-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z, offsets included', () => {
    expect(parseIsoDateTime('1900-01-01')).toEqual(DATETIME_MIN);
    expect(parseIsoDateTime('9999-12-31T23:59:59.999Z')).toEqual(DATETIME_MAX);
    expect(parseIsoDateTime('1900-01-01T01:00:00+01:00')).toEqual(DATETIME_MIN);
    for (const text of ['1899-12-31T23:59:59.999Z', '1900-01-01T00:59:59+01:00', '0000-01-01', '10000-01-01', '9999-12-31T23:00:00-01:00']) {
      expect(() => parseIsoDateTime(text)).toThrow(/outside the supported range: a DateTime must be from 1900-01-01T00:00:00.000Z up to 9999-12-31T23:59:59.999Z/);
    }
  });

  test('refuses days and hours that are not in the calendar instead of rolling them over', () => {
    expect(parseIsoDateTime('2024-02-29').toISOString()).toBe('2024-02-29T00:00:00.000Z');
    for (const text of ['2025-02-29', '2025-02-30', '2025-04-31', '2025-00-10', '2025-13-01', '2025-01-00', '2025-01-01T24:00:00Z']) {
      expect(() => parseIsoDateTime(text)).toThrow(/not a date in the calendar|not a valid date/);
    }
  });
});
