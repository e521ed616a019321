/**
 * Finance's mutations: open a loan for an order, pay an instalment, buy insurance. Each validates its
 * input, authorizes the caller (asking the orders subgraph who owns the order or vehicle), then writes
 * in one transaction whose state changes are conditional, so concurrent calls cannot both succeed.
 */
import { notVisible } from '../kit/visible';
import { GraphQLError } from 'graphql';
import { badInput, conflict, notFound } from '../../platform/errors';
import { checkId, newId, parseVin } from '../kit/ids';
import { formatFen, MoneyFormatError, parseDecimalToFen } from '../../platform/money';
import { coverOfKindEnds, insertPolicies, lockVehicleCover, policiesByIds, type InsurancePolicyRow } from './data/insurance';
import {
  earliestDueInstalment,
  insertInstalments,
  insertLoanUnlessFinanced,
  loanIdForOrder,
  lockInstalmentForPayment,
  markInstalmentPaid,
  markLoanPaidOffIfComplete,
  type FinanceKind,
  type InstalmentRow,
  type LoanRow,
} from './data/loans';
import { requireCustomer, type FinanceContext } from './access';
import { addMonthsUtc, buildSchedule } from './schedule';
import { checkAnnualRateBps, checkTermMonths } from './validation';

/** The orders subgraph's answer about an order (its service contract). */
interface OrderFacts {
  id: string;
  userId: string;
  status: string;
  financedAmount: { amount: string } | null;
}

const ORDER_QUERY = 'query($id:ID!){ order(id:$id){ id userId status financedAmount { amount } } }';
/** How long before running cover ends its renewal may be bought (insurers quote renewals about a month ahead). */
export const RENEWAL_WINDOW_DAYS = 30;
const DAY_MS = 86_400_000;

const VEHICLE_QUERY = 'query($vin:String!){ vehicle(vin:$vin){ vin ownerId } }';

