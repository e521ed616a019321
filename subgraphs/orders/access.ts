/**
 * Who may read and write what in orders. Buying is the buyer's own; a manufacturer's partners see and
 * deliver their organisation's orders and appraise the trade-ins asked of it; analysts and admins read
 * everything (analysts with people pseudonymised, elsewhere); the services named below read what they
 * need for their own work, and no more.
 */
import { canReadUser, isServiceOf, requireIdentity, requireRole } from '../kit/auth';
import { forbidden } from '../../platform/errors';
import type { Identity } from '../../platform/identity';
import type { Order } from './data/orders';
import type { TestDrive } from './data/test-drives';
import type { TradeIn } from './data/trade-ins';
import type { Vehicle } from './data/vehicles';

/** Requires a signed-in customer: buying is done by the buyer themself, never on their behalf. */
export function requireCustomer(identity: Identity | null, action: string): Identity {
  const who = requireIdentity(identity);
  if (who.role !== 'customer') throw forbidden(`only customers can ${action}; your token has the role ${who.role}`);
  return who;
}

/** Requires a partner (with an organisation) or an admin; returns the organisation a partner is limited to. */
export function requirePartnerOrAdmin(identity: Identity | null): { who: Identity; org: string | null } {
  const who = requireRole(identity, 'partner', 'admin');
  if (who.role !== 'partner') return { who, org: null };
  if (!who.org) throw forbidden('your partner token names no organisation');
  return { who, org: who.org };
}

const isPartnerOf = (identity: Identity | null, org: string) => identity?.role === 'partner' && identity.org === org;

/** The services that read an order by id: finance, which checks the order a loan or lease is asked for. */
export const ORDER_READERS = ['finance'] as const;
/**
 * The services that read a vehicle by VIN (who owns it, its trim and package entitlement): aftermarket
 * (appointments, invoices, package plans), energy (swaps, subscriptions), finance (insurance).
 */
export const VEHICLE_READERS = ['aftermarket', 'energy', 'finance'] as const;

/** The buyer, analysts, admins, partners of the manufacturer (who deliver it), and ORDER_READERS. */
export const canReadOrder = (identity: Identity | null, o: Order) => canReadUser(identity, o.userId) || isPartnerOf(identity, o.manufacturerOrg) || isServiceOf(identity, ...ORDER_READERS);
/** The owner, analysts, admins, partners of the manufacturer, and VEHICLE_READERS. */
export const canReadVehicle = (identity: Identity | null, v: Vehicle) => canReadUser(identity, v.ownerId) || isPartnerOf(identity, v.manufacturerOrg) || isServiceOf(identity, ...VEHICLE_READERS);
/**
 * The owner, analysts, admins, and partners of the dealer it was asked of while it
 * waits for their appraisal. Once appraised, what a customer was offered is theirs again.
 */
export const canReadTradeIn = (identity: Identity | null, t: TradeIn) =>
  canReadUser(identity, t.userId) || (t.status === 'REQUESTED' && t.dealerOrg !== null && isPartnerOf(identity, t.dealerOrg));

export const canReadTestDrive = (identity: Identity | null, d: TestDrive) => canReadUser(identity, d.userId);

/** The services that read this subgraph's lifecycle feed: the analytics store, which ingests every contributor's. */
export const LIFECYCLE_FEED_READERS = ['analytics'] as const;
