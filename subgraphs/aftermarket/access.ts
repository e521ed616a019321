/**
 * Who may see what in aftermarket. Appointments, invoices and claims are personal: the owner sees
 * theirs, partners see those of the stores their organisation operates, analysts and admins see all
 * (analysts with the owner pseudonymised). Stores are public. A vehicle's records follow its owner,
 * whom orders knows.
 */
import { canReadUser, requireIdentity, visiblePersonalText } from '../kit/auth';
import type { Identity } from '../../platform/identity';
import { forbidden, notFound } from '../../platform/errors';
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

/** Who may invoice work at `storeId`: admins and partners of the organisation operating it (no service invoices). */
export async function canIssueAt(ctx: Ctx, who: Identity, storeId: string): Promise<boolean> {
  if (who.role === 'admin') return true;
  if (who.role !== 'partner') return false;
  const store = await ctx.loaders.store.load(storeId);
  return store?.org === who.org;
}

/** Requires that the caller may read the records of a vehicle owned by `ownerId` (its `what`: plan, fittings). */
export function requireReadVehicleRecord(ctx: Ctx, ownerId: string, what: string): void {
  const who = requireIdentity(ctx.identity);
  if (!canReadUser(who, ownerId)) throw forbidden(`you can only read your own vehicle's ${what}`);
}

/** The orders subgraph's answer to "which vehicle is this VIN, and who owns it". */
const VEHICLE_OWNER_QUERY = 'query($v:String!){ vehicle(vin:$v){ vin ownerId } }';

/** Asks orders (the owner of vehicles) who owns `vin`; NOT_FOUND when no such vehicle was delivered. */
export async function ownerOfVehicle(ctx: Ctx, vin: string): Promise<string> {
  const answer = await ctx.services.call<{ vehicle: { vin: string; ownerId: string } | null }>('orders', VEHICLE_OWNER_QUERY, { v: vin });
  if (!answer.vehicle) throw notFound(`no delivered vehicle has VIN ${vin}`);
  return answer.vehicle.ownerId;
}

/** The services that read this subgraph's lifecycle feed: the analytics store, which ingests every contributor's. */
export const LIFECYCLE_FEED_READERS = ['analytics'] as const;
