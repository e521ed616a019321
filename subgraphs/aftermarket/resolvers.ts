/**
 * Aftermarket resolvers: authorization and validation, then a call into `data.ts` (writes) or the
 * request's loaders (reads).
 */
import { loadVisible, notVisible, requireVisible } from '../kit/visible';
import { canActAsUser, canReadUser, realUserId, requireActAsUser, requireIdentity, requirePartnerOf, requireReadUser, requireRole, type UserRef } from '../kit/auth';
import { spendingContributorResolvers } from '../kit/contributor';
import { badInput, conflict, forbidden, notFound } from '../../platform/errors';
import { newId } from '../kit/ids';
import { money } from '../../platform/money';
import { toConnection, type PageArgs } from '../kit/pagination';
import { canSeeServiceRecord, requireSeeServiceRecord, visibleNote, type Ctx } from './access';
import { visibleUserId } from '../kit/auth';
import { coverByPackage, splitByPayer } from './totals';
import { packagePlanResolvers, packageServiceFor, vehicleEntitlement } from './package-plan';
import * as data from './data';
import type { Identity } from '../../platform/identity';
import type { Appointment, AppointmentStatus, Invoice, InvoiceLine, ServiceType, StoreKind, WarrantyClaim } from './data';
import {
  cleanCity,
  cleanNote,
  priceInvoiceLines,
  readNamePage,
  readTimePage,
  requireBookableTime,
  requireIdArg,
  requireVin,
  type InvoiceLineArg,
} from './validation';

/**
 * A vehicle as the gateway hands it over: its key, and its owner's real user id when `@requires` asked
 * orders for it (the inaccessible `internalOwnerId`: the public `ownerId` is a pseudonym for analysts).
 */
interface VehicleRef {
  vin: string;
  internalOwnerId?: string;
}

const byTime = (row: { id: string }, at: Date) => [at, row.id];
const appointmentKey = (a: Appointment) => byTime(a, a.scheduledAt);
const invoiceKey = (i: Invoice) => byTime(i, i.issuedAt);

/** The orders subgraph's answer to "which vehicle is this VIN, and who owns it". */
const VEHICLE_OWNER_QUERY = 'query($v:String!){ vehicle(vin:$v){ vin ownerId } }';

/** Asks orders (the owner of vehicles) who owns `vin`; NOT_FOUND when no such vehicle was delivered. */
async function ownerOfVehicle(ctx: Ctx, vin: string): Promise<string> {
  const answer = await ctx.services.call<{ vehicle: { vin: string; ownerId: string } | null }>('orders', VEHICLE_OWNER_QUERY, { v: vin });
  if (!answer.vehicle) throw notFound(`no delivered vehicle has VIN ${vin}`);
  return answer.vehicle.ownerId;
}



