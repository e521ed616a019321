/**
 * The finance seed: a loan or lease for every financed order, with every instalment that fell due
 * before the seed's "now" paid (a few days early at most), and yearly insurance for every delivered
 * vehicle: compulsory cover every year, commercial cover in about 70% of years. Deterministic from
 * `world.rng`; writes only finance's tables, streaming order by order and vehicle by vehicle through
 * the kit's writer (memory bounded by its batch, not by the number of users).
 */
import { DEMO_USER, addDays, type SeedStage, type SeedWorld } from '../kit/seed';
import { ORDERS, type SeededOrder } from './seed-facts';
import type { Db } from '../../platform/db';
import { insertAll } from '../kit/bulk';
import { seedId } from '../kit/ids';
import { allProducts, POLICIES_TABLE, type InsuranceProductRow, type NewPolicy } from './data/insurance';
import { INSTALMENTS_TABLE, LOANS_TABLE, type FinanceKind, type LoanSeedRow, type NewInstalment } from './data/loans';
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
  const all: FinanceSeedRows = { loans: [], instalments: [], policies: [] };
  for (const rows of financeSeedRows(world, products)) {
    all.loans.push(...rows.loans);
    all.instalments.push(...rows.instalments);
    all.policies.push(...rows.policies);
  }
  return all;
}

/**
 * The seed's rows one unit at a time — each financed order's loan and schedule, then each vehicle's
 * policies — so the stage streams them instead of holding them all. Yields once per order and per
 * vehicle (empty rows for an order that is not financed), in the order the random stream is drawn.
 */
export function* financeSeedRows(world: SeedWorld, products: readonly InsuranceProductRow[]): Generator<FinanceSeedRows> {
  const { rng, now } = world;
  let loanCount = 0;
  let instalmentCount = 0;
  let policyCount = 0;

  // One order's loan and schedule, into `loans` and `instalments`; nothing when it is not financed.
  const financeOrder = (order: SeededOrder, loans: LoanSeedRow[], instalments: NewInstalment[]): void => {
    if (order.financedFen <= 0n) return;
    // The finance contract is signed about a week after the order is placed.
    const openedAt = addDays(order.placedAt, rng.int(5, 9) + rng.next());
    if (openedAt >= now) return;
    const isDemo = order.userId === DEMO_USER;
    const termMonths = isDemo ? 36 : rng.pick([36, 60] as const);
    const kind: FinanceKind = !isDemo && rng.chance(0.2) ? 'LEASE' : 'LOAN';
    const annualRateBps = isDemo ? 399 : rng.pick(SEED_RATES_BPS);
    const loanId = seedId('loan', ++loanCount);
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
        id: seedId('inst', ++instalmentCount),
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
  };
  for (const order of world.read(ORDERS.orders)) {
    const rows: FinanceSeedRows = { loans: [], instalments: [], policies: [] };
    financeOrder(order, rows.loans, rows.instalments);
    yield rows;
  }

  const insurers = [...new Set(products.map((p) => p.insurerOrg))].sort();
  const productOf = (org: string, kind: InsuranceProductRow['kind']) => {
    const product = products.find((p) => p.insurerOrg === org && p.kind === kind);
    if (!product) throw new Error(`finance seed: no ${kind} product for ${org} in finance.insurance_products`);
    return product;
  };
  for (const vehicle of world.read(ORDERS.vehicles)) {
    const policies: NewPolicy[] = [];
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
          id: seedId('pol', ++policyCount),
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
    yield { loans: [], instalments: [], policies };
  }
}

/**
 * Watches the streamed rows for the demo user's finance activity; `check()` fails the seed loudly
 * (before its transaction commits) when they would have none to show.
 */
class DemoActivityCheck {
  private readonly demoLoans = new Set<string>();
  private paidDemoInstalment = false;
  private demoPolicy = false;

  see(rows: FinanceSeedRows): void {
    for (const l of rows.loans) if (l.userId === DEMO_USER) this.demoLoans.add(l.id);
    if (!this.paidDemoInstalment) this.paidDemoInstalment = rows.instalments.some((i) => i.status === 'PAID' && this.demoLoans.has(i.loanId));
    if (!this.demoPolicy) this.demoPolicy = rows.policies.some((p) => p.userId === DEMO_USER);
  }

  check(): void {
    const { paidDemoInstalment, demoPolicy } = this;
    if (!paidDemoInstalment || !demoPolicy) {
    throw new Error(
      `finance seed: ${DEMO_USER} needs a financed order placed at least two months before the seed's now and a delivered vehicle ` +
        `in ${ORDERS.orders.key} (has a paid instalment: ${paidDemoInstalment}, has a policy: ${demoPolicy})`,
      );
    }
  }
}

/** Writes planned rows in one transaction, through the kit's chunked bulkInsert. */
export async function writeFinanceRows(db: Db, rows: FinanceSeedRows): Promise<void> {
  await db.tx(async (q) => {
    await insertAll(q, LOANS_TABLE, rows.loans);
    await insertAll(q, INSTALMENTS_TABLE, rows.instalments);
    await insertAll(q, POLICIES_TABLE, rows.policies);
  });
}

export const seedFinance: SeedStage = async (db, world) => {
  const products = await allProducts(db);
  const units = world.read(ORDERS.orders).length + world.read(ORDERS.vehicles).length;
  await db.tx(async (q) => {
    const writer = world.writer(q, { stage: 'finance', units, unit: 'orders and vehicles' });
    const loans = writer.tableOf(LOANS_TABLE);
    // Instalments are the most rows; their foreign key to the loans is checked once after the load.
    // The seed writes each instalment's borrower, which instalments_borrower copies from the loan on a live insert.
    const instalments = writer.tableOf(INSTALMENTS_TABLE, { bulkLoad: true, extraColumns: [['user_id', 'text']], bypassTriggers: ['instalments_borrower'] });
    const policies = writer.tableOf(POLICIES_TABLE, { bulkLoad: true });
    const demo = new DemoActivityCheck();
    for (const rows of financeSeedRows(world, products)) {
      demo.see(rows);
      for (const l of rows.loans) loans.add(l);
      for (const i of rows.instalments) instalments.add(i, rows.loans[0].userId);
      for (const p of rows.policies) policies.add(p);
      await writer.tick();
    }
    demo.check(); // before the last batches: a seed without the demo user's activity writes no more
    await writer.finish();
  });
};
