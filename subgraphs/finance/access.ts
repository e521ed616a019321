/**
 * Who may read and write what in finance. Loans, instalments and policies are their holder's: a
 * customer opens and pays only their own, and reads them with analysts, admins and other subgraphs;
 * an insurer's partners also read the policies it underwrote. Someone else's row is NOT_FOUND exactly
 * like a missing one.
 */
import { canReadUser, requireIdentity, requireRole } from '../kit/auth';
import { badInput, forbidden } from '../../platform/errors';
import type { Identity } from '../../platform/identity';
import type { SubgraphContext } from '../kit/subgraph';
import { requireVisible } from '../kit/visible';
import type { InsurancePolicyRow } from './data/insurance';
import type { InstalmentRow, LoanRow } from './data/loans';
import type { FinanceLoaders } from './loaders';

export type FinanceContext = SubgraphContext<FinanceLoaders>;

/**
 * Requires a signed-in customer. Loans, payments and policies are a person's own contracts: an admin,
 * partner, analyst or another subgraph cannot open or pay them on someone's behalf.
 */
export function requireCustomer(identity: Identity | null, action: string): Identity {
  const who = requireIdentity(identity);
  if (who.role !== 'customer') throw forbidden(`only customers can ${action}; your token has the role ${who.role}`);
  return who;
}

/** Who may read a loan, an instalment or a policy: whoever may read its holder's data. */
export const canReadHolder = (identity: Identity, row: { userId: string }) => canReadUser(identity, row.userId);

/**
 * A loan (instalment, policy) an entity reference names, as this caller may see it: null when it does
 * not exist, NOT_FOUND (as if it did not) when it is someone else's.
 */
export async function readableLoan(id: string, ctx: FinanceContext): Promise<LoanRow | null> {
  const loan = await ctx.loaders.loan.load(id);
  return loan && requireVisible(ctx.identity, loan, id, canReadHolder, 'loan');
}

export async function readableInstalment(id: string, ctx: FinanceContext): Promise<InstalmentRow | null> {
  const instalment = await ctx.loaders.instalment.load(id);
  return instalment && requireVisible(ctx.identity, instalment, id, canReadHolder, 'instalment');
}

/** The insurer is party to the policies it underwrote: its partners read them. */
const isInsurerOf = (identity: Identity | null, policy: InsurancePolicyRow) => identity?.role === 'partner' && identity.org === policy.insurerOrg;

/** Who may read a policy: its insurer's partners, and whoever may read its holder's data. */
export const canReadPolicy = (identity: Identity, policy: InsurancePolicyRow) => isInsurerOf(identity, policy) || canReadHolder(identity, policy);

export async function readablePolicy(id: string, ctx: FinanceContext): Promise<InsurancePolicyRow | null> {
  const policy = await ctx.loaders.policy.load(id);
  return policy && requireVisible(ctx.identity, policy, id, canReadPolicy, 'insurance policy');
}

/**
 * Whose underwritten policies the caller lists: a partner only its own organisation's (naming another
 * is FORBIDDEN), an admin the insurer it names.
 */
export function underwriterFor(identity: Identity | null, requested: string | null | undefined): string {
  const who = requireRole(identity, 'partner', 'admin');
  if (who.role === 'partner') {
    if (!who.org) throw forbidden('your partner token names no organisation');
    if (requested != null && requested !== who.org) throw forbidden(`partners list the policies of their own organisation only (${who.org})`);
    return who.org;
  }
  if (requested == null) throw badInput('`insurerOrg` is required: name the insurer whose policies to list', 'insurerOrg');
  return requested;
}

/** The services that read this subgraph's lifecycle feed: the analytics store, which ingests every contributor's. */
export const LIFECYCLE_FEED_READERS = ['analytics'] as const;
