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
import type { Db } from '../kit/db';
import { addDays, DEMO_USER, Rng, type SeedStage, type SeedVehicle } from '../kit/seed';
import { seedId } from '../kit/ids';
import * as data from './data';
import { coverByPackage, splitByPayer } from './totals';
import { packageServiceFor } from './package-plan';
import type { Appointment, Invoice, InvoiceLine, PackageFitting, ServiceType, Store, StoreKind, WarrantyClaim } from './data';

interface City {
  name: string;
  districts: string[];
}

const CITIES: City[] = [
  { name: 'Beijing', districts: ['Chaoyang', 'Haidian', 'Fengtai', 'Tongzhou'] },
  { name: 'Shanghai', districts: ['Pudong', 'Xuhui', 'Minhang', 'Jiading'] },
  { name: 'Guangzhou', districts: ['Tianhe', 'Panyu', 'Baiyun'] },
  { name: 'Shenzhen', districts: ['Nanshan', 'Futian', 'Longgang'] },
  { name: 'Chengdu', districts: ['Wuhou', 'Jinjiang', 'Gaoxin'] },
  { name: 'Hangzhou', districts: ['Xihu', 'Binjiang', 'Yuhang'] },
  { name: 'Wuhan', districts: ['Hongshan', 'Jianghan'] },
  { name: "Xi'an", districts: ['Yanta', 'Weiyang'] },
];
const ROADS = ['Jianguo', 'Zhongshan', 'Renmin', 'Jiefang', 'Heping', 'Xinhua', 'Changjiang', 'Huaihai', 'Binhe', 'Keji'];

/** What each kind of store can be booked for. */
const SERVICES_BY_KIND: Record<StoreKind, ServiceType[]> = {
  MAINTENANCE: ['MAINTENANCE', 'REPAIR', 'TYRES', 'WARRANTY_REPAIR'],
  COOPERATIVE: ['MAINTENANCE', 'REPAIR', 'TYRES'],
  MODIFICATION: ['MODIFICATION', 'TYRES'],
  FILM: ['FILM'],
};

const COOPERATIVE_BRANDS: Array<{ name: string; org: string }> = [
  { name: 'Huayu Auto Service', org: 'coop-network' },
  { name: 'Lantian Car Workshop', org: 'coop-network' },
  { name: 'Minghang Auto Repair', org: 'coop-network' },
  { name: 'Jinlun Tyre & Service', org: 'coop-tyreplus' },
];

/** The store network: the same 60 stores in every seed (it does not depend on the number of users). */
export function seedStores(): Store[] {
  const plan: Array<[StoreKind, number]> = [
    ['MAINTENANCE', 26],
    ['COOPERATIVE', 22],
    ['MODIFICATION', 6],
    ['FILM', 6],
  ];
  const stores: Store[] = [];
  for (const [kind, count] of plan) {
    for (let k = 0; k < count; k++) {
      // Modification stores and film factories are few and large: only in the six biggest cities.
      const city = CITIES[kind === 'MODIFICATION' || kind === 'FILM' ? k % 6 : k % CITIES.length];
      const district = city.districts[Math.floor(k / CITIES.length) % city.districts.length];
      const n = stores.length + 1;
      const address = `${(n * 37) % 400 + 1} ${ROADS[n % ROADS.length]} Road, ${district} District, ${city.name}`;
      let name: string;
      let org: string;
      let services = SERVICES_BY_KIND[kind];
      switch (kind) {
        case 'MAINTENANCE':
          name = `JD Auto Care ${city.name} ${district}`;
          org = 'jd-auto-care';
          break;
        case 'COOPERATIVE': {
          const brand = COOPERATIVE_BRANDS[k % COOPERATIVE_BRANDS.length];
          name = `${brand.name} (${city.name} ${district})`;
          org = brand.org;
          if (brand.org === 'coop-tyreplus') services = ['TYRES', 'MAINTENANCE'];
          break;
        }
        case 'MODIFICATION':
          name = `JD Auto Mod Works ${city.name}`;
          org = 'jd-mod-works';
          break;
        case 'FILM':
          name = `JD Film Factory ${city.name}`;
          org = 'jd-film-factory';
          break;
      }
      stores.push({ id: seedId('store', n), name, kind, city: city.name, address, org, services });
    }
  }
  return stores;
}

