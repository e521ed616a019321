/**
 * Per-request DataLoaders: every entity lookup and nested list is batched into one statement per
 * kind, so a request's statement count does not grow with the number of rows it returns.
 */
import type { Db } from '../../platform/db';
import { createSpendingLoaders } from '../kit/contributor';
import { createTimelineLoaders } from '../kit/timeline-contributor';
import { byKeyLoader, listByKeyLoader, pageLoader } from '../kit/loaders';
import { storesByIds } from './data/stores';
import { appointmentPagesByUsers, appointmentsByIds } from './data/appointments';
import {
  claimsByIds,
  claimsByInvoiceIds,
  invoicePagesByParents,
  invoicesByAppointmentIds,
  invoicesByIds,
  linesByInvoiceIds,
  packageServicesUsedByVins,
} from './data/invoices';
import { fittingsByVins } from './data/fittings';

export function createLoaders(db: Db) {
  return {
    store: byKeyLoader((ids) => storesByIds(db, ids), (s) => s.id),
    appointment: byKeyLoader((ids) => appointmentsByIds(db, ids), (a) => a.id),
    invoice: byKeyLoader((ids) => invoicesByIds(db, ids), (i) => i.id),
    invoiceByAppointment: byKeyLoader((ids) => invoicesByAppointmentIds(db, ids), (i) => i.appointmentId),
    invoiceLines: listByKeyLoader((ids) => linesByInvoiceIds(db, ids), (l) => l.invoiceId),
    claim: byKeyLoader((ids) => claimsByIds(db, ids), (c) => c.id),
    invoiceClaims: listByKeyLoader((ids) => claimsByInvoiceIds(db, ids), (c) => c.invoiceId),
    appointmentsOfUser: pageLoader((ids, after, limit) => appointmentPagesByUsers(db, ids, after, limit)),
    invoicesOfUser: pageLoader((ids, after, limit) => invoicePagesByParents(db, 'user_id', ids, after, limit)),
    invoicesOfVehicle: pageLoader((vins, after, limit) => invoicePagesByParents(db, 'vin', vins, after, limit)),
    /** How many prepaid services a VIN's invoices used: no row for none. */
    packageServicesUsed: byKeyLoader((vins) => packageServicesUsedByVins(db, vins), (u) => u.vin),
    fittingsOfVehicle: listByKeyLoader((vins) => fittingsByVins(db, vins), (f) => f.vin),
    spending: createSpendingLoaders(db, 'aftermarket'),
    timeline: createTimelineLoaders(db, 'aftermarket'),
  };
}

export type AftermarketLoaders = ReturnType<typeof createLoaders>;
