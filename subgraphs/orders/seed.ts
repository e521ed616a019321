/**
 * The orders seed: for about nine users in ten (always the demo user) a purchase story before
 * `world.now` — maybe a test drive, maybe an appraised trade-in, one order of a catalog trim with its
 * deposit paid, and for most of them the balance paid and the car delivered. Deterministic from
 * `world.rng`; streamed user by user through the kit's writer (array-parameter INSERTs of a batch of
 * rows each). Publishes the orders and vehicles (`seed-facts.ts`) for the stages after it.
 *
 * Prices: each order is priced as `placeOrder` prices it through the catalog's quote — the trim's guide
 * price, the colour's surcharge, the package's price (the STANDARD package when none was chosen) and
 * each accessory's price — from the prices the catalog stage published, and stores the same price-line
 * snapshot, trim name and request fingerprint a live order stores.
 */
import { addDays, addYears, DEMO_USER, type Rng, type SeedStage } from '../kit/seed';
import { CATALOG, ORDERS_FACTS, type CatalogAccessory, type CatalogColour, type CatalogPackage, type CatalogTrim, type SeedOrder, type SeedVehicle } from './seed-facts';
import { registerUsers } from './users';
import { seedId } from '../kit/ids';
import type { PriceLine } from './data/orders';
import { depositFor, requestFingerprint, splitPrice } from './rules';

/** Share of users (besides the demo user) who bought a car. */
const BUYER_SHARE = 0.9;
const TEST_DRIVE_SHARE = 0.6;
const TRADE_IN_SHARE = 0.15;
const FINANCED_SHARE = 0.4;
const DELIVERED_SHARE = 0.8;
/** Share of buyers who name a colour (the others take the trim's default paint, with no colour line). */
const COLOUR_SHARE = 0.85;
/** Share of buyers who choose one of the paid delivery packages over the standard one. */
const PAID_PACKAGE_SHARE = 0.35;
/** How many accessories a buyer adds: 0 for 40%, 1 for 30%, 2 for 20%, 3 for 10%. */
const ACCESSORY_COUNT_WEIGHTS = [0.4, 0.3, 0.2, 0.1];

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

const roundDownToHundred = (fen: bigint) => (fen / HUNDRED_YUAN) * HUNDRED_YUAN;

/** The catalog's options a buyer chooses from. */
interface CatalogOptions {
  colours: readonly CatalogColour[];
  accessories: readonly CatalogAccessory[];
}

/** What a buyer asked for, as `placeOrder` receives it: no package means the STANDARD one. */
interface Configuration {
  colour: CatalogColour | null;
  /** The paid package asked for; null when the buyer left the package out (the STANDARD one is priced). */
  paidPackage: CatalogPackage | null;
  accessories: CatalogAccessory[];
}

function pickAccessories(rng: Rng, pool: readonly CatalogAccessory[], count: number): CatalogAccessory[] {
  const picked: CatalogAccessory[] = [];
  while (picked.length < Math.min(count, pool.length)) {
    const a = rng.pick(pool);
    if (!picked.includes(a)) picked.push(a);
  }
  return picked;
}

function pickConfiguration(rng: Rng, options: CatalogOptions, paidPackages: readonly CatalogPackage[]): Configuration {
  const colour = options.colours.length > 0 && rng.chance(COLOUR_SHARE) ? rng.pick(options.colours) : null;
  const paidPackage = paidPackages.length > 0 && rng.chance(PAID_PACKAGE_SHARE) ? rng.pick(paidPackages) : null;
  let r = rng.next();
  let count = 0;
  while (count < ACCESSORY_COUNT_WEIGHTS.length - 1 && r >= ACCESSORY_COUNT_WEIGHTS[count]) r -= ACCESSORY_COUNT_WEIGHTS[count++];
  return { colour, paidPackage, accessories: pickAccessories(rng, options.accessories, count) };
}

/**
 * The demo user's configuration, fixed by shape so their order shows every kind of price line: a
 * colour with a surcharge, the cheapest paid package and two accessories.
 */
function demoConfiguration(rng: Rng, options: CatalogOptions, paidPackages: readonly CatalogPackage[]): Configuration {
  const cheapestPaid = [...paidPackages].sort((a, b) => (a.priceFen < b.priceFen ? -1 : a.priceFen > b.priceFen ? 1 : 0))[0] ?? null;
  return {
    colour: options.colours.find((c) => c.surchargeFen > 0n) ?? options.colours[0] ?? null,
    paidPackage: cheapestPaid,
    accessories: pickAccessories(rng, options.accessories, 2),
  };
}

