/**
 * The orders seed: for about nine users in ten (always the demo user) a purchase story before
 * `world.now` — maybe a test drive, maybe an appraised trade-in, one order of a catalog trim with its
 * deposit paid, and for most of them the balance paid and the car delivered. Deterministic from
 * `world.rng`; written with a few array-parameter INSERTs per table, so 10,000 users take well under a
 * second of SQL. Hands the orders and vehicles to the finance, aftermarket and energy stages.
 *
 * Prices: the world gives each trim's guide price but no colour, package or accessory prices, so seeded
 * orders are the trim with the STANDARD package (free) and no colour or accessories.
 */
import { addDays, DEMO_USER, type SeedOrder, type SeedStage, type SeedTrim, type SeedVehicle } from '../kit/seed';
import type { TxQueryable } from '../kit/db';
import { seedId } from '../kit/ids';
import { depositFor, requestFingerprint, splitPrice } from './rules';

/** Share of users (besides the demo user) who bought a car. */
const BUYER_SHARE = 0.9;
const TEST_DRIVE_SHARE = 0.6;
const TRADE_IN_SHARE = 0.15;
const FINANCED_SHARE = 0.4;
const DELIVERED_SHARE = 0.8;

/** 100 yuan in fen: seeded appraisals and financed amounts are whole hundreds, as people quote them. */
const HUNDRED_YUAN = 10_000n;

const CITIES = ['Guangzhou', 'Shenzhen', 'Beijing', 'Shanghai', 'Chengdu', 'Hangzhou', 'Wuhan', 'Nanjing', "Xi'an", 'Chongqing'];
const OLD_CARS = [
  'VW Golf 1.4T',
  'Toyota Corolla 1.6',
  'Honda Fit 1.5',
  'Nissan Sylphy 1.6',
  'Buick Excelle GT',
  'BYD Qin EV',
  'Geely Emgrand EC7',
  'Chery Tiggo 3',
  'Ford Focus 1.5T',
  'Hyundai Elantra 1.6',
];

/** A deterministic, valid VIN per seeded delivery: `LJDAG` + the serial padded to 12 digits. */
export function seedVin(serial: number): string {
  return `LJDAG${String(serial).padStart(12, '0')}`;
}

/** Typed columns for an array-parameter INSERT: `INSERT … SELECT * FROM unnest($1::text[], …)`. */
type Column = [name: string, pgType: string];

/** Inserts `rows` in chunks, one statement per chunk, each column passed as one array parameter. */
async function insertRows(q: TxQueryable, table: string, columns: readonly Column[], rows: readonly unknown[][]): Promise<void> {
  const CHUNK = 5_000;
  for (let start = 0; start < rows.length; start += CHUNK) {
    const chunk = rows.slice(start, start + CHUNK);
    const arrays = columns.map((_, i) => chunk.map((r) => (typeof r[i] === 'bigint' ? (r[i] as bigint).toString() : r[i])));
    await q.query(
      `INSERT INTO ${table} (${columns.map(([n]) => n).join(', ')}) SELECT * FROM unnest(${columns.map(([, t], i) => `$${i + 1}::${t}[]`).join(', ')})`,
      arrays,
    );
  }
}

const roundDownToHundred = (fen: bigint) => (fen / HUNDRED_YUAN) * HUNDRED_YUAN;

