import {
  addMonthsUtc,
  ALLOWED_TERMS_MONTHS,
  annuityPaymentFen,
  buildSchedule,
  loanPosition,
  MAX_ANNUAL_RATE_BPS,
  monthlyInterestFen,
} from './schedule';

const OPENED = new Date('2025-01-31T09:30:00.000Z');

const PRINCIPALS = [1n, 2n, 6n, 11n, 59n, 60n, 61n, 99n, 100n, 12_345n, 1_000_000n, 9_999_999n, 26_980_000n, 123_456_789n, 10n ** 15n];
const RATES = [0, 1, 99, 199, 299, 399, 450, 999, 1999, 3599, MAX_ANNUAL_RATE_BPS];

describe('monthlyInterestFen', () => {
  test('is outstanding × bps / 120000 rounded half-up to the fen', () => {
    // 50 fen × 36% / 12 = 1.5 fen → 2; 49 fen → 1.47 → 1
    expect(monthlyInterestFen(50n, 3600)).toBe(2n);
    expect(monthlyInterestFen(49n, 3600)).toBe(1n);
    // 100,000.00 yuan at 3.99%: 33,250 fen exactly
    expect(monthlyInterestFen(10_000_000n, 399)).toBe(33_250n);
    expect(monthlyInterestFen(10_000_000n, 0)).toBe(0n);
  });
});

describe('annuityPaymentFen', () => {
  test('matches exact rational values computed independently', () => {
    // Oracle: Python Fraction, floor(P·b·(D+b)^n / (D·((D+b)^n − D^n)) + 1/2) with D = 120000.
    expect(annuityPaymentFen(10_000_000n, 399, 36)).toBe(295_195n); // 100,000 yuan, 3.99%, 36 months → 2,951.95
    expect(annuityPaymentFen(26_980_000n, 299, 60)).toBe(484_675n);
    expect(annuityPaymentFen(50_000_000n, 450, 48)).toBe(1_140_174n);
    expect(annuityPaymentFen(1n, 3600, 60)).toBe(0n);
  });

  test('is principal / term rounded half-up at a 0% rate', () => {
    expect(annuityPaymentFen(3_600_000n, 0, 36)).toBe(100_000n);
    expect(annuityPaymentFen(6n, 0, 12)).toBe(1n);
    expect(annuityPaymentFen(5n, 0, 12)).toBe(0n);
  });

  test('refuses terms that cannot describe a loan', () => {
    expect(() => annuityPaymentFen(0n, 399, 36)).toThrow(RangeError);
    expect(() => annuityPaymentFen(100n, -1, 36)).toThrow(RangeError);
    expect(() => annuityPaymentFen(100n, MAX_ANNUAL_RATE_BPS + 1, 36)).toThrow(RangeError);
    expect(() => annuityPaymentFen(100n, 1.5, 36)).toThrow(RangeError);
    expect(() => annuityPaymentFen(100n, 399, 0)).toThrow(RangeError);
  });
});