// ---------------------------------------------------------------------------------------------
// Invoice lines by service type
// ---------------------------------------------------------------------------------------------

const DAY = 86_400_000;

type LineDraft = Omit<InvoiceLine, 'invoiceId' | 'position' | 'amountFen' | 'packageCovered' | 'packageSettledFen'>;

/** A price in fen between `min` and `max` yuan, ending in .00 or .90 like a price list. */
function price(rng: Rng, min: number, max: number): bigint {
  return BigInt(rng.int(min, max)) * 100n - (rng.chance(0.4) ? 10n : 0n);
}

function part(description: string, unitPriceFen: bigint, quantity = 1, warrantyCovered = false): LineDraft {
  return { kind: 'PART', description, quantity, unitPriceFen, warrantyCovered };
}
function labour(description: string, unitPriceFen: bigint, quantity = 1, warrantyCovered = false): LineDraft {
  return { kind: 'LABOUR', description, quantity, unitPriceFen, warrantyCovered };
}

const REPAIR_PARTS = ['Front bumper cover', 'Side mirror assembly', 'Headlamp unit', 'Suspension control arm', 'Rear light cluster'];
const WARRANTY_PARTS = ['Drive motor controller', 'Charging port assembly', 'Battery management module', 'Window regulator', 'Air-conditioning compressor'];
const MODIFICATIONS: Array<[string, number, number]> = [
  ['Roof rack', 900, 2400],
  ['Ambient lighting kit', 500, 1600],
  ['Tow bar', 1800, 3800],
  ['Alloy wheels (set of 4)', 4200, 8800],
  ['Dash camera', 500, 1500],
];

/**
 * The lines of one invoice. `forceOwnerPaidExtra` makes a warranty repair carry an owner-paid line too
 * (the demo user's guaranteed mixed invoice).
 */
function draftLines(rng: Rng, type: ServiceType, forceOwnerPaidExtra = false): LineDraft[] {
  switch (type) {
    case 'MAINTENANCE': {
      const lines = [labour('Scheduled inspection', price(rng, 150, 300)), part('Cabin air filter', price(rng, 89, 169))];
      if (rng.chance(0.5)) lines.push(part('Brake fluid (1 L)', price(rng, 60, 120)));
      if (rng.chance(0.4)) lines.push(part('Wiper blades (pair)', price(rng, 79, 159)));
      if (rng.chance(0.3)) lines.push(part('Coolant top-up', price(rng, 40, 90)));
      // Now and then the inspection finds a defective part the warranty replaces.
      if (rng.chance(0.08)) lines.push(part('12V auxiliary battery', price(rng, 450, 800), 1, true));
      return lines;
    }
    case 'TYRES': {
      const tyres = rng.chance(0.6) ? 4 : 2;
      const lines = [part('Tyre 215/55 R17', price(rng, 450, 900), tyres), labour('Tyre fitting and balancing', price(rng, 40, 60), tyres)];
      if (rng.chance(0.5)) lines.push(labour('Wheel alignment', price(rng, 198, 298)));
      return lines;
    }
    case 'REPAIR': {
      const lines = [part(rng.pick(REPAIR_PARTS), price(rng, 600, 3500)), labour('Repair labour (hours)', price(rng, 120, 220), rng.int(1, 6))];
      if (rng.chance(0.5)) lines.push(part('Paint and materials', price(rng, 200, 900)));
      return lines;
    }
    case 'WARRANTY_REPAIR': {
      const lines = [part(rng.pick(WARRANTY_PARTS), price(rng, 800, 9000), 1, true), labour('Warranty repair labour (hours)', price(rng, 150, 200), rng.int(1, 4), true)];
      // While the car is in, the owner often has something small done at their own cost.
      if (forceOwnerPaidExtra || rng.chance(0.4)) lines.push(part('Wiper blades (pair)', price(rng, 79, 159)));
      return lines;
    }
    case 'FILM':
      return rng.chance(0.7)
        ? [part('Window film, full car', price(rng, 1800, 4800)), labour('Film fitting', price(rng, 300, 600))]
        : [part('Paint protection film, full body', price(rng, 6800, 15800)), labour('Film fitting', price(rng, 600, 1200))];
    case 'MODIFICATION': {
      const [description, min, max] = rng.pick(MODIFICATIONS);
      return [part(description, price(rng, min, max)), labour('Fitting labour (hours)', price(rng, 150, 250), rng.int(1, 4))];
    }
  }
}

