/** How an invoice's lines add up; the one place both `issueInvoice` and the seed take their sums from. */
import type { InvoiceLine } from './data/invoices';

/**
 * Splits an invoice's lines by who pays them: the manufacturer's warranty (warranty-covered lines), the
 * platform (the `packageSettledFen` part of package-covered lines) or the owner (everything else,
 * including the part of a package-covered line beyond the allowance). Every fen lands in exactly one of
 * the three, so warrantyCovered + platformSettled + ownerPaid = total, exactly.
 */
export function splitByPayer(
  lines: ReadonlyArray<Pick<InvoiceLine, 'amountFen' | 'warrantyCovered' | 'packageSettledFen'>>,
): { warrantyCoveredFen: bigint; platformSettledFen: bigint; ownerPaidFen: bigint } {
  let warrantyCoveredFen = 0n;
  let platformSettledFen = 0n;
  let ownerPaidFen = 0n;
  for (const l of lines) {
    if (l.warrantyCovered) {
      warrantyCoveredFen += l.amountFen;
    } else {
      platformSettledFen += l.packageSettledFen;
      ownerPaidFen += l.amountFen - l.packageSettledFen;
    }
  }
  return { warrantyCoveredFen, platformSettledFen, ownerPaidFen };
}

/**
 * What a prepaid maintenance service settles: the lines the warranty does not pay, in line order, up to
 * `allowanceFen` (the package's allowance per service), exact to the fen. Going down the lines with what
 * is left of the allowance:
 *  - a warranty-covered line is the manufacturer's: untouched, and it uses none of the allowance;
 *  - while some allowance is left, a line is package-covered (`coveredBy: MAINTENANCE_PACKAGE`) and the
 *    platform settles min(its amount, what is left); so the line that crosses the allowance is split:
 *    the platform settles what was left, the owner pays the rest of that line;
 *  - once the allowance is used up, the remaining lines are the owner's, as on any invoice.
 * So platformSettled = min(allowance, sum of the non-warranty lines) and the owner pays the excess.
 */
export function coverByPackage<T extends Pick<InvoiceLine, 'amountFen' | 'warrantyCovered' | 'packageCovered' | 'packageSettledFen'>>(
  lines: readonly T[],
  allowanceFen: bigint,
): T[] {
  if (allowanceFen < 0n) throw new Error(`a maintenance allowance cannot be negative (${allowanceFen} fen)`);
  let leftFen = allowanceFen;
  return lines.map((l) => {
    if (l.warrantyCovered || leftFen === 0n) return { ...l, packageCovered: false, packageSettledFen: 0n };
    const settled = l.amountFen < leftFen ? l.amountFen : leftFen;
    leftFen -= settled;
    return { ...l, packageCovered: true, packageSettledFen: settled };
  });
}
