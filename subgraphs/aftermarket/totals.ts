/** How an invoice's lines add up; the one place both `issueInvoice` and the seed take their sums from. */
import type { InvoiceLine } from './data';

/**
 * Splits an invoice's lines into what the manufacturer's warranty pays and what the owner pays.
 * Every line lands in exactly one of the two, so warrantyCovered + ownerPaid = total, exactly.
 */
export function splitByWarranty(lines: ReadonlyArray<Pick<InvoiceLine, 'amountFen' | 'warrantyCovered'>>): { warrantyCoveredFen: bigint; ownerPaidFen: bigint } {
  let warrantyCoveredFen = 0n;
  let ownerPaidFen = 0n;
  for (const l of lines) {
    if (l.warrantyCovered) warrantyCoveredFen += l.amountFen;
    else ownerPaidFen += l.amountFen;
  }
  return { warrantyCoveredFen, ownerPaidFen };
}
