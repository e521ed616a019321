/**
 * Who may see what in energy. Subscriptions, swaps and charging sessions are personal: the payer sees
 * theirs (as do analysts, admins and other subgraphs), a partner sees the swaps at its organisation's
 * stations and the sessions on its network. Where a person charged is personal text analysts do not
 * get. A vehicle's lists are read for its owner, whom orders names through `@requires`.
 */
import { canReadUser, requireIdentity, requireReadUser, visiblePersonalText } from '../kit/auth';
import { forbidden } from '../../platform/errors';
import type { Identity } from '../../platform/identity';
import type { SubgraphContext } from '../kit/subgraph';
import type { SwapRow } from './data/swaps';
import type { ChargingRow } from './data/charging';
import type { EnergyLoaders } from './loaders';

export type Ctx = SubgraphContext<EnergyLoaders>;

/** Who may read a swap: its payer (and those who may read them), or a partner of the station's operator. */
export async function canReadSwap(identity: Identity | null, swap: SwapRow, ctx: Ctx): Promise<boolean> {
  if (canReadUser(identity, swap.userId)) return true;
  if (identity?.role !== 'partner') return false;
  const station = await ctx.loaders.station.load(swap.stationId);
  return station?.operatorOrg === identity.org;
}

/** Who may read a charging session: its payer (and those who may read them), or a partner of its network. */
export function canReadCharging(identity: Identity | null, session: ChargingRow): boolean {
  return canReadUser(identity, session.userId) || (identity?.role === 'partner' && identity.org === session.networkOrg);
}

/**
 * Where a car was charged is free text a network typed (a car park, a home address) and says where a
 * person goes: analysts, who see people only pseudonymised, do not get it.
 */
export function visibleLocation(identity: Identity | null, location: string): string | null {
  return visiblePersonalText(identity, location);
}

/**
 * A Vehicle as the gateway hands it over: its key, plus its owner's real user id (from orders, via
 * @requires of the inaccessible `internalOwnerId`: the public `ownerId` is a pseudonym for analysts).
 */
export interface VehicleRep {
  vin: string;
  internalOwnerId?: string;
}

/** The vehicle's owner, once the caller is allowed to read that owner's data. */
export function vehicleOwner(vehicle: VehicleRep, identity: Identity | null): string {
  requireIdentity(identity);
  // The owner always arrives through @requires; without it nobody can be shown another person's data.
  if (!vehicle.internalOwnerId) throw forbidden('the vehicle owner is unknown');
  requireReadUser(identity, vehicle.internalOwnerId);
  return vehicle.internalOwnerId;
}


/** The services that read this subgraph's lifecycle feed: the analytics store, which ingests every contributor's. */
export const LIFECYCLE_FEED_READERS = ['analytics'] as const;
