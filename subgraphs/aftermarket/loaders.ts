/**
 * Per-request DataLoaders: every entity lookup and nested list is batched into one statement per
 * kind, so a request's statement count does not grow with the number of rows it returns.
 */
import DataLoader from 'dataloader';
import type { Db } from '../kit/db';
import { createSpendingLoaders } from '../kit/contributor';
import type { TimeKey } from './data/rows';
import { storesByIds, type Store } from './data/stores';
import { appointmentPagesByUsers, appointmentsByIds, type Appointment } from './data/appointments';
import {
  claimsByIds,
  claimsByInvoiceIds,
  invoicePagesByParents,
  invoicesByAppointmentIds,
  invoicesByIds,
  linesByInvoiceIds,
  packageServicesUsedByVins,
  type Invoice,
  type InvoiceLine,
  type WarrantyClaim,
} from './data/invoices';
import { fittingsByVins, type PackageFitting } from './data/fittings';

/** One page of a per-parent list: the parent (user id or VIN), the page size + 1, and where it starts. */
export interface PageRequest {
  parentId: string;
  /** Rows to read: the page size plus one, to learn whether another page follows. */
  limit: number;
  after: TimeKey | null;
}

const pageShape = (r: PageRequest) => `${r.limit}\u0000${r.after ? `${r.after.at.toISOString()}\u0000${r.after.id}` : ''}`;

/**
 * A loader of per-parent pages. Requests with the same page size and cursor (the usual case: one field
 * on a list of parents) are answered by one statement.
 */
function pageLoader<T>(load: (parentIds: string[], after: TimeKey | null, limit: number) => Promise<Map<string, T[]>>) {
  return new DataLoader<PageRequest, T[], string>(
    async (requests) => {
      const byShape = new Map<string, PageRequest[]>();
      for (const r of requests) byShape.set(pageShape(r), [...(byShape.get(pageShape(r)) ?? []), r]);
      const results = new Map<string, T[]>();
      for (const [shape, group] of byShape) {
        const pages = await load([...new Set(group.map((r) => r.parentId))], group[0].after, group[0].limit);
        for (const r of group) results.set(`${shape}\u0000${r.parentId}`, pages.get(r.parentId) ?? []);
      }
      return requests.map((r) => results.get(`${pageShape(r)}\u0000${r.parentId}`) ?? []);
    },
    { cacheKeyFn: (r) => `${pageShape(r)}\u0000${r.parentId}` },
  );
}

/** A loader of rows by key: one statement for all keys of a request; null (or []) for a key with no row. */
function byKey<T>(load: (keys: string[]) => Promise<Map<string, T>>, missing: T) {
  return new DataLoader<string, T>(async (keys) => {
    const found = await load([...keys]);
    return keys.map((k) => found.get(k) ?? missing);
  });
}

export function createLoaders(db: Db) {
  return {
    store: byKey<Store | null>((ids) => storesByIds(db, ids), null),
    appointment: byKey<Appointment | null>((ids) => appointmentsByIds(db, ids), null),
    invoice: byKey<Invoice | null>((ids) => invoicesByIds(db, ids), null),
    invoiceByAppointment: byKey<Invoice | null>((ids) => invoicesByAppointmentIds(db, ids), null),
    invoiceLines: byKey<InvoiceLine[]>((ids) => linesByInvoiceIds(db, ids), []),
    claim: byKey<WarrantyClaim | null>((ids) => claimsByIds(db, ids), null),
    invoiceClaims: byKey<WarrantyClaim[]>((ids) => claimsByInvoiceIds(db, ids), []),
    appointmentsOfUser: pageLoader((ids, after, limit) => appointmentPagesByUsers(db, ids, after, limit)),
    invoicesOfUser: pageLoader((ids, after, limit) => invoicePagesByParents(db, 'user_id', ids, after, limit)),
    invoicesOfVehicle: pageLoader((ids, after, limit) => invoicePagesByParents(db, 'vin', ids, after, limit)),
    packageServicesUsed: byKey<number>((vins) => packageServicesUsedByVins(db, vins), 0),
    fittingsOfVehicle: byKey<PackageFitting[]>((vins) => fittingsByVins(db, vins), []),
    spending: createSpendingLoaders(db, 'aftermarket'),
  };
}

export type AftermarketLoaders = ReturnType<typeof createLoaders>;
