/**
 * Aftermarket's writes: booking, invoicing (with warranty claims and prepaid package services),
 * recording a package fitting and cancelling. Each validates its input, authorizes, then writes in one
 * transaction, a state change that may race being a conditional UPDATE.
 */
import { loadVisible, notVisible } from '../kit/visible';
import { canActAsUser, requireRole } from '../kit/auth';
import { badInput, conflict, notFound } from '../../platform/errors';
import { checkId, newId, parseVin } from '../kit/ids';
import { canIssueAt, ownerOfVehicle, type Ctx } from './access';
import { coverByPackage, splitByPayer } from './totals';
import { noSuchVehicle, packageServiceFor, vehicleEntitlement } from './package-plan';
import type { ServiceType } from './data/stores';
import {
  appointmentStatus,
  cancelBookedAppointment,
  completeBookedAppointment,
  hasModificationVisit,
  insertAppointment,
  SlotTakenError,
  type Appointment,
} from './data/appointments';
import { AlreadyInvoicedError, insertInvoice, lockAndCountPackageServices, type Invoice, type InvoiceLine } from './data/invoices';
import { AlreadyFittedError, insertFittingRows, type PackageFitting } from './data/fittings';
import { cleanNote, priceInvoiceLines, requireBookableTime, type InvoiceLineArg } from './validation';

export const Mutation = {
  async bookService(
    _: unknown,
    { input }: { input: { storeId: string; vin: string; serviceType: ServiceType; scheduledAt: Date; note?: string | null } },
    ctx: Ctx,
  ) {
    const who = requireRole(ctx.identity, 'customer', 'admin');
    const now = new Date();
    checkId(input.storeId, 'storeId', 'store');
    const vin = parseVin(input.vin);
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
      return await insertAppointment(ctx.db, {
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
      if (err instanceof SlotTakenError) throw conflict(`vehicle ${vin} is already booked at ${scheduledAt.toISOString()}; pick another time or cancel that booking`);
      throw err;
    }
  },

  async issueInvoice(_: unknown, { input }: { input: { appointmentId: string; lines: InvoiceLineArg[] } }, ctx: Ctx) {
    requireRole(ctx.identity, 'partner', 'admin');
    checkId(input.appointmentId, 'appointmentId', 'appointment');
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
      const done = await completeBookedAppointment(q, appointment.id, issuedAt);
      if (!done) {
        const status = await appointmentStatus(q, appointment.id);
        throw conflict(
          status === 'COMPLETED'
            ? `appointment ${appointment.id} already has an invoice`
            : `appointment ${appointment.id} is ${status}; only a BOOKED appointment can be invoiced`,
        );
      }
      // Counted under a per-vehicle lock, so two invoices of one car never use the same prepaid service.
      const serviceNo = entitlement ? packageServiceFor(appointment.serviceType, entitlement, await lockAndCountPackageServices(q, appointment.vin), issuedAt) : null;
      const billed = serviceNo === null || !entitlement ? lines : coverByPackage(lines, entitlement.maintenanceAllowanceFen);
      const invoice = buildInvoice(invoiceId, appointment, billed, issuedAt, serviceNo);
      try {
        await insertInvoice(q, { invoice, lines: billed, claims });
      } catch (err) {
        if (err instanceof AlreadyInvoicedError) throw conflict(`appointment ${appointment.id} already has an invoice`);
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

  async recordPackageFitting(_: unknown, { input }: { input: { vin: string; storeId: string } }, ctx: Ctx): Promise<PackageFitting> {
    const who = requireRole(ctx.identity, 'partner', 'admin');
    const vin = parseVin(input.vin);
    checkId(input.storeId, 'storeId', 'store');
    const store = await ctx.loaders.store.load(input.storeId);
    if (!store) throw notFound(`no store has id ${input.storeId}`);
    if (!store.services.includes('MODIFICATION')) {
      throw badInput(`${store.name} does not fit accessories (it offers ${store.services.join(', ')}); record the fitting at a store offering MODIFICATION`, 'storeId');
    }
    // A partner records fittings only of cars booked in for MODIFICATION at a store of their organisation;
    // any other VIN is answered like one nobody has, so fittings are no VIN oracle and a bogus one
    // cannot take the car's single fitting from the store that really fits it.
    if (who.role !== 'admin' && !(who.role === 'partner' && who.org === store.org && (await hasModificationVisit(ctx.db, vin, store.id)))) {
      throw noSuchVehicle(vin);
    }
    const { entitlement } = await vehicleEntitlement(ctx, vin);
    if (entitlement.fittedItems.length === 0 || entitlement.packageId === null) {
      throw badInput(`vehicle ${vin} was not bought with a package that is fitted (car cover or accessory assembly); there is nothing to record`, 'vin');
    }
    const fitting: PackageFitting = {
      id: newId('fit'),
      vin,
      packageId: entitlement.packageId,
      storeId: store.id,
      items: entitlement.fittedItems,
      fittedAt: new Date(),
      recordedBy: `${who.role}:${who.sub}`,
    };
    try {
      await ctx.db.tx((q) => insertFittingRows(q, [fitting]));
    } catch (err) {
      if (err instanceof AlreadyFittedError) throw conflict(`the package of vehicle ${vin} is already fitted; a package is fitted once`);
      throw err;
    }
    ctx.loaders.fittingsOfVehicle.clear(vin);
    return fitting;
  },

  async cancelAppointment(_: unknown, args: { id: string }, ctx: Ctx) {
    // A role that never cancels is FORBIDDEN; a customer's reach is their own appointments (others' are NOT_FOUND).
    requireRole(ctx.identity, 'customer', 'admin');
    checkId(args.id, 'id', 'appointment');
    const appointment = await loadVisible(ctx.identity, ctx.loaders.appointment, args.id, (who, a) => canActAsUser(who, a.userId), 'appointment');
    const cancelled = await cancelBookedAppointment(ctx.db, appointment.id, new Date());
    if (!cancelled) {
      const current = await appointmentStatus(ctx.db, appointment.id);
      throw conflict(`appointment ${appointment.id} is ${current}; only a BOOKED appointment can be cancelled`);
    }
    return cancelled;
  },
};

/** The invoice row for `lines` issued on `appointment`. */
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