/** Reads the financed amount orders reported; anything but an exact decimal is orders' bug, not the caller's. */
function financedFen(order: OrderFacts): bigint {
  if (!order.financedAmount) return 0n;
  try {
    return parseDecimalToFen(order.financedAmount.amount);
  } catch (err) {
    if (err instanceof MoneyFormatError) throw new GraphQLError('the orders service reported an unreadable financed amount', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    throw err;
  }
}

export async function openLoan(
  _: unknown,
  args: { input: { orderId: string; kind: FinanceKind; termMonths: number; annualRateBps: number } },
  ctx: FinanceContext,
): Promise<LoanRow> {
  const who = requireCustomer(ctx.identity, 'open a loan');
  const { input } = args;
  const orderId = checkId(input.orderId, 'orderId', 'order');
  const termMonths = checkTermMonths(input.termMonths);
  const annualRateBps = checkAnnualRateBps(input.annualRateBps);

  // Orders answers NOT_FOUND for an unknown order; that error passes through with its code.
  const { order } = await ctx.services.call<{ order: OrderFacts | null }>('orders', ORDER_QUERY, { id: orderId });
  // Someone else's order is NOT_FOUND, word for word what orders answers for an id nobody has.
  if (!order || order.userId !== who.sub) throw notVisible('order', orderId);
  if (order.status === 'CANCELLED') throw conflict(`order ${orderId} is cancelled; a cancelled order cannot be financed`);
  const principalFen = financedFen(order);
  if (principalFen <= 0n) {
    throw badInput(`order ${orderId} has nothing to finance (its financed amount is ${formatFen(principalFen)}); choose a financed amount when placing the order`, 'orderId');
  }
  // Financing starts once the deposit is paid. An order can be cancelled only while nothing is paid
  // (PLACED) and never returns to PLACED, so from here on the status read above can no longer turn
  // into CANCELLED: no loan (and no instalment anyone pays) can end up on a cancelled order, however
  // openLoan and cancelOrder interleave across the two subgraphs.
  if (order.status === 'PLACED') throw conflict(`pay the deposit of order ${orderId} first; an order is financed once its deposit is paid`);

  const openedAt = new Date();
  const loanId = newId('loan');
  const schedule = buildSchedule({ principalFen, annualRateBps, termMonths, openedAt });
  return ctx.db.tx(async (q) => {
    const loan = await insertLoanUnlessFinanced(q, { id: loanId, kind: input.kind, orderId, userId: who.sub, principalFen, annualRateBps, termMonths, openedAt });
    if (!loan) {
      const existing = await loanIdForOrder(q, orderId);
      throw conflict(`order ${orderId} is already financed by loan ${existing}; an order has at most one loan`);
    }
    await insertInstalments(
      q,
      schedule.map((s) => ({ ...s, id: newId('inst'), loanId, status: 'DUE' as const, paidAt: null })),
    );
    return loan;
  });
}

export async function payInstalment(_: unknown, args: { instalmentId: string; amount: bigint }, ctx: FinanceContext): Promise<InstalmentRow> {
  const who = requireCustomer(ctx.identity, 'pay instalments');
  const instalmentId = checkId(args.instalmentId, 'instalmentId', 'instalment');
  if (args.amount < 0n) throw badInput('`amount` cannot be negative', 'amount');

  const paidAt = new Date();
  return ctx.db.tx(async (q) => {
    // Locks the loan: payments on one loan run one at a time.
    const instalment = await lockInstalmentForPayment(q, instalmentId);
    if (!instalment || instalment.userId !== who.sub) throw notVisible('instalment', instalmentId);
    const label = `instalment ${instalment.sequence}/${instalment.termMonths}`;
    if (instalment.status === 'PAID') throw conflict(`${label} (${instalmentId}) is already paid`);
    const earliest = await earliestDueInstalment(q, instalment.loanId);
    if (earliest && earliest.sequence < instalment.sequence) {
      throw conflict(`instalments are paid in order: pay instalment ${earliest.sequence}/${instalment.termMonths} (${earliest.id}) first`);
    }
    if (args.amount !== instalment.amountFen) {
      throw badInput(`\`amount\` must be exactly ${formatFen(instalment.amountFen)}, the amount of ${label}; got ${formatFen(args.amount)}`, 'amount');
    }
    // The conditional update is the guard: of two concurrent payments only one finds the row still DUE.
    const paid = await markInstalmentPaid(q, instalmentId, paidAt);
    if (!paid) throw conflict(`${label} (${instalmentId}) is already paid`);
    await markLoanPaidOffIfComplete(q, instalment.loanId, paid);
    return { ...instalment, status: 'PAID' as const, paidAt: paid };
  });
}

export async function buyInsurance(_: unknown, args: { input: { vin: string; productId: string } }, ctx: FinanceContext): Promise<InsurancePolicyRow> {
  const who = requireCustomer(ctx.identity, 'buy insurance');
  const vin = parseVin(args.input.vin);
  const productId = checkId(args.input.productId, 'productId', 'insurance product');
  const product = await ctx.loaders.product.load(productId);
  if (!product) throw notFound(`no insurance product ${productId}; see \`insuranceProducts\``);

  // Orders answers NOT_FOUND for an unknown VIN; that error passes through with its code.
  const { vehicle } = await ctx.services.call<{ vehicle: { vin: string; ownerId: string } | null }>('orders', VEHICLE_QUERY, { vin });
  if (!vehicle || vehicle.ownerId !== who.sub) throw notVisible('vehicle with VIN', vin);

  const purchasedAt = new Date();
  const policyId = newId('pol');
  return ctx.db.tx(async (q) => {
    await lockVehicleCover(q, vin, product.kind);
    const coveredUntil = await coverOfKindEnds(q, vin, product.kind);
    if (coveredUntil && coveredUntil.getTime() - purchasedAt.getTime() > RENEWAL_WINDOW_DAYS * DAY_MS) {
      const renewFrom = new Date(coveredUntil.getTime() - RENEWAL_WINDOW_DAYS * DAY_MS);
      throw conflict(
        `this vehicle already has ${product.kind.toLowerCase()} cover until ${coveredUntil.toISOString()}; a renewal can be bought from ${renewFrom.toISOString()}`,
      );
    }
    // A renewal bought while cover is running starts when that cover ends, so cover never overlaps or lapses.
    const startsAt = coveredUntil && coveredUntil > purchasedAt ? coveredUntil : purchasedAt;
    await insertPolicies(q, [
      { id: policyId, vin, userId: who.sub, productId, premiumFen: product.annualPremiumFen, startsAt, endsAt: addMonthsUtc(startsAt, 12), purchasedAt },
    ]);
    const [policy] = await policiesByIds(q, [policyId]);
    return policy;
  });
}
