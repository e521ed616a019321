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
 * Deterministic from `world.rng`; writes only aftermarket's tables, in batches of vehicles, with one
 * multi-row INSERT per table per batch.
 */
import type { Db } from '../../../platform/db';
import type { SeedStage } from '../../kit/seed';
import { insertStoreRows } from '../data/stores';
import { insertAppointmentRows } from '../data/appointments';
import { insertClaimRows, insertInvoiceRows, insertLineRows } from '../data/invoices';
import { insertFittingRows } from '../data/fittings';
import { seedStores } from './stores';
import { AftermarketSeeder, type Batch } from './vehicles';
import { ORDERS } from './facts';

/** Vehicles per write batch: bounds memory at any number of users. */
const VEHICLES_PER_BATCH = 2000;

async function writeBatch(db: Db, batch: Batch): Promise<void> {
  await db.tx(async (q) => {
    await insertAppointmentRows(q, batch.appointments);
    await insertInvoiceRows(q, batch.invoices);
    await insertLineRows(q, batch.lines);
    await insertClaimRows(q, batch.claims);
    await insertFittingRows(q, batch.fittings);
  });
}

export const seedAftermarket: SeedStage = async (db, world) => {
  const stores = seedStores();
  await db.tx((q) => insertStoreRows(q, stores));
  const seeder = new AftermarketSeeder(world.rng, world.now, stores);
  const vehicles = world.read(ORDERS.vehicles).filter((v) => v.deliveredAt.getTime() < world.now.getTime());
  for (let start = 0; start < vehicles.length; start += VEHICLES_PER_BATCH) {
    const batch: Batch = { appointments: [], invoices: [], lines: [], claims: [], fittings: [] };
    for (const v of vehicles.slice(start, start + VEHICLES_PER_BATCH)) {
      seeder.vehicle(batch, v);
      seeder.fitting(batch, v);
    }
    await writeBatch(db, batch);
  }
};
