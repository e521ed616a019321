/**
 * Finance's resolvers: read access to loans, instalments and policies (authorized here, where the
 * data lives), the entities it extends (`User`, `Order`, `Vehicle`), and the mutations.
 */
import { canReadUser, realUserId, requireIdentity, requireReadUser, requireRole, visibleUser, visibleUserId, type UserRef } from '../kit/auth';
import { spendingContributorResolvers } from '../kit/contributor';
import { badInput, forbidden } from '../../platform/errors';
import type { Identity } from '../../platform/identity';
import { money } from '../../platform/money';
import { toConnection, type PageArgs } from '../kit/pagination';
import type { SubgraphContext } from '../kit/subgraph';
import { policiesOfInsurer, productsPage, type InstalmentRow, type InsurancePolicyRow, type InsuranceProductRow, type LoanRow } from './data';
import type { FinanceLoaders } from './loaders';
import { buyInsurance, openLoan, payInstalment } from './mutations';
import { loanPosition } from './schedule';
import { checkId, readIdPage, readTimePage } from './validation';
import { loadVisible, requireVisible } from '../kit/visible';

export type FinanceContext = SubgraphContext<FinanceLoaders>;

/** Who may read a loan, an instalment or a policy: whoever may read its holder's data. */
const canReadHolder = (identity: Identity, row: { userId: string }) => canReadUser(identity, row.userId);

/**
 * A loan (instalment, policy) an entity reference names, as this caller may see it: null when it does
 * not exist, NOT_FOUND (as if it did not) when it is someone else's.
 */
async function readableLoan(id: string, ctx: FinanceContext): Promise<LoanRow | null> {
  const loan = await ctx.loaders.loan.load(id);
  return loan && requireVisible(ctx.identity, loan, id, canReadHolder, 'loan');
}

async function readableInstalment(id: string, ctx: FinanceContext): Promise<InstalmentRow | null> {
  const instalment = await ctx.loaders.instalment.load(id);
  return instalment && requireVisible(ctx.identity, instalment, id, canReadHolder, 'instalment');
}

/** The insurer is party to the policies it underwrote: its partners read them. */
const isInsurerOf = (identity: Identity | null, policy: InsurancePolicyRow) => identity?.role === 'partner' && identity.org === policy.insurerOrg;

/** Who may read a policy: its insurer's partners, and whoever may read its holder's data. */
const canReadPolicy = (identity: Identity, policy: InsurancePolicyRow) => isInsurerOf(identity, policy) || canReadHolder(identity, policy);

async function readablePolicy(id: string, ctx: FinanceContext): Promise<InsurancePolicyRow | null> {
  const policy = await ctx.loaders.policy.load(id);
  return policy && requireVisible(ctx.identity, policy, id, canReadPolicy, 'insurance policy');
}

/** Organisation ids as tokens carry them, e.g. `pingan-insurance`. */
const ORG_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Where a policy's cover stands at `now`. */
export function policyStatus(policy: Pick<InsurancePolicyRow, 'startsAt' | 'endsAt'>, now = new Date()): 'UPCOMING' | 'ACTIVE' | 'EXPIRED' {
  if (now < policy.startsAt) return 'UPCOMING';
  return now < policy.endsAt ? 'ACTIVE' : 'EXPIRED';
}

export const financeResolvers = {
  ...spendingContributorResolvers('finance'),

  Query: {
    loan: (_: unknown, args: { id: string }, ctx: FinanceContext) =>
      loadVisible(ctx.identity, ctx.loaders.loan, checkId(args.id, 'id', 'loan'), canReadHolder, 'loan'),
    insurancePolicy: (_: unknown, args: { id: string }, ctx: FinanceContext) =>
      loadVisible(ctx.identity, ctx.loaders.policy, checkId(args.id, 'id', 'insurance policy'), canReadPolicy, 'insurance policy'),
    async underwrittenPolicies(_: unknown, args: PageArgs & { insurerOrg?: string | null }, ctx: FinanceContext) {
      const who = requireRole(ctx.identity, 'partner', 'admin');
      let insurerOrg: string;
      if (who.role === 'partner') {
        if (!who.org) throw forbidden('your partner token names no organisation');
        if (args.insurerOrg != null && args.insurerOrg !== who.org) throw forbidden(`partners list the policies of their own organisation only (${who.org})`);
        insurerOrg = who.org;
      } else {
        if (args.insurerOrg == null) throw badInput('`insurerOrg` is required: name the insurer whose policies to list', 'insurerOrg');
        insurerOrg = args.insurerOrg;
      }
      if (!ORG_RE.test(insurerOrg)) throw badInput('`insurerOrg` must be an organisation id such as "pingan-insurance"', 'insurerOrg');
      const { limit, after } = readTimePage(args);
      const rows = await policiesOfInsurer(ctx.db, insurerOrg, after, limit);
      for (const row of rows) ctx.loaders.policy.prime(row.id, row);
      return toConnection(rows, limit, (r) => [r.purchasedAt, r.id]);
    },
    async insuranceProducts(_: unknown, args: PageArgs, ctx: FinanceContext) {
      const { limit, afterId } = readIdPage(args);
      const rows = await productsPage(ctx.db, afterId, limit);
      return toConnection(rows, limit, (r) => [r.id]);
    },
  },

  Mutation: { openLoan, payInstalment, buyInsurance },

  User: {
    async loans(user: UserRef, args: PageArgs, ctx: FinanceContext) {
      const userId = realUserId(ctx.identity, user);
      requireReadUser(ctx.identity, userId);
      const { limit, after } = readTimePage(args);
      const rows = await ctx.loaders.loansOfUser.load({ userId, limit, after });
      for (const row of rows) ctx.loaders.loan.prime(row.id, row);
      return toConnection(rows, limit, (r) => [r.openedAt, r.id]);
    },
    async insurancePolicies(user: UserRef, args: PageArgs, ctx: FinanceContext) {
      const userId = realUserId(ctx.identity, user);
      requireReadUser(ctx.identity, userId);
      const { limit, after } = readTimePage(args);
      const rows = await ctx.loaders.policiesOfUser.load({ userId, limit, after });
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
