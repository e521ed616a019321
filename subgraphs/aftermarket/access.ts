/**
 * Who may see what in aftermarket. Appointments, invoices and claims are personal: the owner sees
 * theirs, partners see those of the stores their organisation operates, analysts and admins see all
 * (analysts with the owner pseudonymised). Stores are public.
 */
import { canReadUser, requireIdentity, visiblePersonalText } from '../kit/auth';
import { forbidden } from '../kit/errors';
import type { Identity } from '../kit/identity';
import type { SubgraphContext } from '../kit/subgraph';
import type { AftermarketLoaders } from './loaders';

export type Ctx = SubgraphContext<AftermarketLoaders>;


/** Free text an owner wrote (an appointment note) is personal data: analysts do not get it. */
export function visibleNote(identity: Identity | null, note: string | null): string | null {
  return visiblePersonalText(identity, note);
}

/**
 * Requires that the caller may see a record billed to `userId` at store `storeId`: the user (or an
 * analyst, admin, another subgraph), or a partner of the organisation operating the store.
 */
export async function requireSeeServiceRecord(ctx: Ctx, record: { userId: string; storeId: string }, what: string): Promise<void> {
  const who = requireIdentity(ctx.identity);
  if (canReadUser(who, record.userId)) return;
  if (who.role === 'partner') {
    const store = await ctx.loaders.store.load(record.storeId);
    if (store && store.org === who.org) return;
  }
  throw forbidden(`this ${what} belongs to another owner; you can only see your own (partners: those of your organisation's stores)`);
}