/** How often each kind of visit happens after the first. */
const VISIT_WEIGHTS: Array<[ServiceType, number]> = [
  ['MAINTENANCE', 50],
  ['TYRES', 12],
  ['REPAIR', 12],
  ['WARRANTY_REPAIR', 12],
  ['MODIFICATION', 8],
  ['FILM', 6],
];
const VISIT_WEIGHT_TOTAL = VISIT_WEIGHTS.reduce((s, [, w]) => s + w, 0);

function pickVisit(rng: Rng): ServiceType {
  let r = rng.next() * VISIT_WEIGHT_TOTAL;
  for (const [type, w] of VISIT_WEIGHTS) {
    if ((r -= w) < 0) return type;
  }
  return 'MAINTENANCE';
}

/** The first half-hour slot at or after `t` within Chinese business hours (09:00–17:30 at UTC+8, i.e. 01:00–09:30 UTC); at most ~33 h later. */
function businessSlot(rng: Rng, t: Date): Date {
  const midnight = Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate());
  const slot = midnight + 3_600_000 + rng.int(0, 17) * 1_800_000;
  return new Date(slot >= t.getTime() ? slot : slot + DAY);
}

// ---------------------------------------------------------------------------------------------
// The stage
// ---------------------------------------------------------------------------------------------

/** Vehicles per write batch: bounds memory at any number of users. */
const VEHICLES_PER_BATCH = 2000;

interface Batch {
  appointments: Appointment[];
  invoices: Invoice[];
  lines: InvoiceLine[];
  claims: Array<Omit<WarrantyClaim, 'description'>>;
  fittings: PackageFitting[];
}

class AftermarketSeeder {
  private appointmentCount = 0;
  private invoiceCount = 0;
  private claimCount = 0;
  private readonly homeCity = new Map<string, string>();
  private readonly storesByCityAndService = new Map<string, Store[]>();
  private readonly storesByService = new Map<ServiceType, Store[]>();
  /** Prepaid maintenance services each vehicle's invoices have used so far (visits are drawn in time order). */
  private readonly packageServicesUsed = new Map<string, number>();
  private fittingCount = 0;
  /**
   * Fittings draw from their own generator so that adding them left every other seeded row (here and in
   * the stages after this one, which share `world.rng`) exactly as it was.
   */
  private readonly fittingRng = new Rng(20260214);

  constructor(
    private readonly rng: Rng,
    private readonly now: Date,
    stores: Store[],
  ) {
    for (const s of stores) {
      for (const type of s.services) {
        const key = `${s.city}\u0000${type}`;
        this.storesByCityAndService.set(key, [...(this.storesByCityAndService.get(key) ?? []), s]);
        this.storesByService.set(type, [...(this.storesByService.get(type) ?? []), s]);
      }
    }
  }

  /** A store offering `type`, in the owner's home city when there is one. */
  private storeFor(ownerId: string, type: ServiceType): Store {
    let city = this.homeCity.get(ownerId);
    if (!city) {
      city = this.rng.pick(CITIES).name;
      this.homeCity.set(ownerId, city);
    }
    const local = this.storesByCityAndService.get(`${city}\u0000${type}`);
    return this.rng.pick(local?.length ? local : this.storesByService.get(type)!);
  }

  private appointment(v: SeedVehicle, type: ServiceType, scheduledAt: Date, bookedAt: Date): Appointment {
    return {
      id: seedId('appt', ++this.appointmentCount),
      storeId: this.storeFor(v.ownerId, type).id,
      vin: v.vin,
      userId: v.ownerId,
      serviceType: type,
      scheduledAt,
      status: 'BOOKED',
      note: this.rng.chance(0.15) ? this.rng.pick(['Please check the tyre pressure warning.', 'I will wait at the store.', 'Car will be dropped off the evening before.', 'Squeak from the front left when braking.']) : null,
      createdAt: bookedAt,
      completedAt: null,
      cancelledAt: null,
    };
  }

