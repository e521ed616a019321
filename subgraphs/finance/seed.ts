/**
 * The finance seed: a loan or lease for every financed order, with every instalment that fell due
 * before the seed's "now" paid (a few days early at most), and yearly insurance for every delivered
 * vehicle: compulsory cover every year, commercial cover in about 70% of years. Deterministic from
 * `world.rng`; writes only finance's tables, in a few multi-row statements.
 */
import { DEMO_USER, addDays, type SeedStage, type SeedWorld } from '../kit/seed';
import { ORDERS } from './seed-facts';
import type { Db } from '../../platform/db';
import { seedId } from '../kit/ids';
import { allProducts, insertPolicies, type InsuranceProductRow, type NewPolicy } from './data/insurance';
import { insertInstalments, insertLoans, type FinanceKind, type LoanSeedRow, type NewInstalment } from './data/loans';
import { addMonthsUtc, buildSchedule } from './schedule';

/** Rates offered in the seed: 0% manufacturer promotions and typical captive-finance rates. */
const SEED_RATES_BPS = [0, 199, 299, 399, 499] as const;

export interface FinanceSeedRows {
  loans: LoanSeedRow[];
  instalments: NewInstalment[];
  policies: NewPolicy[];
}

/** Builds every row the seed writes (pure: no database), so it can be checked without one. */
export function planFinanceSeed(world: SeedWorld, products: readonly InsuranceProductRow[]): FinanceSeedRows {
  const { rng, now } = world;
  const loans: LoanSeedRow[] = [];
  const instalments: NewInstalment[] = [];
  const policies: NewPolicy[] = [];

  for (const order of world.read(ORDERS.orders)) {
    if (order.financedFen <= 0n) continue;
    // The finance contract is signed about a week after the order is placed.
    const openedAt = addDays(order.placedAt, rng.int(5, 9) + rng.next());
    if (openedAt >= now) continue;
    const isDemo = order.userId === DEMO_USER;
    const termMonths = isDemo ? 36 : rng.pick([36, 60] as const);
    const kind: FinanceKind = !isDemo && rng.chance(0.2) ? 'LEASE' : 'LOAN';
    const annualRateBps = isDemo ? 399 : rng.pick(SEED_RATES_BPS);
    const loanId = seedId('loan', loans.length + 1);
    let lastPaidAt: Date | null = null;
    let allPaid = true;
    for (const s of buildSchedule({ principalFen: order.financedFen, annualRateBps, termMonths, openedAt })) {
      const paid = s.dueAt < now;
      // Paid on the due date or up to three days before it: always after opening and before "now".
      const paidAt = paid ? addDays(s.dueAt, -rng.int(0, 3) - rng.next() / 2) : null;
      if (paidAt) lastPaidAt = paidAt;
      else allPaid = false;
      // A literal of fixed shape, not a spread: ~170,000 of these are kept at 10,000 users, and spread copies are several times slower to build and collect.
      instalments.push({
        id: seedId('inst', instalments.length + 1),
        loanId,
        sequence: s.sequence,
        dueAt: s.dueAt,
        principalFen: s.principalFen,
        interestFen: s.interestFen,
        amountFen: s.amountFen,
        status: paid ? 'PAID' : 'DUE',
        paidAt,
      });
    }
    loans.push({
      id: loanId,
      kind,
      orderId: order.id,
      userId: order.userId,
      principalFen: order.financedFen,
      annualRateBps,
      termMonths,
      openedAt,
      status: allPaid ? 'PAID_OFF' : 'ACTIVE',
      paidOffAt: allPaid ? lastPaidAt : null,
    });
  }

  const insurers = [...new Set(products.map((p) => p.insurerOrg))].sort();
  const productOf = (org: string, kind: InsuranceProductRow['kind']) => {
    const product = products.find((p) => p.insurerOrg === org && p.kind === kind);
    if (!product) throw new Error(`finance seed: no ${kind} product for ${org} in finance.insurance_products`);
    return product;
  };
  for (const vehicle of world.read(ORDERS.vehicles)) {
    // Owners mostly stay with one insurer; about one in five switches at a renewal.
    let insurer = rng.pick(insurers);
    for (let year = 0; ; year++) {
      const startsAt = addMonthsUtc(vehicle.deliveredAt, 12 * year);
      if (startsAt >= now) break;
      if (year > 0 && rng.chance(0.2)) insurer = rng.pick(insurers);
      // The first year's cover is bought at delivery; renewals up to ten days before the old cover ends.
      const purchasedAt = year === 0 ? startsAt : addDays(startsAt, -rng.int(1, 10));
      const endsAt = addMonthsUtc(startsAt, 12);
      const kinds: Array<InsuranceProductRow['kind']> = ['COMPULSORY'];
      if (rng.chance(0.7) || (vehicle.ownerId === DEMO_USER && year === 0)) kinds.push('COMMERCIAL');
      for (const kind of kinds) {
        const product = productOf(insurer, kind);
        policies.push({
          id: seedId('pol', policies.length + 1),
          vin: vehicle.vin,
          userId: vehicle.ownerId,
          productId: product.id,
          premiumFen: product.annualPremiumFen,
          startsAt,
          endsAt,
          purchasedAt,
        });
      }
    }
  }
  return { loans, instalments, policies };
}

/** Fails the seed loudly when the demo user would have no finance activity to show. */
function checkDemoActivity(rows: FinanceSeedRows): void {
  const demoLoans = new Set(rows.loans.filter((l) => l.userId === DEMO_USER).map((l) => l.id));
  const paidDemoInstalment = rows.instalments.some((i) => demoLoans.has(i.loanId) && i.status === 'PAID');
  const demoPolicy = rows.policies.some((p) => p.userId === DEMO_USER);
  if (!paidDemoInstalment || !demoPolicy) {
    throw new Error(
      `finance seed: ${DEMO_USER} needs a financed order placed at least two months before the seed's now and a delivered vehicle ` +
        `in ${ORDERS.orders.key} (has a paid instalment: ${paidDemoInstalment}, has a policy: ${demoPolicy})`,
    );
  }
}

/** Writes planned rows in one transaction, through the kit's chunked bulkInsert. */
export async function writeFinanceRows(db: Db, rows: FinanceSeedRows): Promise<void> {
  await db.tx(async (q) => {
    await insertLoans(q, rows.loans);
    await insertInstalments(q, rows.instalments);
    await insertPolicies(q, rows.policies);
  });
}

export const seedFinance: SeedStage = async (db, world) => {
  const rows = planFinanceSeed(world, await allProducts(db));
  checkDemoActivity(rows);
  await writeFinanceRows(db, rows);
};
