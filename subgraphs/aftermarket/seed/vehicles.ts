/**
 * One vehicle's seeded service history: completed, invoiced visits after delivery (their invoices priced
 * and split by payer by the same rules as `issueInvoice`), now and then a cancellation, sometimes a
 * booking ahead, and the fitting of its delivery package.
 */
import { addDays, DEMO_USER, Rng } from '../../kit/seed';
import type { DeliveredVehicle } from './facts';
import { seedId } from '../../kit/ids';
import { coverByPackage, splitByPayer } from '../totals';
import { packageServiceFor } from '../package-plan';
import type { ServiceType, Store } from '../data/stores';
import type { Appointment } from '../data/appointments';
import type { Invoice, InvoiceLine, WarrantyClaim } from '../data/invoices';
import type { PackageFitting } from '../data/fittings';
import { CITIES } from './stores';
import { draftLines } from './lines';

const DAY = 86_400_000;

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

/** The rows of one vehicle (or more), filled as its history is drawn. */
export interface Batch {
  appointments: Appointment[];
  invoices: Invoice[];
  lines: InvoiceLine[];
  claims: Array<Omit<WarrantyClaim, 'description'>>;
  fittings: PackageFitting[];
}

export class AftermarketSeeder {
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

  private appointment(v: DeliveredVehicle, type: ServiceType, scheduledAt: Date, bookedAt: Date): Appointment {
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
  private invoice(batch: Batch, v: DeliveredVehicle, a: Appointment, forceOwnerPaidExtra: boolean): void {
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
  fitting(batch: Batch, v: DeliveredVehicle): void {
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
  vehicle(batch: Batch, v: DeliveredVehicle): void {
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