  /** Completes `a` (an appointment of `v`) with an invoice (and its claims) into `batch`. */
  private invoice(batch: Batch, v: SeedVehicle, a: Appointment, forceOwnerPaidExtra: boolean): void {
    const issuedAt = new Date(a.scheduledAt.getTime() + this.rng.int(1, 8) * 1_800_000);
    a.status = 'COMPLETED';
    a.completedAt = issuedAt;
    const invoiceId = seedId('inv', ++this.invoiceCount);
    const drafted = draftLines(this.rng, a.serviceType, forceOwnerPaidExtra).map(
      (d, i): InvoiceLine => ({ ...d, invoiceId, position: i + 1, amountFen: BigInt(d.quantity) * d.unitPriceFen, packageCovered: false, packageSettledFen: 0n }),
    );
    // The same rule as issueInvoice: a scheduled service the vehicle's package still covers is settled by the
    // platform up to the package's allowance per service; the owner pays what it bills beyond.
    const used = this.packageServicesUsed.get(v.vin) ?? 0;
    const packageServiceNo = packageServiceFor(a.serviceType, v, used, issuedAt);
    if (packageServiceNo !== null) this.packageServicesUsed.set(v.vin, packageServiceNo);
    const lines = packageServiceNo !== null ? coverByPackage(drafted, v.maintenanceAllowanceFen) : drafted;
    batch.invoices.push({ id: invoiceId, appointmentId: a.id, storeId: a.storeId, vin: a.vin, userId: a.userId, issuedAt, ...splitByPayer(lines), lineCount: lines.length, packageServiceNo });
    batch.lines.push(...lines);
    // The manufacturer decides an invoice's claims together; claims older than a month are decided, most approved.
    const decided = this.now.getTime() - issuedAt.getTime() > 30 * DAY;
    const status = decided ? (this.rng.chance(0.9) ? 'APPROVED' : 'REJECTED') : 'SUBMITTED';
    const decidedAt = decided ? addDays(issuedAt, this.rng.int(5, 25)) : null;
    for (const l of lines.filter((x) => x.warrantyCovered)) {
      batch.claims.push({ id: seedId('wclaim', ++this.claimCount), invoiceId, linePosition: l.position, vin: a.vin, amountFen: l.amountFen, status, submittedAt: issuedAt, decidedAt });
    }
  }

  /**
   * The fitting of `v`'s package (car cover, accessory assembly) at a modification store, within a week
   * of delivery; none when the package fits nothing or the week has not passed yet.
   */
  fitting(batch: Batch, v: SeedVehicle): void {
    if (v.fittedItems.length === 0) return;
    const fittedAt = new Date(v.deliveredAt.getTime() + this.fittingRng.int(1, 7) * DAY + this.fittingRng.int(0, 16) * 1_800_000);
    if (fittedAt.getTime() >= this.now.getTime()) return;
    const fitters = this.storesByService.get('MODIFICATION')!;
    const city = this.homeCity.get(v.ownerId);
    const local = fitters.filter((s) => s.city === city);
    const store = this.fittingRng.pick(local.length ? local : fitters);
    const id = seedId('fit', ++this.fittingCount);
    // The visit the fitting was recorded at (recordPackageFitting requires one): a MODIFICATION
    // appointment at the store, booked at delivery and completed at the fitting. Its ids are of their
    // own kind, so every other seeded appointment keeps its id.
    batch.appointments.push({
      id: seedId('appt-fit', this.fittingCount),
      storeId: store.id,
      vin: v.vin,
      userId: v.ownerId,
      serviceType: 'MODIFICATION',
      scheduledAt: new Date(fittedAt.getTime() - 2 * 3_600_000),
      status: 'COMPLETED',
      note: null,
      createdAt: v.deliveredAt,
      completedAt: fittedAt,
      cancelledAt: null,
    });
    batch.fittings.push({ id, vin: v.vin, packageId: v.packageId, storeId: store.id, items: v.fittedItems, fittedAt, recordedBy: `partner:seed-${store.org}` });
  }