/**
 * The price lines the catalog's quote gives for a configuration, in its order and wording: the trim
 * (as "<model name> <trim name>"), the colour when one was chosen, the package, then each accessory.
 */
function seedPriceLines(trim: CatalogTrim, pkg: CatalogPackage, config: Configuration): PriceLine[] {
  const lines: PriceLine[] = [{ kind: 'TRIM', refId: trim.id, description: `${trim.modelName} ${trim.name}`, amountFen: trim.guidePriceFen }];
  if (config.colour) lines.push({ kind: 'COLOUR', refId: config.colour.id, description: `Colour: ${config.colour.name}`, amountFen: config.colour.surchargeFen });
  lines.push({ kind: 'PACKAGE', refId: pkg.id, description: `Package: ${pkg.name}`, amountFen: pkg.priceFen });
  for (const a of config.accessories) lines.push({ kind: 'ACCESSORY', refId: a.id, description: `Accessory: ${a.name}`, amountFen: a.priceFen });
  return lines;
}

export const seedOrders: SeedStage = async (db, world) => {
  const { rng, now } = world;
  const trims = world.read(CATALOG.trims);
  if (trims.length === 0) throw new Error(`the orders seed prices orders from ${CATALOG.trims.key}, and the catalog stage published no trims`);
  const packages = world.read(CATALOG.packages);
  const standardPackageId = world.read(CATALOG.standardPackageId);
  const standardPackage = packages.find((p) => p.id === standardPackageId);
  if (!standardPackage) throw new Error(`the orders seed needs ${CATALOG.standardPackageId.key} (${standardPackageId}) among ${CATALOG.packages.key}`);
  const paidPackages = packages.filter((p) => p.id !== standardPackage.id);
  const options: CatalogOptions = { colours: world.read(CATALOG.colours), accessories: world.read(CATALOG.accessories) };

  const orders: SeedOrder[] = [];
  const vehicles: SeedVehicle[] = [];
  // One transaction: trade-ins name their order before it exists (the foreign key is checked at commit).
  await db.tx(async (q) => {
    // Every seeded person exists for `user(id:)`, also one with nothing in orders.
    await registerUsers(q, world.users);
    const writer = world.writer(q, { stage: 'orders', units: world.users.length, unit: 'users' });
    // Parents first: an order names its trade-in; lines, status changes and vehicles name their order.
    const tradeIns = writer.table('orders.trade_ins', [
      ['id', 'text'], ['user_id', 'text'], ['description', 'text'], ['model_year', 'int'], ['mileage_km', 'int'], ['status', 'text'], ['requested_at', 'timestamptz'],
      ['appraised_value_fen', 'bigint'], ['appraised_at', 'timestamptz'], ['appraised_by_role', 'text'], ['appraised_by', 'text'], ['credited_order_id', 'text'],
      ['dealer_org', 'text'], ['appraised_by_org', 'text'],
    ]);
    const orderTable = writer.table('orders.orders', [
      ['id', 'text'], ['user_id', 'text'], ['idempotency_key', 'text'], ['request_fingerprint', 'text'], ['status', 'text'], ['trim_id', 'text'], ['trim_name', 'text'],
      ['colour_id', 'text'], ['package_id', 'text'], ['accessory_ids', 'text[]'], ['battery_rental', 'boolean'], ['manufacturer_org', 'text'],
      ['total_fen', 'bigint'], ['deposit_fen', 'bigint'], ['trade_in_id', 'text'], ['trade_in_credit_fen', 'bigint'], ['financed_fen', 'bigint'], ['balance_due_fen', 'bigint'],
      ['placed_at', 'timestamptz'], ['deposit_paid_at', 'timestamptz'], ['balance_paid_at', 'timestamptz'], ['delivered_at', 'timestamptz'],
      ['maintenance_services', 'integer'], ['maintenance_years', 'integer'], ['fitted_items', 'text[]'], ['maintenance_allowance_fen', 'bigint'],
    ]);
    const priceLines = writer.table('orders.order_price_lines', [['order_id', 'text'], ['position', 'smallint'], ['kind', 'text'], ['ref_id', 'text'], ['description', 'text'], ['amount_fen', 'bigint']], { bulkLoad: true });
    const statusChanges = writer.table('orders.order_status_changes', [['order_id', 'text'], ['status', 'text'], ['at', 'timestamptz'], ['by_role', 'text'], ['by_sub', 'text']], { bulkLoad: true });
    const vehicleTable = writer.table('orders.vehicles', [
      ['vin', 'text'], ['order_id', 'text'], ['owner_id', 'text'], ['trim_id', 'text'], ['battery_rental', 'boolean'], ['manufacturer_org', 'text'], ['delivered_at', 'timestamptz'],
    ]);
    const testDrives = writer.table('orders.test_drives', [
      ['id', 'text'], ['user_id', 'text'], ['trim_id', 'text'], ['city', 'text'], ['scheduled_at', 'timestamptz'], ['status', 'text'], ['booked_at', 'timestamptz'],
    ]);

    for (const userId of world.users) {
      await writer.tick(); // the previous user is done
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
        testDrives.add([seedId('td', n), userId, trim.id, rng.pick(CITIES), drivenAt, 'BOOKED', bookedAt]);
      }

      // Only the packages the catalog offers with this trim: the live quote refuses the others.
      const offered = paidPackages.filter((p) => trim.packageIds.includes(p.id));
      const config = demo ? demoConfiguration(rng, options, offered) : pickConfiguration(rng, options, offered);
      const pkg = config.paidPackage ?? standardPackage;
      const lines = seedPriceLines(trim, pkg, config);
      const trimName = lines[0].description;
      const totalFen = lines.reduce((sum, l) => sum + l.amountFen, 0n);
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
        tradeIns.add([
          tradeInId, userId, `${year} ${rng.pick(OLD_CARS)}`, year, rng.int(30_000, 220_000), 'CREDITED', requestedAt,
          creditFen, appraisedAt, 'partner', 'seed-appraiser', orderId,
          // Asked of, and appraised by, the dealer of the car it was traded in for.
          trim.manufacturerOrg, trim.manufacturerOrg,
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

      const accessoryIds = config.accessories.map((a) => a.id);
      const fingerprint = requestFingerprint({
        trimId: trim.id,
        colourId: config.colour?.id ?? null,
        packageId: config.paidPackage?.id ?? null,
        accessoryIds,
        financedFen,
        tradeInId,
      });
      orderTable.add([
        orderId, userId, `seed-${orderId}`, fingerprint, status, trim.id, trimName, config.colour?.id ?? null, pkg.id, accessoryIds, trim.batteryRental, trim.manufacturerOrg,
        split.totalFen, split.depositFen, tradeInId, split.tradeInCreditFen, split.financedFen, split.balanceDueFen,
        placedAt, depositPaidAt, balancePaidAt, deliveredAt, pkg.maintenanceServices, pkg.maintenanceYears, pkg.fittedItems, pkg.maintenanceAllowanceFen,
      ]);
      lines.forEach((l, position) => priceLines.add([orderId, position, l.kind, l.refId, l.description, l.amountFen]));
      statusChanges.add([orderId, 'PLACED', placedAt, 'customer', userId]);
      statusChanges.add([orderId, 'DEPOSIT_PAID', depositPaidAt, 'customer', userId]);
      if (balancePaidAt) statusChanges.add([orderId, 'BALANCE_PAID', balancePaidAt, 'customer', userId]);
      if (deliveredAt) statusChanges.add([orderId, 'DELIVERED', deliveredAt, 'partner', `seed-${trim.manufacturerOrg}`]);

      orders.push({ id: orderId, userId, trimId: trim.id, totalFen, depositFen, financedFen: split.financedFen, placedAt, deliveredAt, vin });
      if (vin && deliveredAt) {
        vehicles.push({
          vin,
          ownerId: userId,
          trimId: trim.id,
          batteryRental: trim.batteryRental,
          deliveredAt,
          // What orders' Vehicle.packageEntitlement answers for this car, for aftermarket's stage.
          packageId: pkg.id,
          maintenanceServices: pkg.maintenanceServices,
          maintenanceAllowanceFen: pkg.maintenanceAllowanceFen,
          maintenanceValidUntil: pkg.maintenanceServices > 0 ? addYears(deliveredAt, pkg.maintenanceYears) : null,
          fittedItems: pkg.fittedItems,
        });
        vehicleTable.add([vin, orderId, userId, trim.id, trim.batteryRental, trim.manufacturerOrg, deliveredAt]);
      }
    }

    await writer.finish();
  });

  world.publish(ORDERS_FACTS.orders, orders);
  world.publish(ORDERS_FACTS.vehicles, vehicles);
};
