/** How an invoice's lines add up; the one place both `issueInvoice` and the seed take their sums from. */
import type { InvoiceLine } from './data';

/**
 * Splits an invoice's lines by who pays them: the manufacturer's warranty, the platform (lines covered
 * by the vehicle's prepaid maintenance package) or the owner. Every line lands in exactly one of the
 * three, so warrantyCovered + platformSettled + ownerPaid = total, exactly.
 */
export function splitByPayer(
  lines: ReadonlyArray<Pick<InvoiceLine, 'amountFen' | 'warrantyCovered' | 'packageCovered'>>,
): { warrantyCoveredFen: bigint; platformSettledFen: bigint; ownerPaidFen: bigint } {
  let warrantyCoveredFen = 0n;
  let platformSettledFen = 0n;
  let ownerPaidFen = 0n;
  for (const l of lines) {
    if (l.warrantyCovered) warrantyCoveredFen += l.amountFen;
    else if (l.packageCovered) platformSettledFen += l.amountFen;
    else ownerPaidFen += l.amountFen;
  }
  return { warrantyCoveredFen, platformSettledFen, ownerPaidFen };
}

/**
 * Marks the lines a prepaid maintenance service covers: every line the warranty does not pay. The
 * package pays for the whole scheduled service (inspection, the schedule's parts and fluids); anything
 * the owner wants beyond it is booked as its own visit (REPAIR, TYRES, ...).
 */
export function coverByPackage<T extends Pick<InvoiceLine, 'warrantyCovered' | 'packageCovered'>>(lines: readonly T[]): T[] {
  return lines.map((l) => ({ ...l, packageCovered: !l.warrantyCovered }));
}