  /** One vehicle's history: completed visits after delivery, maybe a cancellation, maybe a booking ahead. */
  vehicle(batch: Batch, v: SeedVehicle): void {
    const isDemo = v.ownerId === DEMO_USER;
    const delivered = v.deliveredAt.getTime();
    const span = this.now.getTime() - delivered;
    // Visits fall between a few days after delivery and a couple of days before "now" (shrunk for recent deliveries).
    const start = delivered + Math.min(3 * DAY, span * 0.1);
    const end = this.now.getTime() - Math.min(2 * DAY, span * 0.1);
    // A visit's slot lands up to ~1.4 days after its drawn time and is invoiced within 4 hours, so times
    // are drawn up to two days before the window's end.
    const room = end - start - 2 * DAY;
    if (room >= DAY) {
      const count = isDemo ? this.rng.int(3, 4) : this.rng.int(1, 4);
      const types: ServiceType[] = [];
      for (let i = 0; i < count; i++) {
        // A new car often goes to the film factory first.
        types.push(i === 0 && this.rng.chance(0.3) ? 'FILM' : pickVisit(this.rng));
      }
      if (isDemo) {
        types[count - 2] = 'MAINTENANCE';
        types[count - 1] = 'WARRANTY_REPAIR';
      }
      const times = types.map(() => start + this.rng.next() * room).sort((a, b) => a - b);
      types.forEach((type, i) => {
        const scheduledAt = businessSlot(this.rng, new Date(times[i]));
        const bookedAt = new Date(Math.max(delivered, scheduledAt.getTime() - this.rng.int(1, 14) * DAY));
        const a = this.appointment(v, type, scheduledAt, bookedAt);
        batch.appointments.push(a);
        this.invoice(batch, v, a, isDemo && type === 'WARRANTY_REPAIR');
      });
      if (this.rng.chance(0.1)) {
        const scheduledAt = businessSlot(this.rng, new Date(start + this.rng.next() * room));
        const a = this.appointment(v, pickVisit(this.rng), scheduledAt, new Date(Math.max(delivered, scheduledAt.getTime() - 7 * DAY)));
        a.status = 'CANCELLED';
        a.cancelledAt = new Date(Math.min(scheduledAt.getTime() - 3_600_000, a.createdAt.getTime() + DAY));
        if (a.cancelledAt.getTime() <= a.createdAt.getTime()) a.cancelledAt = new Date(a.createdAt.getTime() + 60_000);
        batch.appointments.push(a);
      }
    }
    // A visit booked ahead: its time is after "now", the booking itself before it.
    if (isDemo || this.rng.chance(0.25)) {
      const scheduledAt = businessSlot(this.rng, addDays(this.now, this.rng.int(2, 40)));
      const bookedAt = new Date(Math.max(delivered + 60_000, this.now.getTime() - this.rng.int(1, 10) * DAY));
      if (bookedAt.getTime() < this.now.getTime()) batch.appointments.push(this.appointment(v, isDemo ? 'MAINTENANCE' : pickVisit(this.rng), scheduledAt, bookedAt));
    }
  }
}

async function writeBatch(db: Db, batch: Batch): Promise<void> {
  await db.tx(async (q) => {
    await data.insertAppointmentRows(q, batch.appointments);
    await data.insertInvoiceRows(q, batch.invoices);
    await data.insertLineRows(q, batch.lines);
    await data.insertClaimRows(q, batch.claims);
    await data.insertFittingRows(q, batch.fittings);
  });
}

export const seedAftermarket: SeedStage = async (db, world) => {
  const stores = seedStores();
  await db.tx((q) => data.insertStoreRows(q, stores));
  const seeder = new AftermarketSeeder(world.rng, world.now, stores);
  const vehicles = world.orders.vehicles.filter((v) => v.deliveredAt.getTime() < world.now.getTime());
  for (let start = 0; start < vehicles.length; start += VEHICLES_PER_BATCH) {
    const batch: Batch = { appointments: [], invoices: [], lines: [], claims: [], fittings: [] };
    for (const v of vehicles.slice(start, start + VEHICLES_PER_BATCH)) {
      seeder.vehicle(batch, v);
      seeder.fitting(batch, v);
    }
    await writeBatch(db, batch);
  }
};
