/**
 * Who may read and write what in the catalog. The catalog itself is public (anonymous reads allowed);
 * preferences are stated by customers and read by whoever may read the user's data (the kit's rule);
 * the demand view is for partners of the model's manufacturer, analysts and admins (no service reads it).
 */
import { requireIdentity } from '../kit/auth';
import { forbidden } from '../../platform/errors';
import type { Identity } from '../../platform/identity';
import type { VehicleModelRecord } from './data/models';

/** Requires a signed-in customer: a preference is the customer's own, never stated on their behalf. */
export function requireCustomer(identity: Identity | null): Identity {
  const who = requireIdentity(identity);
  if (who.role !== 'customer') {
    throw forbidden(`only customers state preferences; your token has the role ${who.role}`);
  }
  return who;
}

/** Refuses (FORBIDDEN) a caller who may not read the demand view of `model`. */
export function requireDemandReader(who: Identity, model: VehicleModelRecord): void {
  const allowed =
    who.role === 'analyst' || who.role === 'admin' || (who.role === 'partner' && who.org === model.manufacturerOrg);
  if (!allowed) {
    throw forbidden(`the demand view of ${model.name} is for partners of ${model.manufacturerOrg}, analysts and admins`);
  }
}

/** The services that read this subgraph's lifecycle feed: the analytics store, which ingests every contributor's. */
export const LIFECYCLE_FEED_READERS = ['analytics'] as const;
