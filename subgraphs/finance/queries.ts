/**
 * Finance's reads: the `Query` fields, loans, instalments and policies by reference, and the fields it
 * adds to the entities it extends (`User`, `Order`, `Vehicle`). Authorized here, where the data lives.
 */
import { canReadUser, realUserId, requireIdentity, requireReadUser, visibleUser, visibleUserId, type UserRef } from '../kit/auth';
import { money } from '../../platform/money';
import { checkId, checkOrgId } from '../kit/ids';
import { readPage, readTimePage, toConnection, type PageArgs } from '../kit/pagination';
import { loadVisible } from '../kit/visible';
import { policiesOfInsurer, productsPage, type InsurancePolicyRow, type InsuranceProductRow } from './data/insurance';
import type { InstalmentRow, LoanRow } from './data/loans';
import { canReadHolder, canReadPolicy, readableInstalment, readableLoan, readablePolicy, underwriterFor, type FinanceContext } from './access';
import { loanPosition } from './schedule';

/** Where a policy's cover stands at `now`. */
export function policyStatus(policy: Pick<InsurancePolicyRow, 'startsAt' | 'endsAt'>, now = new Date()): 'UPCOMING' | 'ACTIVE' | 'EXPIRED' {
  if (now < policy.startsAt) return 'UPCOMING';
  return now < policy.endsAt ? 'ACTIVE' : 'EXPIRED';
}

