/**
 * Aftermarket's seed stage: the store network (about 60 stores across eight cities, mostly JD
 * maintenance and cooperative stores, a few modification stores and film factories), and for every
 * delivered vehicle 1–4 completed, invoiced appointments after its delivery, now and then a cancelled
 * one, and sometimes one booked ahead. `demo-driver`'s vehicles always have a maintenance invoice and
 * a warranty repair with a warranty-covered part and an owner-paid part. A vehicle bought with the
 * maintenance-enhanced package has its scheduled services within the plan settled by the platform up to
 * the package's allowance per service (the owner pays any excess; most bill less and are 0.00 to the
 * owner), by the same rule as `issueInvoice`; one bought with a car cover or accessory
 * assembly has that package fitted at a modification store within a week of delivery.
 *
 * Deterministic from `world.rng`; writes only aftermarket's tables, streaming vehicle by vehicle
 * through the kit's writer (memory bounded by its batch, not by the number of vehicles).
 */
import type { SeedStage } from '../../kit/seed';
import type { BulkColumns } from '../../kit/bulk';
import { STORES_TABLE } from '../data/stores';
import { APPOINTMENTS_TABLE } from '../data/appointments';
import { INVOICE_LINES_TABLE, INVOICES_TABLE, WARRANTY_CLAIMS_TABLE } from '../data/invoices';
import { FITTINGS_TABLE } from '../data/fittings';
import { seedStores } from './stores';
import { AftermarketSeeder, type Batch } from './vehicles';
import { ORDERS } from './facts';

export const seedAftermarket: SeedStage = async (db, world) => {
  const stores = seedStores();
  const seeder = new AftermarketSeeder(world.rng, world.now, stores);
  const vehicles = world.read(ORDERS.vehicles).filter((v) => v.deliveredAt.getTime() < world.now.getTime());
  await db.tx(async (q) => {
    const writer = world.writer(q, { stage: 'aftermarket', units: vehicles.length, unit: 'vehicles' });
    // Parents first. Appointments keep their indexes during the load: the fittings' owner trigger
    // looks a fitting's appointment up by vin. Lines and claims are looked up by nothing during it.
    const storeTable = writer.tableOf(STORES_TABLE);
    const appointments = writer.tableOf(APPOINTMENTS_TABLE);
    const invoices = writer.tableOf(INVOICES_TABLE);
    const lines = writer.tableOf(INVOICE_LINES_TABLE, { bulkLoad: true });
    // Their owner columns: on a live insert a trigger copies them from the invoice (claims) or the
    // fitting's appointment (fittings); every row of a vehicle here is its owner's, so the seed writes it.
    const owner: BulkColumns = [['user_id', 'text']];
    const claims = writer.tableOf(WARRANTY_CLAIMS_TABLE, { bulkLoad: true, extraColumns: owner, bypassTriggers: ['warranty_claims_owner'] });
    const fittings = writer.tableOf(FITTINGS_TABLE, { extraColumns: owner, bypassTriggers: ['package_fittings_owner'] });
    for (const s of stores) storeTable.add(s);
    for (const v of vehicles) {
      // One vehicle's rows, built together (an appointment is completed by its invoice) and then handed over.
      const batch: Batch = { appointments: [], invoices: [], lines: [], claims: [], fittings: [] };
      seeder.vehicle(batch, v);
      seeder.fitting(batch, v);
      for (const a of batch.appointments) appointments.add(a);
      for (const i of batch.invoices) invoices.add(i);
      for (const l of batch.lines) lines.add(l);
      for (const c of batch.claims) claims.add(c, v.ownerId);
      for (const f of batch.fittings) fittings.add(f, v.ownerId);
      await writer.tick();
    }
    await writer.finish();
  });
};