export const seedOrders: SeedStage = async (db, world) => {
  const { rng, now } = world;
  const trims: SeedTrim[] = world.catalog?.trims ?? [];
  if (trims.length === 0) throw new Error('the orders seed prices orders from world.catalog.trims: run the catalog stage first');
  const standardPackageId = world.catalog.packageIds.find((id) => /standard/i.test(id)) ?? null;

  const orders: SeedOrder[] = [];
  const vehicles: SeedVehicle[] = [];
  const testDriveRows: unknown[][] = [];
  const tradeInRows: unknown[][] = [];
  const orderRows: unknown[][] = [];
  const priceLineRows: unknown[][] = [];
  const statusRows: unknown[][] = [];
  const vehicleRows: unknown[][] = [];

  for (const userId of world.users) {
    const demo = userId === DEMO_USER;
    if (!demo && !rng.chance(BUYER_SHARE)) continue;
    const n = orders.length + 1;
    const orderId = seedId('ord', n);
    const trim = demo ? trims.find((t) => t.batteryRental) ?? trims[0] : rng.pick(trims);
    // The demo user's story is recent enough to show up in a "this year" report, and fully delivered.
    const placedAt = demo ? addDays(now, -200.25) : addDays(now, -rng.int(45, 1_200) - rng.next());

    if (demo || rng.chance(TEST_DRIVE_SHARE)) {
      const bookedAt = addDays(placedAt, -rng.int(12, 40) - rng.next());
      const drivenAt = addDays(bookedAt, rng.int(2, 10) + rng.next() / 2);
      testDriveRows.push([seedId('td', n), userId, trim.id, rng.pick(CITIES), drivenAt, 'BOOKED', bookedAt]);
    }

    const totalFen = trim.guidePriceFen;
    const depositFen = depositFor(totalFen);

    let tradeInId: string | null = null;
    let creditFen = 0n;
    if (demo || rng.chance(TRADE_IN_SHARE)) {
      tradeInId = seedId('ti', n);
      // An older car is worth 5–15% of the new one.
      creditFen = roundDownToHundred((totalFen * BigInt(rng.int(5, 15))) / 100n);
      const requestedAt = addDays(placedAt, -rng.int(10, 40) - rng.next());
      const appraisedAt = addDays(requestedAt, rng.int(1, 5) + rng.next());
      const year = rng.int(2012, 2022);
      tradeInRows.push([
        tradeInId, userId, `${year} ${rng.pick(OLD_CARS)}`, year, rng.int(30_000, 220_000), 'CREDITED', requestedAt,
        creditFen, appraisedAt, 'partner', 'seed-appraiser', orderId,
      ]);
    }

    let financedFen = 0n;
    if (demo || rng.chance(FINANCED_SHARE)) {
      financedFen = roundDownToHundred((totalFen * BigInt(rng.int(50, 70))) / 100n);
      const financeable = totalFen - depositFen - creditFen;
      if (financedFen > financeable) financedFen = financeable;
    }
    const split = splitPrice(totalFen, creditFen, financedFen);

    const depositPaidAt = addDays(placedAt, rng.next() * 2);
    const delivered = demo || rng.chance(DELIVERED_SHARE);
    // Of the undelivered, half have paid the balance and wait for the car, half have paid only the deposit.
    const balancePaid = delivered || rng.chance(0.5);
    const balancePaidAt = balancePaid ? addDays(depositPaidAt, rng.int(7, 30) + rng.next()) : null;
    const deliveredAt = delivered ? addDays(balancePaidAt!, rng.int(1, 10) + rng.next()) : null;
    const status = delivered ? 'DELIVERED' : balancePaid ? 'BALANCE_PAID' : 'DEPOSIT_PAID';
    const vin = delivered ? seedVin(vehicles.length + 1) : null;

    const packageId = standardPackageId;
    const fingerprint = requestFingerprint({ trimId: trim.id, colourId: null, packageId: null, accessoryIds: [], financedFen, tradeInId });
    orderRows.push([
      orderId, userId, `seed-${orderId}`, fingerprint, status, trim.id, trim.name, null, packageId, trim.batteryRental, trim.manufacturerOrg,
      split.totalFen, split.depositFen, tradeInId, split.tradeInCreditFen, split.financedFen, split.balanceDueFen,
      placedAt, depositPaidAt, balancePaidAt, deliveredAt,
    ]);
    priceLineRows.push([orderId, 0, 'TRIM', trim.id, trim.name, totalFen]);
    if (packageId) priceLineRows.push([orderId, 1, 'PACKAGE', packageId, 'Package: Standard', 0n]);
    statusRows.push([orderId, 'PLACED', placedAt, 'customer', userId], [orderId, 'DEPOSIT_PAID', depositPaidAt, 'customer', userId]);
    if (balancePaidAt) statusRows.push([orderId, 'BALANCE_PAID', balancePaidAt, 'customer', userId]);
    if (deliveredAt) statusRows.push([orderId, 'DELIVERED', deliveredAt, 'partner', `seed-${trim.manufacturerOrg}`]);

    orders.push({ id: orderId, userId, trimId: trim.id, totalFen, depositFen, financedFen: split.financedFen, placedAt, deliveredAt, vin });
    if (vin && deliveredAt) {
      vehicles.push({ vin, ownerId: userId, trimId: trim.id, batteryRental: trim.batteryRental, deliveredAt });
      vehicleRows.push([vin, orderId, userId, trim.id, trim.batteryRental, trim.manufacturerOrg, deliveredAt]);
    }
  }

  // One transaction: trade-ins name their order before it exists (the foreign key is checked at commit).
  await db.tx(async (q) => {
    await insertRows(q, 'orders.trade_ins', [
      ['id', 'text'], ['user_id', 'text'], ['description', 'text'], ['model_year', 'int'], ['mileage_km', 'int'], ['status', 'text'], ['requested_at', 'timestamptz'],
      ['appraised_value_fen', 'bigint'], ['appraised_at', 'timestamptz'], ['appraised_by_role', 'text'], ['appraised_by', 'text'], ['credited_order_id', 'text'],
    ], tradeInRows);
    await insertRows(q, 'orders.orders', [
      ['id', 'text'], ['user_id', 'text'], ['idempotency_key', 'text'], ['request_fingerprint', 'text'], ['status', 'text'], ['trim_id', 'text'], ['trim_name', 'text'],
      ['colour_id', 'text'], ['package_id', 'text'], ['battery_rental', 'boolean'], ['manufacturer_org', 'text'],
      ['total_fen', 'bigint'], ['deposit_fen', 'bigint'], ['trade_in_id', 'text'], ['trade_in_credit_fen', 'bigint'], ['financed_fen', 'bigint'], ['balance_due_fen', 'bigint'],
      ['placed_at', 'timestamptz'], ['deposit_paid_at', 'timestamptz'], ['balance_paid_at', 'timestamptz'], ['delivered_at', 'timestamptz'],
    ], orderRows);
    await insertRows(q, 'orders.order_price_lines', [['order_id', 'text'], ['position', 'smallint'], ['kind', 'text'], ['ref_id', 'text'], ['description', 'text'], ['amount_fen', 'bigint']], priceLineRows);
    await insertRows(q, 'orders.order_status_changes', [['order_id', 'text'], ['status', 'text'], ['at', 'timestamptz'], ['by_role', 'text'], ['by_sub', 'text']], statusRows);
    await insertRows(q, 'orders.vehicles', [
      ['vin', 'text'], ['order_id', 'text'], ['owner_id', 'text'], ['trim_id', 'text'], ['battery_rental', 'boolean'], ['manufacturer_org', 'text'], ['delivered_at', 'timestamptz'],
    ], vehicleRows);
    await insertRows(q, 'orders.test_drives', [
      ['id', 'text'], ['user_id', 'text'], ['trim_id', 'text'], ['city', 'text'], ['scheduled_at', 'timestamptz'], ['status', 'text'], ['booked_at', 'timestamptz'],
    ], testDriveRows);
  });

  world.orders = { orders, vehicles };
};
