/**
 * Who may see what in aftermarket. Appointments, invoices and claims are personal: the owner sees
 * theirs, partners see those of the stores their organisation operates, analysts and admins see all
 * (analysts with the owner pseudonymised). Stores are public.
 */
import { canReadUser, requireIdentity, visiblePersonalText } from '../kit/auth';
import type { Identity } from '../../platform/identity';
import { requireVisible } from '../kit/visible';
import type { SubgraphContext } from '../kit/subgraph';
import type { AftermarketLoaders } from './loaders';

export type Ctx = SubgraphContext<AftermarketLoaders>;


/** Free text an owner wrote (an appointment note) is personal data: analysts do not get it. */
export function visibleNote(identity: Identity | null, note: string | null): string | null {
  return visiblePersonalText(identity, note);
}

/**
 * True when the caller may see a record billed to `userId` at store `storeId`: the user (or an
 * analyst, admin, another subgraph), or a partner of the organisation operating the store.
 */
export async function canSeeServiceRecord(ctx: Ctx, who: Identity, record: { userId: string; storeId: string }): Promise<boolean> {
  if (canReadUser(who, record.userId)) return true;
  if (who.role !== 'partner') return false;
  const store = await ctx.loaders.store.load(record.storeId);
  return store?.org === who.org;
}

/**
 * Requires that the caller may see `record`; one they may not is NOT_FOUND, exactly like a `what`
 * that does not exist (the kit's `notVisible`), so nobody learns which ids exist.
 */
export async function requireSeeServiceRecord<T extends { id: string; userId: string; storeId: string }>(ctx: Ctx, record: T, what: string): Promise<T> {
  requireIdentity(ctx.identity);
  return requireVisible(ctx.identity, record, record.id, (who, r) => canSeeServiceRecord(ctx, who, r), what);
}