describe('buildSchedule', () => {
  test('principal parts add up exactly to the principal, and every amount is principal part + interest part, for every principal, rate and term', () => {
    const failures: string[] = [];
    let checked = 0;
    for (const principalFen of PRINCIPALS) {
      for (const annualRateBps of RATES) {
        for (const termMonths of ALLOWED_TERMS_MONTHS) {
          const label = `${principalFen} fen at ${annualRateBps} bps over ${termMonths} months`;
          const schedule = buildSchedule({ principalFen, annualRateBps, termMonths, openedAt: OPENED });
          const payment = annuityPaymentFen(principalFen, annualRateBps, termMonths);
          if (schedule.length !== termMonths) failures.push(`${label}: ${schedule.length} instalments`);
          let outstanding = principalFen;
          let principalSum = 0n;
          for (const row of schedule) {
            if (typeof row.principalFen !== 'bigint' || typeof row.interestFen !== 'bigint') failures.push(`${label}: #${row.sequence} is not bigint`);
            if (row.principalFen < 0n || row.interestFen < 0n) failures.push(`${label}: #${row.sequence} has a negative part`);
            if (row.amountFen !== row.principalFen + row.interestFen) failures.push(`${label}: #${row.sequence} amount is not principal + interest`);
            if (row.interestFen !== monthlyInterestFen(outstanding, annualRateBps)) failures.push(`${label}: #${row.sequence} interest is not outstanding × rate / 12`);
            // Every instalment but the last pays the level amount, unless the principal is already repaid.
            if (row.sequence < termMonths && row.principalFen < outstanding && row.amountFen !== payment) failures.push(`${label}: #${row.sequence} is not the level payment`);
            outstanding -= row.principalFen;
            principalSum += row.principalFen;
            if (outstanding < 0n) failures.push(`${label}: #${row.sequence} repays more than is owed`);
          }
          if (principalSum !== principalFen) failures.push(`${label}: principal parts sum to ${principalSum}`);
          checked++;
        }
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBe(PRINCIPALS.length * RATES.length * ALLOWED_TERMS_MONTHS.length);
  });

  test('a realistic loan pays a level amount and its last instalment differs from it only by the rounding remainder', () => {
    const schedule = buildSchedule({ principalFen: 10_000_000n, annualRateBps: 399, termMonths: 36, openedAt: OPENED });
    const amounts = new Set(schedule.slice(0, -1).map((r) => r.amountFen));
    expect([...amounts]).toEqual([295_195n]);
    const last = schedule[35];
    const diff = last.amountFen - 295_195n;
    expect(diff >= -36n && diff <= 36n).toBe(true);
    expect(schedule[0].interestFen).toBe(33_250n);
    expect(schedule[0].principalFen).toBe(295_195n - 33_250n);
    const totalInterest = schedule.reduce((s, r) => s + r.interestFen, 0n);
    const totalPaid = schedule.reduce((s, r) => s + r.amountFen, 0n);
    expect(totalPaid).toBe(10_000_000n + totalInterest);
  });

  test('a 0% loan charges no interest and splits the principal evenly', () => {
    const schedule = buildSchedule({ principalFen: 3_600_000n, annualRateBps: 0, termMonths: 36, openedAt: OPENED });
    expect(schedule.every((r) => r.interestFen === 0n && r.amountFen === 100_000n)).toBe(true);
  });

  test('a 0% loan whose principal does not divide by the term puts the remainder on the last instalment', () => {
    const schedule = buildSchedule({ principalFen: 1_000_001n, annualRateBps: 0, termMonths: 12, openedAt: OPENED });
    expect(schedule.slice(0, 11).every((r) => r.amountFen === 83_333n)).toBe(true);
    expect(schedule[11].amountFen).toBe(1_000_001n - 11n * 83_333n);
  });

  test('a 1 fen principal is repaid by the last instalment, the others are zero', () => {
    for (const rate of [0, 399, MAX_ANNUAL_RATE_BPS]) {
      const schedule = buildSchedule({ principalFen: 1n, annualRateBps: rate, termMonths: 12, openedAt: OPENED });
      expect(schedule.slice(0, 11).every((r) => r.amountFen === 0n)).toBe(true);
      expect(schedule[11]).toMatchObject({ principalFen: 1n, interestFen: 0n, amountFen: 1n });
    }
  });

  test('a level payment rounded up never repays more than is owed (6 fen over 12 months at 0%)', () => {
    const schedule = buildSchedule({ principalFen: 6n, annualRateBps: 0, termMonths: 12, openedAt: OPENED });
    expect(schedule.map((r) => Number(r.principalFen))).toEqual([1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
  });

  test('the first instalment falls due one calendar month after opening, the rest monthly, clamped to month ends', () => {
    const schedule = buildSchedule({ principalFen: 1_000_000n, annualRateBps: 399, termMonths: 12, openedAt: OPENED });
    expect(schedule[0].dueAt.toISOString()).toBe('2025-02-28T09:30:00.000Z');
    expect(schedule[1].dueAt.toISOString()).toBe('2025-03-31T09:30:00.000Z');
    expect(schedule[11].dueAt.toISOString()).toBe('2026-01-31T09:30:00.000Z');
    expect(schedule.map((r) => r.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });
});

describe('addMonthsUtc', () => {
  test('handles leap years and year ends', () => {
    expect(addMonthsUtc(new Date('2027-12-31T00:00:00.000Z'), 2).toISOString()).toBe('2028-02-29T00:00:00.000Z');
    expect(addMonthsUtc(new Date('2025-11-15T23:59:59.999Z'), 1).toISOString()).toBe('2025-12-15T23:59:59.999Z');
    expect(addMonthsUtc(new Date('2025-11-15T00:00:00.000Z'), 60).toISOString()).toBe('2030-11-15T00:00:00.000Z');
  });
});

describe('loanPosition', () => {
  test('outstanding principal falls by the principal part of each paid instalment and reaches zero when all are paid', () => {
    const schedule = buildSchedule({ principalFen: 10_000_000n, annualRateBps: 399, termMonths: 36, openedAt: OPENED });
    const rows = schedule.map((r, i) => ({ ...r, status: (i < 10 ? 'PAID' : 'DUE') as 'PAID' | 'DUE' }));
    const position = loanPosition(10_000_000n, rows);
    const paidPrincipal = schedule.slice(0, 10).reduce((s, r) => s + r.principalFen, 0n);
    expect(position.outstandingPrincipalFen).toBe(10_000_000n - paidPrincipal);
    expect(position.paidFen).toBe(10n * 295_195n);
    expect(position.totalInterestFen).toBe(schedule.reduce((s, r) => s + r.interestFen, 0n));
    const allPaid = loanPosition(10_000_000n, rows.map((r) => ({ ...r, status: 'PAID' as const })));
    expect(allPaid.outstandingPrincipalFen).toBe(0n);
  });
});
