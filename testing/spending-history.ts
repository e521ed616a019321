/**
 * A user's spending history written straight into every contributor's own tables (the kit's
 * `bulkInsert`, one statement per table), together with the lines each contributor's
 * `spending_lines` view must show for it. The expected lines are worked out here from the rows, not
 * read back through the views, so a view that drops, duplicates or rewords a line is caught.
 *
 * At scale 1 a history is 10,000 lines, spread over every branch of every view, plus rows each view
 * must leave out (unpaid, free or fully covered). A quarter of the times fall on the hour, so lines
 * tie on `occurred_at` within and across branches and the id tie-break is exercised; ids mix cases
 * and punctuation, so byte order (`COLLATE "C"`) differs from a natural-language order.
 */
import type { Db } from '../platform/db';
import { bulkInsert } from '../subgraphs/kit/bulk';
import type { Rng } from '../subgraphs/kit/seed';
import { compareLines, type SpendingCategory, type SpendingLine } from '../subgraphs/kit/spending';
import { formatFen } from '../platform/money';

export const CONTRIBUTORS = ['orders', 'finance', 'aftermarket', 'energy'] as const;
export type Contributor = (typeof CONTRIBUTORS)[number];
export type History = Record<Contributor, SpendingLine[]>;

/** Source rows at scale 1: 2,500 orders lines, 3,000 finance, 1,500 aftermarket, 3,000 energy. */
const SHAPE = {
  ordersWithTradeIn: 700, // deposit, balance and trade-in credit: 3 lines each
  ordersPaid: 150, // deposit and balance
  ordersDepositOnly: 80, // balance not paid yet
  ordersFullyFinanced: 20, // deposit only: nothing left to pay as balance
  ordersPlaced: 40, // nothing paid: no line
  instalmentsPaid: 2000,
  instalmentsPaidZero: 50, // moves no money: no line
  instalmentsDue: 150,
  policies: 1000,
  invoicesOwnerPaid: 1500,
  invoicesCovered: 200, // warranty or package paid it all: no line
  swapsPaid: 1000,
  swapsIncluded: 200,
  chargingPaid: 1000,
  chargingFree: 100,
  chargesPaid: 1000,
  chargesZero: 50,
};

const DAY = 86_400_000;
const FROM = Date.UTC(2015, 0, 1);
const SPAN = 10 * 365 * DAY;
const ID_CHARS = 'ABXZabxz0189-_';
let idCounter = 0;

const SERVICE_LABELS: Record<string, string> = { MAINTENANCE: 'Maintenance', REPAIR: 'Repair', TYRES: 'Tyres', FILM: 'Window film', MODIFICATION: 'Modification', WARRANTY_REPAIR: 'Warranty repair' };