export const resolvers = {
  ...spendingContributorResolvers('aftermarket'),

  Query: {
    async stores(_: unknown, args: PageArgs & { city?: string | null; kind?: StoreKind | null }, ctx: Ctx) {
      const { limit, after } = readNamePage(args);
      const rows = await data.listStores(ctx.db, { city: cleanCity(args.city), kind: args.kind ?? null }, after, limit + 1);
      for (const s of rows) ctx.loaders.store.prime(s.id, s);
      return toConnection(rows, limit, (s) => [s.name, s.id]);
    },

    async store(_: unknown, args: { id: string }, ctx: Ctx) {
      requireIdArg(args.id, 'id', 'a store');
      return ctx.loaders.store.load(args.id);
    },

    async appointment(_: unknown, args: { id: string }, ctx: Ctx) {
      requireIdentity(ctx.identity);
      requireIdArg(args.id, 'id', 'an appointment');
      return loadVisible(ctx.identity, ctx.loaders.appointment, args.id, (who, a) => canSeeServiceRecord(ctx, who, a), 'appointment');
    },

    async serviceInvoice(_: unknown, args: { id: string }, ctx: Ctx) {
      requireIdentity(ctx.identity);
      requireIdArg(args.id, 'id', 'an invoice');
      return loadVisible(ctx.identity, ctx.loaders.invoice, args.id, (who, i) => canSeeServiceRecord(ctx, who, i), 'service invoice');
    },

    async storeAppointments(_: unknown, args: PageArgs & { storeId: string; status?: AppointmentStatus | null }, ctx: Ctx) {
      requireRole(ctx.identity, 'partner', 'admin');
      requireIdArg(args.storeId, 'storeId', 'a store');
      const { limit, after } = readTimePage(args);
      const store = await ctx.loaders.store.load(args.storeId);
      if (!store) throw notFound(`no store has id ${args.storeId}`);
      requirePartnerOf(ctx.identity, store.org);
      const rows = await data.appointmentsOfStore(ctx.db, store.id, args.status ?? null, after, limit + 1);
      for (const a of rows) ctx.loaders.appointment.prime(a.id, a);
      return toConnection(rows, limit, appointmentKey);
    },
  },

  Mutation: {
    async bookService(
      _: unknown,
      { input }: { input: { storeId: string; vin: string; serviceType: ServiceType; scheduledAt: Date; note?: string | null } },
      ctx: Ctx,
    ) {
      const who = requireRole(ctx.identity, 'customer', 'admin');
      const now = new Date();
      requireIdArg(input.storeId, 'storeId', 'a store');
      const vin = requireVin(input.vin);
      const scheduledAt = requireBookableTime(input.scheduledAt, now);
      const note = cleanNote(input.note);

      const store = await ctx.loaders.store.load(input.storeId);
      if (!store) throw notFound(`no store has id ${input.storeId}`);
      if (!store.services.includes(input.serviceType)) {
        throw badInput(`${store.name} does not offer ${input.serviceType}; it offers ${store.services.join(', ')}`, 'serviceType');
      }
      const ownerId = await ownerOfVehicle(ctx, vin);
      // Someone else's vehicle is NOT_FOUND, word for word what orders answers for a VIN nobody has.
      if (who.role === 'customer' && ownerId !== who.sub) throw notVisible('vehicle with VIN', vin);

      try {
        return await data.insertAppointment(ctx.db, {
          id: newId('appt'),
          storeId: store.id,
          vin,
          userId: ownerId,
          serviceType: input.serviceType,
          scheduledAt,
          note,
          createdAt: now,
        });
      } catch (err) {
        if (err instanceof data.SlotTakenError) throw conflict(`vehicle ${vin} is already booked at ${scheduledAt.toISOString()}; pick another time or cancel that booking`);
        throw err;
      }
    },

    async issueInvoice(_: unknown, { input }: { input: { appointmentId: string; lines: InvoiceLineArg[] } }, ctx: Ctx) {
      requireRole(ctx.identity, 'partner', 'admin');
      requireIdArg(input.appointmentId, 'appointmentId', 'an appointment');
      const invoiceId = newId('inv');
      const lines = priceInvoiceLines(invoiceId, input.lines);

      // An appointment at another organisation's store is NOT_FOUND, exactly like an id nobody has.
      const appointment = await loadVisible(ctx.identity, ctx.loaders.appointment, input.appointmentId, (who, a) => canIssueAt(ctx, who, a.storeId), 'appointment');

      const issuedAt = new Date();
      // An invoice bills work done at the appointment; before its time nothing can have been done.
      if (appointment.scheduledAt.getTime() > issuedAt.getTime()) {
        throw conflict(`appointment ${appointment.id} is scheduled for ${appointment.scheduledAt.toISOString()}; a service invoice cannot precede its appointment`);
      }
      // Scheduled maintenance may be prepaid by the vehicle's package: orders says what the car is entitled to.
      const entitlement = appointment.serviceType === 'MAINTENANCE' ? (await vehicleEntitlement(ctx, appointment.vin)).entitlement : null;
      const claims = lines
        .filter((l) => l.warrantyCovered)
        .map((l) => ({ id: newId('wclaim'), invoiceId, linePosition: l.position, vin: appointment.vin, amountFen: l.amountFen, status: 'SUBMITTED' as const, submittedAt: issuedAt, decidedAt: null }));

      const { completed, invoice, billed } = await ctx.db.tx(async (q) => {
        // The status check and the transition are one statement: of two concurrent issues, one waits
        // for the other's row lock, then finds the appointment no longer BOOKED.
        const done = await data.completeBookedAppointment(q, appointment.id, issuedAt);
        if (!done) {
          const status = await data.appointmentStatus(q, appointment.id);
          throw conflict(
            status === 'COMPLETED'
              ? `appointment ${appointment.id} already has an invoice`
              : `appointment ${appointment.id} is ${status}; only a BOOKED appointment can be invoiced`,
          );
        }
        // Counted under a per-vehicle lock, so two invoices of one car never use the same prepaid service.
        const serviceNo = entitlement ? packageServiceFor(appointment.serviceType, entitlement, await data.lockAndCountPackageServices(q, appointment.vin), issuedAt) : null;
        const billed = serviceNo === null || !entitlement ? lines : coverByPackage(lines, entitlement.maintenanceAllowanceFen);
        const invoice = buildInvoice(invoiceId, appointment, billed, issuedAt, serviceNo);
        try {
          await data.insertInvoice(q, { invoice, lines: billed, claims });
        } catch (err) {
          if (err instanceof data.AlreadyInvoicedError) throw conflict(`appointment ${appointment.id} already has an invoice`);
          throw err;
        }
        return { completed: done, invoice, billed };
      });
      // This request loaded the appointment while it was BOOKED; answer with what was written.
      ctx.loaders.appointment.clear(completed.id).prime(completed.id, completed);
      ctx.loaders.invoiceByAppointment.prime(completed.id, invoice);
      ctx.loaders.invoice.prime(invoice.id, invoice);
      ctx.loaders.invoiceLines.prime(invoiceId, billed);
      ctx.loaders.packageServicesUsed.clear(appointment.vin);
      return invoice;
    },

    recordPackageFitting: packagePlanResolvers.Mutation.recordPackageFitting,

    async cancelAppointment(_: unknown, args: { id: string }, ctx: Ctx) {
      // A role that never cancels is FORBIDDEN; a customer's reach is their own appointments (others' are NOT_FOUND).
      requireRole(ctx.identity, 'customer', 'admin');
      requireIdArg(args.id, 'id', 'an appointment');
      const appointment = await loadVisible(ctx.identity, ctx.loaders.appointment, args.id, (who, a) => canActAsUser(who, a.userId), 'appointment');
      const cancelled = await data.cancelBookedAppointment(ctx.db, appointment.id, new Date());
      if (!cancelled) {
        const current = await data.appointmentStatus(ctx.db, appointment.id);
        throw conflict(`appointment ${appointment.id} is ${current}; only a BOOKED appointment can be cancelled`);
      }
      return cancelled;
    },
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

  PackageFitting: packagePlanResolvers.PackageFitting,

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
    ...packagePlanResolvers.Vehicle,
    async serviceHistory(vehicle: VehicleRef, args: PageArgs, ctx: Ctx) {
      const who = requireIdentity(ctx.identity);
      const { limit, after } = readTimePage(args);
      const ownerId = vehicle.internalOwnerId ?? (await ownerOfVehicle(ctx, vehicle.vin));
      if (!canReadUser(who, ownerId)) throw forbidden("you can only read your own vehicle's service history");
      const rows = await ctx.loaders.invoicesOfVehicle.load({ parentId: vehicle.vin, limit: limit + 1, after });
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
      const rows = await ctx.loaders.appointmentsOfUser.load({ parentId: userId, limit: limit + 1, after });
      for (const a of rows) ctx.loaders.appointment.prime(a.id, a);
      return toConnection(rows, limit, appointmentKey);
    },
    async serviceInvoices(user: UserRef, args: PageArgs, ctx: Ctx) {
      const userId = realUserId(ctx.identity, user);
      requireReadUser(ctx.identity, userId);
      const { limit, after } = readTimePage(args);
      const rows = await ctx.loaders.invoicesOfUser.load({ parentId: userId, limit: limit + 1, after });
      for (const i of rows) ctx.loaders.invoice.prime(i.id, i);
      return toConnection(rows, limit, invoiceKey);
    },
  },
};

/** The invoice row for `lines` issued on `appointment`. */
/** Who may invoice work at `storeId`: admins, other subgraphs, and partners of the organisation operating it. */
async function canIssueAt(ctx: Ctx, who: Identity, storeId: string): Promise<boolean> {
  if (who.role === 'admin' || who.role === 'service') return true;
  if (who.role !== 'partner') return false;
  const store = await ctx.loaders.store.load(storeId);
  return store?.org === who.org;
}

function buildInvoice(id: string, appointment: Appointment, lines: InvoiceLine[], issuedAt: Date, packageServiceNo: number | null): Invoice {
  return {
    id,
    appointmentId: appointment.id,
    storeId: appointment.storeId,
    vin: appointment.vin,
    userId: appointment.userId,
    issuedAt,
    ...splitByPayer(lines),
    lineCount: lines.length,
    packageServiceNo,
  };
}