export const queryResolvers = {
  Query: {
    loan: (_: unknown, args: { id: string }, ctx: FinanceContext) =>
      loadVisible(ctx.identity, ctx.loaders.loan, checkId(args.id, 'id', 'loan'), canReadHolder, 'loan'),
    insurancePolicy: (_: unknown, args: { id: string }, ctx: FinanceContext) =>
      loadVisible(ctx.identity, ctx.loaders.policy, checkId(args.id, 'id', 'insurance policy'), canReadPolicy, 'insurance policy'),
    async underwrittenPolicies(_: unknown, args: PageArgs & { insurerOrg?: string | null }, ctx: FinanceContext) {
      const insurerOrg = checkOrgId(underwriterFor(ctx.identity, args.insurerOrg), 'insurerOrg', 'pingan-insurance');
      const { limit, after } = readTimePage(args);
      const rows = await policiesOfInsurer(ctx.db, insurerOrg, after, limit + 1);
      for (const row of rows) ctx.loaders.policy.prime(row.id, row);
      return toConnection(rows, limit, (r) => [r.purchasedAt, r.id]);
    },
    async insuranceProducts(_: unknown, args: PageArgs, ctx: FinanceContext) {
      const { limit, after } = readPage(args, ['text']);
      const rows = await productsPage(ctx.db, after && after[0], limit + 1);
      return toConnection(rows, limit, (r) => [r.id]);
    },
  },

  User: {
    async loans(user: UserRef, args: PageArgs, ctx: FinanceContext) {
      const userId = realUserId(ctx.identity, user);
      requireReadUser(ctx.identity, userId);
      const { limit, after } = readTimePage(args);
      const rows = await ctx.loaders.loansOfUser.load({ parent: userId, limit: limit + 1, after });
      for (const row of rows) ctx.loaders.loan.prime(row.id, row);
      return toConnection(rows, limit, (r) => [r.openedAt, r.id]);
    },
    async insurancePolicies(user: UserRef, args: PageArgs, ctx: FinanceContext) {
      const userId = realUserId(ctx.identity, user);
      requireReadUser(ctx.identity, userId);
      const { limit, after } = readTimePage(args);
      const rows = await ctx.loaders.policiesOfUser.load({ parent: userId, limit: limit + 1, after });
      for (const row of rows) ctx.loaders.policy.prime(row.id, row);
      return toConnection(rows, limit, (r) => [r.purchasedAt, r.id]);
    },
  },

  Order: {
    // Only the order's borrower (or an analyst/admin) sees its loan; the order itself is orders' to authorize.
    async loan(order: { id: string }, _args: unknown, ctx: FinanceContext) {
      requireIdentity(ctx.identity);
      const loan = await ctx.loaders.loanByOrder.load(order.id);
      if (loan) requireReadUser(ctx.identity, loan.userId);
      return loan;
    },
  },

  Vehicle: {
    // Policies belong to whoever bought them: a customer sees their own on this vehicle, never a previous owner's.
    async insurancePolicies(vehicle: { vin: string }, _args: unknown, ctx: FinanceContext) {
      const who = requireIdentity(ctx.identity);
      const policies = await ctx.loaders.policiesByVin.load(vehicle.vin);
      return policies.filter((p) => canReadUser(who, p.userId));
    },
  },

  Loan: {
    __resolveReference: (ref: { id: string }, ctx: FinanceContext) => readableLoan(ref.id, ctx),
    order: (loan: LoanRow) => ({ id: loan.orderId }),
    userId: (loan: LoanRow, _args: unknown, ctx: FinanceContext) => visibleUserId(ctx.identity, loan.userId),
    borrower: (loan: LoanRow, _args: unknown, ctx: FinanceContext) => visibleUser(ctx.identity, loan.userId),
    principal: (loan: LoanRow) => money(loan.principalFen),
    schedule: (loan: LoanRow, _args: unknown, ctx: FinanceContext) => ctx.loaders.schedule.load(loan.id),
    async outstandingPrincipal(loan: LoanRow, _args: unknown, ctx: FinanceContext) {
      return money(loanPosition(loan.principalFen, await ctx.loaders.schedule.load(loan.id)).outstandingPrincipalFen);
    },
    async totalInterest(loan: LoanRow, _args: unknown, ctx: FinanceContext) {
      return money(loanPosition(loan.principalFen, await ctx.loaders.schedule.load(loan.id)).totalInterestFen);
    },
    async totalPaid(loan: LoanRow, _args: unknown, ctx: FinanceContext) {
      return money(loanPosition(loan.principalFen, await ctx.loaders.schedule.load(loan.id)).paidFen);
    },
    async nextInstalment(loan: LoanRow, _args: unknown, ctx: FinanceContext) {
      return (await ctx.loaders.schedule.load(loan.id)).find((i) => i.status === 'DUE') ?? null;
    },
  },

  Instalment: {
    __resolveReference: (ref: { id: string }, ctx: FinanceContext) => readableInstalment(ref.id, ctx),
    // Reached only through an instalment the caller may read, and a loan shares its instalments' borrower.
    loan: (i: InstalmentRow, _args: unknown, ctx: FinanceContext) => ctx.loaders.loan.load(i.loanId),
    dueDate: (i: InstalmentRow) => i.dueAt,
    principalPart: (i: InstalmentRow) => money(i.principalFen),
    interestPart: (i: InstalmentRow) => money(i.interestFen),
    amount: (i: InstalmentRow) => money(i.amountFen),
  },

  InsurancePolicy: {
    __resolveReference: (ref: { id: string }, ctx: FinanceContext) => readablePolicy(ref.id, ctx),
    vehicle: (p: InsurancePolicyRow) => ({ vin: p.vin }),
    userId: (p: InsurancePolicyRow, _args: unknown, ctx: FinanceContext) => visibleUserId(ctx.identity, p.userId),
    holder: (p: InsurancePolicyRow, _args: unknown, ctx: FinanceContext) => visibleUser(ctx.identity, p.userId),
    product: (p: InsurancePolicyRow) => p.kind,
    insuranceProduct: async (p: InsurancePolicyRow, _args: unknown, ctx: FinanceContext) => ctx.loaders.product.load(p.productId),
    premium: (p: InsurancePolicyRow) => money(p.premiumFen),
    status: (p: InsurancePolicyRow) => policyStatus(p),
  },

  InsuranceProduct: {
    annualPremium: (p: InsuranceProductRow) => money(p.annualPremiumFen),
  },
};