/** Writes `userId`'s history (in one transaction) and returns the lines each contributor must show, sorted in the shared order. */
export async function writeHistory(db: Db, rng: Rng, userId: string, scale = 1): Promise<History> {
  const n = (k: keyof typeof SHAPE) => Math.round(SHAPE[k] * scale);
  const id = (kind: string) => `${kind}-${Array.from({ length: 6 }, () => rng.pick([...ID_CHARS])).join('')}${(idCounter++).toString(36)}`;
  const at = (): Date => {
    const t = FROM + rng.int(0, SPAN);
    return new Date(rng.chance(0.25) ? t - (t % 3_600_000) : t);
  };
  const later = (d: Date, maxDays: number) => new Date(d.getTime() + rng.int(0, maxDays * DAY));
  const fen = (min: number, max: number) => BigInt(rng.int(min, max));
  const vin = `LGAX${id('vin').replace(/[^A-Za-z0-9]/g, '').toUpperCase().padEnd(13, '0').slice(0, 13)}`;
  const history: History = { orders: [], finance: [], aftermarket: [], energy: [] };
  const line = (c: Contributor, lineId: string, occurredAt: Date, category: SpendingCategory, description: string, amount: bigint, subjectType: string, subjectId: string) =>
    history[c].push({ id: lineId, userId, occurredAt, category, description, amount, subjectType, subjectId });

  // orders: an order's deposit and balance, and the trade-in credit that settled part of the balance.
  const orders: unknown[][] = [];
  const tradeIns: unknown[][] = [];
  const orderKinds = [
    ...Array<string>(n('ordersWithTradeIn')).fill('tradeIn'), ...Array<string>(n('ordersPaid')).fill('paid'), ...Array<string>(n('ordersDepositOnly')).fill('depositOnly'),
    ...Array<string>(n('ordersFullyFinanced')).fill('fullyFinanced'), ...Array<string>(n('ordersPlaced')).fill('placed'),
  ];
  for (const kind of orderKinds) {
    const orderId = id('ord');
    const trimName = `Aion UT ${rng.pick(['330', '420', 'Swap 500'])}`;
    const total = fen(10_000_000, 30_000_000);
    const deposit = 500_000n;
    const credit = kind === 'tradeIn' ? fen(100_000, 5_000_000) : 0n;
    const financed = kind === 'fullyFinanced' ? total - deposit : rng.chance(0.5) ? 3_000_000n : 0n;
    const balance = total - deposit - credit - financed;
    const placedAt = at();
    const depositPaidAt = kind === 'placed' ? null : later(placedAt, 3);
    const balancePaidAt = kind === 'placed' || kind === 'depositOnly' ? null : later(depositPaidAt!, 30);
    const status = kind === 'placed' ? 'PLACED' : kind === 'depositOnly' ? 'DEPOSIT_PAID' : 'BALANCE_PAID';
    const tradeInId = credit > 0n ? id('tri') : null;
    if (tradeInId) {
      const description = `Traded-in hatchback no. ${tradeIns.length + 1}`;
      tradeIns.push([tradeInId, userId, description, 2016, 98_000, 'CREDITED', new Date(placedAt.getTime() - 9 * DAY), credit, new Date(placedAt.getTime() - 2 * DAY), 'partner', 'dealer-1', orderId, 'gac-aion', 'gac-aion']);
      line('orders', `orders:trade-in-credit:${tradeInId}`, balancePaidAt!, 'TRADE_IN_CREDIT', `Trade-in credit for ${description} against ${trimName}`, -credit, 'TradeIn', tradeInId);
    }
    orders.push([orderId, userId, `key-${orderId}`, 'fingerprint', status, 'trim-ut-420', trimName, false, 'gac-aion', total, deposit, tradeInId, credit, financed, balance, placedAt, depositPaidAt, balancePaidAt]);
    if (depositPaidAt) line('orders', `orders:deposit:${orderId}`, depositPaidAt, 'PURCHASE', `Deposit for ${trimName}`, deposit, 'Order', orderId);
    if (balancePaidAt && balance + credit > 0n) {
      const settled = credit > 0n ? `, of which ${formatFen(credit)} settled by trade-in` : '';
      line('orders', `orders:balance:${orderId}`, balancePaidAt, 'PURCHASE', `Balance for ${trimName}${settled}`, balance + credit, 'Order', orderId);
    }
  }

  // finance: loans of 60 instalments (the last one shorter), paid in any order; and insurance policies.
  const loans: unknown[][] = [];
  const instalments: unknown[][] = [];
  const instalmentKinds = [...Array<string>(n('instalmentsPaid')).fill('paid'), ...Array<string>(n('instalmentsPaidZero')).fill('zero'), ...Array<string>(n('instalmentsDue')).fill('due')];
  let loan = { id: '', kind: 'LOAN' };
  for (const [i, kind] of shuffle(rng, instalmentKinds).entries()) {
    if (i % 60 === 0) {
      loan = { id: id('loan'), kind: rng.pick(['LOAN', 'LEASE']) };
      loans.push([loan.id, loan.kind, id('ord'), userId, 3_000_000n, 399, 60, 'ACTIVE', at()]);
    }
    const sequence = (i % 60) + 1;
    const [principal, interest] = kind === 'zero' ? [0n, 0n] : [fen(40_000, 60_000), fen(0, 9_000)];
    const paidAt = kind === 'due' ? null : at();
    const instalmentId = id('inst');
    instalments.push([instalmentId, loan.id, sequence, at(), principal, interest, principal + interest, paidAt ? 'PAID' : 'DUE', paidAt]);
    if (kind === 'paid') line('finance', `finance:instalment:${instalmentId}`, paidAt!, 'LOAN_INSTALMENT', `${loan.kind === 'LEASE' ? 'Lease' : 'Loan'} instalment ${sequence}/60`, principal + interest, 'Instalment', instalmentId);
  }
  const products = await db.query<{ id: string; name: string; insurer_name: string }>('SELECT id, name, insurer_name FROM finance.insurance_products ORDER BY id');
  const policies: unknown[][] = [];
  for (let i = 0; i < n('policies'); i++) {
    const product = rng.pick(products);
    const [policyId, premium, purchasedAt] = [id('pol'), fen(95_000, 600_000), at()];
    policies.push([policyId, vin, userId, product.id, premium, purchasedAt, new Date(purchasedAt.getTime() + 365 * DAY), purchasedAt]);
    line('finance', `finance:insurance:${policyId}`, purchasedAt, 'INSURANCE', `${product.name} (${product.insurer_name}) for ${vin}`, premium, 'InsurancePolicy', policyId);
  }

  // aftermarket: an invoice per completed appointment; the owner-paid part is the line.
  const stores = Array.from({ length: 5 }, (_, i) => ({ id: id('store'), name: `Test store ${i} of ${userId}` }));
  const appointments: unknown[][] = [];
  const invoices: unknown[][] = [];
  for (const ownerPays of [...Array<boolean>(n('invoicesOwnerPaid')).fill(true), ...Array<boolean>(n('invoicesCovered')).fill(false)]) {
    const [store, serviceType, appointmentId, invoiceId] = [rng.pick(stores), rng.pick(Object.keys(SERVICE_LABELS)), id('apt'), id('inv')];
    const [scheduledAt, ownerPaid] = [at(), ownerPays ? fen(1, 500_000) : 0n];
    const issuedAt = later(scheduledAt, 2);
    appointments.push([appointmentId, store.id, vin, userId, serviceType, scheduledAt, 'COMPLETED', issuedAt]);
    invoices.push([invoiceId, appointmentId, store.id, vin, userId, issuedAt, fen(0, 100_000), ownerPaid, 1]);
    if (ownerPays) line('aftermarket', `aftermarket:invoice:${invoiceId}`, issuedAt, 'MAINTENANCE', `${SERVICE_LABELS[serviceType]} at ${store.name}`, ownerPaid, 'ServiceInvoice', invoiceId);
  }

  // energy: paid swaps, paid charging (dated by its end), and battery plan charges.
  const stations = Array.from({ length: 5 }, (_, i) => ({ id: id('stn'), name: `Test station ${i} of ${userId}` }));
  const swaps: unknown[][] = [];
  for (const paid of [...Array<boolean>(n('swapsPaid')).fill(true), ...Array<boolean>(n('swapsIncluded')).fill(false)]) {
    const [station, swapId, swappedAt, fee] = [rng.pick(stations), id('swap'), at(), paid ? fen(1, 9_900) : 0n];
    swaps.push([swapId, station.id, vin, userId, swappedAt, fee, false, 20, 95, 'partner:swapper-1']);
    if (paid) line('energy', `energy:swap:${swapId}`, swappedAt, 'BATTERY_SWAP', `Battery swap at ${station.name}`, fee, 'SwapSession', swapId);
  }
  const charging: unknown[][] = [];
  for (const paid of [...Array<boolean>(n('chargingPaid')).fill(true), ...Array<boolean>(n('chargingFree')).fill(false)]) {
    const [sessionId, startedAt, fee, location] = [id('chg'), at(), paid ? fen(1, 20_000) : 0n, `Charger ${rng.int(1, 9)}, ${userId}'s street`];
    const endedAt = new Date(startedAt.getTime() + rng.int(60_000, 6 * 3_600_000));
    charging.push([sessionId, vin, userId, 'state-grid', location, startedAt, endedAt, rng.int(1, 80_000), fee, 'partner:charger-1']);
    if (paid) line('energy', `energy:charging:${sessionId}`, endedAt, 'CHARGING', `Charging at ${location}`, fee, 'ChargingSession', sessionId);
  }
  const plans = await db.query<{ id: string; name: string }>('SELECT id, name FROM energy.battery_plans ORDER BY id');
  const subscriptions: unknown[][] = [];
  const charges: unknown[][] = [];
  let subscription = { id: '', plan: plans[0], start: 0 };
  for (const [i, paid] of shuffle(rng, [...Array<boolean>(n('chargesPaid')).fill(true), ...Array<boolean>(n('chargesZero')).fill(false)]).entries()) {
    if (i % 24 === 0) {
      subscription = { id: id('bsub'), plan: rng.pick(plans), start: rng.int(2000, 2090) * 12 };
      const startedAt = at();
      subscriptions.push([subscription.id, vin, userId, subscription.plan.id, 'CANCELLED', startedAt, later(startedAt, 700)]);
    }
    const month = subscription.start + (i % 24);
    const period = `${Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, '0')}`;
    const [chargeId, amount, chargedAt] = [id('bchg'), paid ? fen(39_900, 79_900) : 0n, at()];
    charges.push([chargeId, subscription.id, period, amount, chargedAt]);
    if (paid) line('energy', `energy:subscription-charge:${chargeId}`, chargedAt, 'BATTERY_SUBSCRIPTION', `Battery plan ${subscription.plan.name}, ${period}`, amount, 'BatterySubscription', subscription.id);
  }

  await db.tx(async (q) => {
    const ts = 'timestamptz';
    await bulkInsert(q, 'orders.trade_ins', [['id', 'text'], ['user_id', 'text'], ['description', 'text'], ['model_year', 'integer'], ['mileage_km', 'integer'], ['status', 'text'], ['requested_at', ts], ['appraised_value_fen', 'bigint'], ['appraised_at', ts], ['appraised_by_role', 'text'], ['appraised_by', 'text'], ['credited_order_id', 'text'], ['dealer_org', 'text'], ['appraised_by_org', 'text']], tradeIns);
    await bulkInsert(q, 'orders.orders', [['id', 'text'], ['user_id', 'text'], ['idempotency_key', 'text'], ['request_fingerprint', 'text'], ['status', 'text'], ['trim_id', 'text'], ['trim_name', 'text'], ['battery_rental', 'boolean'], ['manufacturer_org', 'text'], ['total_fen', 'bigint'], ['deposit_fen', 'bigint'], ['trade_in_id', 'text'], ['trade_in_credit_fen', 'bigint'], ['financed_fen', 'bigint'], ['balance_due_fen', 'bigint'], ['placed_at', ts], ['deposit_paid_at', ts], ['balance_paid_at', ts]], orders);
    await bulkInsert(q, 'finance.loans', [['id', 'text'], ['kind', 'text'], ['order_id', 'text'], ['user_id', 'text'], ['principal_fen', 'bigint'], ['annual_rate_bps', 'integer'], ['term_months', 'integer'], ['status', 'text'], ['opened_at', ts]], loans);
    // As finance writes them: an instalment names its loan, not the borrower.
    await bulkInsert(q, 'finance.instalments', [['id', 'text'], ['loan_id', 'text'], ['sequence', 'integer'], ['due_at', ts], ['principal_fen', 'bigint'], ['interest_fen', 'bigint'], ['amount_fen', 'bigint'], ['status', 'text'], ['paid_at', ts]], instalments);
    await bulkInsert(q, 'finance.insurance_policies', [['id', 'text'], ['vin', 'text'], ['user_id', 'text'], ['product_id', 'text'], ['premium_fen', 'bigint'], ['starts_at', ts], ['ends_at', ts], ['purchased_at', ts]], policies);
    await bulkInsert(q, 'aftermarket.stores', [['id', 'text'], ['name', 'text'], ['kind', 'text'], ['city', 'text'], ['address', 'text'], ['org', 'text'], ['services', 'text[]']], stores.map((s) => [s.id, s.name, 'MAINTENANCE', 'Guangzhou', '1 Test Road', 'jd-auto-care', Object.keys(SERVICE_LABELS)]));
    await bulkInsert(q, 'aftermarket.appointments', [['id', 'text'], ['store_id', 'text'], ['vin', 'text'], ['user_id', 'text'], ['service_type', 'text'], ['scheduled_at', ts], ['status', 'text'], ['completed_at', ts]], appointments);
    await bulkInsert(q, 'aftermarket.invoices', [['id', 'text'], ['appointment_id', 'text'], ['store_id', 'text'], ['vin', 'text'], ['user_id', 'text'], ['issued_at', ts], ['warranty_covered_fen', 'bigint'], ['owner_paid_fen', 'bigint'], ['line_count', 'integer']], invoices);
    await bulkInsert(q, 'energy.swap_stations', [['id', 'text'], ['name', 'text'], ['city', 'text'], ['address', 'text'], ['operator_org', 'text'], ['bays', 'integer']], stations.map((s) => [s.id, s.name, 'Guangzhou', '2 Test Road', 'catl-energy', 4]));
    await bulkInsert(q, 'energy.swap_sessions', [['id', 'text'], ['station_id', 'text'], ['vin', 'text'], ['user_id', 'text'], ['swapped_at', ts], ['fee_fen', 'bigint'], ['covered_by_plan', 'boolean'], ['state_of_charge_before', 'integer'], ['state_of_charge_after', 'integer'], ['recorded_by', 'text']], swaps);
    await bulkInsert(q, 'energy.charging_sessions', [['id', 'text'], ['vin', 'text'], ['user_id', 'text'], ['network_org', 'text'], ['location', 'text'], ['started_at', ts], ['ended_at', ts], ['energy_wh', 'integer'], ['fee_fen', 'bigint'], ['recorded_by', 'text']], charging);
    await bulkInsert(q, 'energy.battery_subscriptions', [['id', 'text'], ['vin', 'text'], ['user_id', 'text'], ['plan_id', 'text'], ['status', 'text'], ['started_at', ts], ['cancelled_at', ts]], subscriptions);
    // As energy writes them: a charge names its subscription, not the subscriber.
    await bulkInsert(q, 'energy.subscription_charges', [['id', 'text'], ['subscription_id', 'text'], ['period', 'text'], ['amount_fen', 'bigint'], ['charged_at', ts]], charges);
  });
  for (const c of CONTRIBUTORS) history[c].sort(compareLines);
  return history;
}

function shuffle<T>(rng: Rng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
