/**
 * Aftermarket's reads: the Query fields and the entity and field resolvers (stores, appointments,
 * invoices and their lines, warranty claims, package fittings, and the Vehicle and User lists). Each
 * authorizes, checks its arguments, then reads through the request's loaders.
 */
import { loadVisible, requireVisible } from '../kit/visible';
import { canReadUser, realUserId, requireIdentity, requirePartnerOf, requireReadUser, requireRole, visibleUserId, type UserRef } from '../kit/auth';
import { forbidden, notFound } from '../../platform/errors';
import { money } from '../../platform/money';
import { checkId } from '../kit/ids';
import { readPage, readTimePage, toConnection, type PageArgs } from '../kit/pagination';
import { canSeeServiceRecord, ownerOfVehicle, requireReadVehicleRecord, requireSeeServiceRecord, visibleNote, type Ctx } from './access';
import { fromWire, type EntitlementWire } from './package-plan';
import { listStores, type StoreKind } from './data/stores';
import { appointmentsOfStore, type Appointment, type AppointmentStatus } from './data/appointments';
import type { Invoice, InvoiceLine, WarrantyClaim } from './data/invoices';
import type { PackageFitting } from './data/fittings';
import { cleanCity } from './validation';
import { listScheduledServicePrices, type ScheduledServicePrice } from './data/service-prices';

/**
 * A vehicle as the gateway hands it over: its key, and its owner's real user id when `@requires` asked
 * orders for it (the inaccessible `internalOwnerId`: the public `ownerId` is a pseudonym for analysts).
 */
interface VehicleRef {
  vin: string;
  internalOwnerId?: string;
}

/** A vehicle as the gateway hands it to the package fields: its key, owner and entitlement (`@requires`). */
interface VehicleWithEntitlement {
  vin: string;
  internalOwnerId: string;
  packageEntitlement?: EntitlementWire;
}

const byTime = (row: { id: string }, at: Date) => [at, row.id];
const appointmentKey = (a: Appointment) => byTime(a, a.scheduledAt);
const invoiceKey = (i: Invoice) => byTime(i, i.issuedAt);

export const Query = {
  scheduledServicePrices: (_: unknown, _args: unknown, ctx: Ctx) => listScheduledServicePrices(ctx.db),

  async stores(_: unknown, args: PageArgs & { city?: string | null; kind?: StoreKind | null }, ctx: Ctx) {
    const { limit, after } = readPage(args, ['text', 'text']);
    const rows = await listStores(ctx.db, { city: cleanCity(args.city), kind: args.kind ?? null }, after && { name: after[0], id: after[1] }, limit + 1);
    for (const s of rows) ctx.loaders.store.prime(s.id, s);
    return toConnection(rows, limit, (s) => [s.name, s.id]);
  },

  async store(_: unknown, args: { id: string }, ctx: Ctx) {
    checkId(args.id, 'id', 'store');
    return ctx.loaders.store.load(args.id);
  },

  async appointment(_: unknown, args: { id: string }, ctx: Ctx) {
    requireIdentity(ctx.identity);
    checkId(args.id, 'id', 'appointment');
    return loadVisible(ctx.identity, ctx.loaders.appointment, args.id, (who, a) => canSeeServiceRecord(ctx, who, a), 'appointment');
  },

  async serviceInvoice(_: unknown, args: { id: string }, ctx: Ctx) {
    requireIdentity(ctx.identity);
    checkId(args.id, 'id', 'invoice');
    return loadVisible(ctx.identity, ctx.loaders.invoice, args.id, (who, i) => canSeeServiceRecord(ctx, who, i), 'service invoice');
  },

  async storeAppointments(_: unknown, args: PageArgs & { storeId: string; status?: AppointmentStatus | null }, ctx: Ctx) {
    requireRole(ctx.identity, 'partner', 'admin');
    checkId(args.storeId, 'storeId', 'store');
    const { limit, after } = readTimePage(args);
    const store = await ctx.loaders.store.load(args.storeId);
    if (!store) throw notFound(`no store has id ${args.storeId}`);
    requirePartnerOf(ctx.identity, store.org);
    const rows = await appointmentsOfStore(ctx.db, store.id, args.status ?? null, after, limit + 1);
    for (const a of rows) ctx.loaders.appointment.prime(a.id, a);
    return toConnection(rows, limit, appointmentKey);
  },
};

