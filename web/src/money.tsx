/**
 * Money as the graph sends it: a Decimal string of yuan ("69800.00", "-1500.00"). Shown exactly, with
 * grouping, by working on the digits; never through a float. Sums (the charts' running totals) are done
 * in integer fen as BigInt.
 */
const DECIMAL = /^(-?)(\d+)(?:\.(\d{1,2}))?$/;

/** "1234567.5" → "1,234,567.50"; anything not a Decimal string is shown as it came. */
export function formatAmount(amount: string): string {
  const m = DECIMAL.exec(amount);
  if (!m) return amount;
  const [, sign, whole, frac = ''] = m;
  return `${sign}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac.padEnd(2, '0')}`;
}

export function toFen(amount: string): bigint {
  const m = DECIMAL.exec(amount);
  if (!m) throw new Error(`not a Decimal amount: ${JSON.stringify(amount)}`);
  const [, sign, whole, frac = ''] = m;
  const fen = BigInt(whole) * 100n + BigInt(frac.padEnd(2, '0'));
  return sign ? -fen : fen;
}

export function fromFen(fen: bigint): string {
  const sign = fen < 0n ? '-' : '';
  const abs = fen < 0n ? -fen : fen;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

/**
 * A chart's plotting value (yuan as a number). Only the drawing uses it; every figure a person reads —
 * labels, tooltips, the tables beside the charts — is the exact string.
 */
export const plotValue = (amount: string): number => Number(toFen(amount)) / 100;

export function Money(props: { amount: string; currency?: string; testId?: string }) {
  return (
    <span className="money" data-testid={props.testId} data-amount={props.amount}>
      {formatAmount(props.amount)} {props.currency ?? 'CNY'}
    </span>
  );
}