export const entityResolvers = {
  ScheduledServicePrice: {
    expectedBill: (p: ScheduledServicePrice) => money(p.expectedBillFen),
  },

  ServiceStore: {
    __resolveReference: (ref: { id: string }, ctx: Ctx) => ctx.loaders.store.load(ref.id),
  },

  Appointment: {
    async __resolveReference(ref: { id: string }, ctx: Ctx) {
      const appointment = await ctx.loaders.appointment.load(ref.id);
      return appointment && requireSeeServiceRecord(ctx, appointment, 'appointment');
    },
    store: (a: Appointment, _: unknown, ctx: Ctx) => ctx.loaders.store.load(a.storeId),
    vehicle: (a: Appointment) => ({ vin: a.vin }),
    userId: (a: Appointment, _: unknown, ctx: Ctx) => visibleUserId(ctx.identity, a.userId),
    note: (a: Appointment, _: unknown, ctx: Ctx) => visibleNote(ctx.identity, a.note),
    invoice: (a: Appointment, _: unknown, ctx: Ctx) => (a.status === 'COMPLETED' ? ctx.loaders.invoiceByAppointment.load(a.id) : null),
  },

  ServiceInvoice: {
    async __resolveReference(ref: { id: string }, ctx: Ctx) {
      const invoice = await ctx.loaders.invoice.load(ref.id);
      return invoice && requireSeeServiceRecord(ctx, invoice, 'service invoice');
    },
    appointment: (i: Invoice, _: unknown, ctx: Ctx) => ctx.loaders.appointment.load(i.appointmentId),
    store: (i: Invoice, _: unknown, ctx: Ctx) => ctx.loaders.store.load(i.storeId),
    vehicle: (i: Invoice) => ({ vin: i.vin }),
    userId: (i: Invoice, _: unknown, ctx: Ctx) => visibleUserId(ctx.identity, i.userId),
    lines: (i: Invoice, _: unknown, ctx: Ctx) => ctx.loaders.invoiceLines.load(i.id),
    total: (i: Invoice) => money(i.warrantyCoveredFen + i.platformSettledFen + i.ownerPaidFen),
    warrantyCovered: (i: Invoice) => money(i.warrantyCoveredFen),
    platformSettled: (i: Invoice) => money(i.platformSettledFen),
    maintenancePackageService: (i: Invoice) => i.packageServiceNo,
    ownerPaid: (i: Invoice) => money(i.ownerPaidFen),
    warrantyClaims: (i: Invoice, _: unknown, ctx: Ctx) => ctx.loaders.invoiceClaims.load(i.id),
  },

  InvoiceLine: {
    unitPrice: (l: InvoiceLine) => money(l.unitPriceFen),
    amount: (l: InvoiceLine) => money(l.amountFen),
    platformSettled: (l: InvoiceLine) => money(l.packageSettledFen),
    ownerPaid: (l: InvoiceLine) => money(l.warrantyCovered ? 0n : l.amountFen - l.packageSettledFen),
    coveredBy: (l: InvoiceLine) => (l.warrantyCovered ? 'WARRANTY' : l.packageCovered ? 'MAINTENANCE_PACKAGE' : null),
  },

  PackageFitting: {
    vehicle: (f: PackageFitting) => ({ vin: f.vin }),
    package: (f: PackageFitting) => ({ id: f.packageId }),
    store: (f: PackageFitting, _: unknown, ctx: Ctx) => ctx.loaders.store.load(f.storeId),
  },

  WarrantyClaim: {
    async __resolveReference(ref: { id: string }, ctx: Ctx) {
      const claim = await ctx.loaders.claim.load(ref.id);
      if (!claim) return null;
      const invoice = await ctx.loaders.invoice.load(claim.invoiceId);
      await requireVisible(ctx.identity, invoice, claim.id, (who, i) => canSeeServiceRecord(ctx, who, i), 'warranty claim');
      return claim;
    },
    invoice: (c: WarrantyClaim, _: unknown, ctx: Ctx) => ctx.loaders.invoice.load(c.invoiceId),
    vehicle: (c: WarrantyClaim) => ({ vin: c.vin }),
    amount: (c: WarrantyClaim) => money(c.amountFen),
  },

  Vehicle: {
    __resolveReference: (ref: VehicleRef) => ref,

    async maintenancePlan(v: VehicleWithEntitlement, _: unknown, ctx: Ctx) {
      requireReadVehicleRecord(ctx, v.internalOwnerId, 'maintenance plan');
      if (!v.packageEntitlement) throw new Error('Vehicle.maintenancePlan needs packageEntitlement from orders (@requires)');
      const e = fromWire(v.packageEntitlement);
      if (e.maintenanceServices === 0 || e.maintenanceValidUntil === null || e.packageId === null) return null;
      const used = (await ctx.loaders.packageServicesUsed.load(v.vin))?.used ?? 0;
      const expired = Date.now() >= e.maintenanceValidUntil.getTime();
      const left = Math.max(0, e.maintenanceServices - used);
      return {
        package: { id: e.packageId },
        validUntil: e.maintenanceValidUntil,
        servicesIncluded: e.maintenanceServices,
        allowancePerService: money(e.maintenanceAllowanceFen),
        servicesUsed: used,
        servicesRemaining: expired ? 0 : left,
        active: !expired && left > 0,
      };
    },

    async fittings(v: VehicleWithEntitlement, _: unknown, ctx: Ctx) {
      requireReadVehicleRecord(ctx, v.internalOwnerId, 'package fittings');
      return ctx.loaders.fittingsOfVehicle.load(v.vin);
    },

    async serviceHistory(vehicle: VehicleRef, args: PageArgs, ctx: Ctx) {
      const who = requireIdentity(ctx.identity);
      const { limit, after } = readTimePage(args);
      const ownerId = vehicle.internalOwnerId ?? (await ownerOfVehicle(ctx, vehicle.vin));
      if (!canReadUser(who, ownerId)) throw forbidden("you can only read your own vehicle's service history");
      const rows = await ctx.loaders.invoicesOfVehicle.load({ parent: vehicle.vin, limit: limit + 1, after });
      for (const i of rows) ctx.loaders.invoice.prime(i.id, i);
      return toConnection(rows, limit, invoiceKey);
    },
  },

  User: {
    __resolveReference: (ref: UserRef) => ref,
    async appointments(user: UserRef, args: PageArgs, ctx: Ctx) {
      const userId = realUserId(ctx.identity, user);
      requireReadUser(ctx.identity, userId);
      const { limit, after } = readTimePage(args);
      const rows = await ctx.loaders.appointmentsOfUser.load({ parent: userId, limit: limit + 1, after });
      for (const a of rows) ctx.loaders.appointment.prime(a.id, a);
      return toConnection(rows, limit, appointmentKey);
    },
    async serviceInvoices(user: UserRef, args: PageArgs, ctx: Ctx) {
      const userId = realUserId(ctx.identity, user);
      requireReadUser(ctx.identity, userId);
      const { limit, after } = readTimePage(args);
      const rows = await ctx.loaders.invoicesOfUser.load({ parent: userId, limit: limit + 1, after });
      for (const i of rows) ctx.loaders.invoice.prime(i.id, i);
      return toConnection(rows, limit, invoiceKey);
    },
  },
};
