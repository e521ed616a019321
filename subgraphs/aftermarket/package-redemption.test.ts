/**
 * Delivery packages redeemed at the store network, through the gateway: the maintenance-enhanced
 * package's prepaid scheduled services are settled by the platform up to the package's allowance per
 * service (800.00), so a service billing no more is 0.00 to the owner and counted once in spending (as
 * the package price on the order), and what a service bills beyond it is the owner's, counted once; the car-cover and accessory-assembly
 * packages are fitted by a partner store and shown on the vehicle.
 */
import { runSeedStages } from '../../testing/seed';
import { formatFen, parseDecimalToFen } from '../../platform/money';
import { addYears } from '../kit/seed';
import { buyCar, startOrdersGraph, type OrdersTestGraph } from '../../testing/orders';
import { ORDERS } from './seed/facts';
import { as } from '../../testing/harness';
import { codeOf, ok } from '../../testing/assertions';
import { freshUser, testVin } from '../../testing/fresh-ids';

let t: OrdersTestGraph;
let modStore: { id: string; org: string };

beforeAll(async () => {
  t = await startOrdersGraph();
  // The store network (aftermarket's stage with no vehicles seeds only the stores).
  t.world.publish(ORDERS.vehicles, []);
  await runSeedStages(t.g.db, t.world, ['aftermarket']);
  const mod = ok(await t.g.gql(`{ stores(kind: MODIFICATION, first: 1) { edges { node { id org } } } }`));
  modStore = mod.stores.edges[0].node;
});
afterAll(async () => {
  await t?.g.stop();
});

const MAINTENANCE_STORE = 'store-s000001'; // JD Auto Care, org jd-auto-care
const CARE = as.partner('care-staff', 'jd-auto-care');
const DAY = 86_400_000;
let slot = 0;

const PLAN = `query($v: String!) { vehicle(vin: $v) { deliveredAt maintenancePlan { package { id } validUntil servicesIncluded allowancePerService { amount } servicesUsed servicesRemaining active } fittings { items store { id } package { id } fittedAt } } }`;
const SPENT = `{ me { spending { total { amount } lineCount byCategory { category total { amount } } } } }`;
const ISSUE = `mutation($input: IssueInvoiceInput!) { issueInvoice(input: $input) {
  id total { amount } warrantyCovered { amount } platformSettled { amount } ownerPaid { amount } maintenancePackageService
  lines { description warrantyCovered coveredBy amount { amount } platformSettled { amount } ownerPaid { amount } } } }`;
const FIT = `mutation($input: RecordPackageFittingInput!) { recordPackageFitting(input: $input) { id items fittedAt store { id } package { id } vehicle { vin } } }`;

const LINES = [
  { kind: 'LABOUR', description: 'Scheduled inspection', quantity: 1, unitPrice: '260.00', warrantyCovered: false },
  { kind: 'PART', description: 'Cabin air filter', quantity: 1, unitPrice: '129.90', warrantyCovered: false },
  { kind: 'PART', description: '12V auxiliary battery', quantity: 1, unitPrice: '640.00', warrantyCovered: true },
];

/** A car bought (and delivered) by a fresh customer with `packageId`; its owner and VIN. */
async function carWith(packageId: string): Promise<{ owner: string; vin: string }> {
  const owner = freshUser('pkg');
  const order = await buyCar(t, owner, { packageId });
  return { owner, vin: order.vehicle.vin };
}

/** Books a `serviceType` visit as the owner and has the store invoice it with LINES; returns the invoice. */
async function serviceAndInvoice(car: { owner: string; vin: string }, serviceType = 'MAINTENANCE', lines: unknown[] = LINES) {
  const booked = ok(
    await t.g.gql(`mutation($input: BookServiceInput!) { bookService(input: $input) { id } }`, {
      input: { storeId: MAINTENANCE_STORE, vin: car.vin, serviceType, scheduledAt: new Date(Date.now() + 2 * DAY + ++slot * 60_000).toISOString() },
    }, as.customer(car.owner)),
  ).bookService;
  // The store invoices once the car has been in: the visit is in the past by then.
  await t.g.db.query(`UPDATE aftermarket.appointments SET scheduled_at = now() - make_interval(mins => $2::int) WHERE id = $1`, [booked.id, 60 + slot]);
  return ok(await t.g.gql(ISSUE, { input: { appointmentId: booked.id, lines } }, CARE)).issueInvoice;
}

const plan = async (car: { owner: string; vin: string }) => ok(await t.g.gql(PLAN, { v: car.vin }, as.customer(car.owner))).vehicle;
const spent = async (owner: string) => ok(await t.g.gql(SPENT, {}, as.customer(owner))).me.spending;

test('the catalog defines what each package entitles to: six services in six years, or the items a store fits', async () => {
  const { packages } = ok(await t.g.gql(`{ packages { id maintenancePlan { services years allowancePerService { amount } } fittedItems } }`));
  expect(packages).toEqual([
    { id: 'pkg-standard', maintenancePlan: null, fittedItems: [] },
    { id: 'pkg-custom-car-cover', maintenancePlan: null, fittedItems: ['Made-to-measure outdoor car cover', 'Storage bag'] },
    { id: 'pkg-accessory-assembly', maintenancePlan: null, fittedItems: ['All-weather floor mats', 'Front and rear dash camera', 'Boot organiser', 'Phone holder'] },
    { id: 'pkg-maintenance-enhanced', maintenancePlan: { services: 6, years: 6, allowancePerService: { amount: '800.00' } }, fittedItems: [] },
  ]);
});

describe('prepaid maintenance (maintenance-enhanced)', () => {
  test('a buyer books scheduled maintenance, the store invoices it: the owner pays 0.00, the platform settles it, spending is unchanged, one service is used', async () => {
    const car = await carWith('pkg-maintenance-enhanced');
    const before = await plan(car);
    expect(before.maintenancePlan).toEqual({
      package: { id: 'pkg-maintenance-enhanced' },
      validUntil: addYears(new Date(before.deliveredAt), 6).toISOString(),
      servicesIncluded: 6,
      allowancePerService: { amount: '800.00' },
      servicesUsed: 0,
      servicesRemaining: 6,
      active: true,
    });
    const spentBefore = await spent(car.owner);

    const invoice = await serviceAndInvoice(car);
    expect(invoice).toMatchObject({
      total: { amount: '1029.90' },
      warrantyCovered: { amount: '640.00' },
      platformSettled: { amount: '389.90' },
      ownerPaid: { amount: '0.00' },
      maintenancePackageService: 1,
    });
    expect(invoice.lines.map((l: any) => [l.coveredBy, l.platformSettled.amount, l.ownerPaid.amount])).toEqual([
      ['MAINTENANCE_PACKAGE', '260.00', '0.00'],
      ['MAINTENANCE_PACKAGE', '129.90', '0.00'],
      ['WARRANTY', '0.00', '0.00'],
    ]);

    // Counted once: the package price is already in the order's PURCHASE lines; the invoice adds nothing.
    expect(await spent(car.owner)).toEqual(spentBefore);
    expect((await plan(car)).maintenancePlan).toMatchObject({ servicesUsed: 1, servicesRemaining: 5, active: true });
  });

  test('a scheduled service billing more than the allowance: the platform settles 800.00 in line order, the crossing line is split, the owner pays the rest and spends exactly that', async () => {
    const car = await carWith('pkg-maintenance-enhanced');
    const spentBefore = await spent(car.owner);
    const invoice = await serviceAndInvoice(car, 'MAINTENANCE', [
      { kind: 'LABOUR', description: 'Scheduled inspection', quantity: 1, unitPrice: '260.00', warrantyCovered: false },
      // A warranty line uses none of the allowance, wherever it stands.
      { kind: 'PART', description: '12V auxiliary battery', quantity: 1, unitPrice: '640.00', warrantyCovered: true },
      { kind: 'PART', description: 'Brake discs (pair)', quantity: 1, unitPrice: '450.00', warrantyCovered: false },
      // 90.00 of the allowance is left here: the platform settles 90.00 of it, the owner the other 39.90.
      { kind: 'PART', description: 'Cabin air filter', quantity: 1, unitPrice: '129.90', warrantyCovered: false },
      { kind: 'PART', description: 'Wiper blades (pair)', quantity: 1, unitPrice: '99.00', warrantyCovered: false },
    ]);
    expect(invoice).toMatchObject({
      total: { amount: '1578.90' },
      warrantyCovered: { amount: '640.00' },
      platformSettled: { amount: '800.00' },
      ownerPaid: { amount: '138.90' },
      maintenancePackageService: 1,
    });
    expect(invoice.lines.map((l: any) => [l.description, l.coveredBy, l.platformSettled.amount, l.ownerPaid.amount])).toEqual([
      ['Scheduled inspection', 'MAINTENANCE_PACKAGE', '260.00', '0.00'],
      ['12V auxiliary battery', 'WARRANTY', '0.00', '0.00'],
      ['Brake discs (pair)', 'MAINTENANCE_PACKAGE', '450.00', '0.00'],
      ['Cabin air filter', 'MAINTENANCE_PACKAGE', '90.00', '39.90'],
      ['Wiper blades (pair)', null, '0.00', '99.00'],
    ]);
    // The rest is the owner's spending, once: one more line, the total up by exactly 138.90.
    const after = await spent(car.owner);
    expect(after.lineCount).toBe(spentBefore.lineCount + 1);
    expect(after.total.amount).toBe(formatFen(parseDecimalToFen(spentBefore.total.amount) + 13_890n));
    expect(after.byCategory).toContainEqual({ category: 'MAINTENANCE', total: { amount: '138.90' } });
    expect((await plan(car)).maintenancePlan).toMatchObject({ servicesUsed: 1, servicesRemaining: 5 });
  });

  test('a service billing exactly the allowance is 0.00 to the owner; the line after it is the owner\'s; warranty lines of any size are untouched', async () => {
    const car = await carWith('pkg-maintenance-enhanced');
    const spentBefore = await spent(car.owner);
    const exact = await serviceAndInvoice(car, 'MAINTENANCE', [
      { kind: 'PART', description: 'Drive motor controller', quantity: 1, unitPrice: '8800.00', warrantyCovered: true },
      { kind: 'LABOUR', description: 'Scheduled inspection', quantity: 2, unitPrice: '300.00', warrantyCovered: false },
      { kind: 'PART', description: 'Brake fluid (1 L)', quantity: 2, unitPrice: '100.00', warrantyCovered: false },
    ]);
    expect(exact).toMatchObject({ total: { amount: '9600.00' }, warrantyCovered: { amount: '8800.00' }, platformSettled: { amount: '800.00' }, ownerPaid: { amount: '0.00' }, maintenancePackageService: 1 });
    expect(exact.lines.map((l: any) => l.coveredBy)).toEqual(['WARRANTY', 'MAINTENANCE_PACKAGE', 'MAINTENANCE_PACKAGE']);
    expect(await spent(car.owner)).toEqual(spentBefore);

    // One fen over: the allowance is used up by the first line, the second is the owner's in full.
    const over = await serviceAndInvoice(car, 'MAINTENANCE', [
      { kind: 'LABOUR', description: 'Scheduled inspection', quantity: 1, unitPrice: '800.00', warrantyCovered: false },
      { kind: 'PART', description: 'Valve cap', quantity: 1, unitPrice: '0.01', warrantyCovered: false },
      { kind: 'PART', description: '12V auxiliary battery', quantity: 1, unitPrice: '640.00', warrantyCovered: true },
    ]);
    expect(over).toMatchObject({ platformSettled: { amount: '800.00' }, ownerPaid: { amount: '0.01' }, warrantyCovered: { amount: '640.00' }, maintenancePackageService: 2 });
    expect(over.lines.map((l: any) => [l.coveredBy, l.platformSettled.amount, l.ownerPaid.amount])).toEqual([
      ['MAINTENANCE_PACKAGE', '800.00', '0.00'],
      [null, '0.00', '0.01'],
      ['WARRANTY', '0.00', '0.00'],
    ]);
    const after = await spent(car.owner);
    expect(after.lineCount).toBe(spentBefore.lineCount + 1);
    expect(after.total.amount).toBe(formatFen(parseDecimalToFen(spentBefore.total.amount) + 1n));
  });

  test('a customer without the package pays for scheduled maintenance as before, and has no plan', async () => {
    const car = await carWith('pkg-standard');
    expect((await plan(car)).maintenancePlan).toBeNull();
    const spentBefore = await spent(car.owner);
    const invoice = await serviceAndInvoice(car);
    expect(invoice).toMatchObject({ platformSettled: { amount: '0.00' }, ownerPaid: { amount: '389.90' }, maintenancePackageService: null });
    expect(invoice.lines.map((l: any) => l.coveredBy)).toEqual([null, null, 'WARRANTY']);
    const after = await spent(car.owner);
    expect(after.lineCount).toBe(spentBefore.lineCount + 1);
    expect(after.byCategory).toContainEqual({ category: 'MAINTENANCE', total: { amount: '389.90' } });
  });

  test('a repair is not scheduled maintenance: the package owner pays it and keeps the service', async () => {
    const car = await carWith('pkg-maintenance-enhanced');
    const invoice = await serviceAndInvoice(car, 'REPAIR');
    expect(invoice).toMatchObject({ platformSettled: { amount: '0.00' }, ownerPaid: { amount: '389.90' }, maintenancePackageService: null });
    expect((await plan(car)).maintenancePlan).toMatchObject({ servicesUsed: 0, servicesRemaining: 6 });
  });

  test('once the six services are used, the seventh is paid by the owner as normal', async () => {
    const car = await carWith('pkg-maintenance-enhanced');
    for (let n = 1; n <= 6; n++) expect(await serviceAndInvoice(car)).toMatchObject({ ownerPaid: { amount: '0.00' }, maintenancePackageService: n });
    expect((await plan(car)).maintenancePlan).toMatchObject({ servicesUsed: 6, servicesRemaining: 0, active: false });
    const spentBefore = await spent(car.owner);
    expect(await serviceAndInvoice(car)).toMatchObject({ platformSettled: { amount: '0.00' }, ownerPaid: { amount: '389.90' }, maintenancePackageService: null });
    expect((await spent(car.owner)).lineCount).toBe(spentBefore.lineCount + 1);
  });

  test('once the six years are over, scheduled maintenance is paid by the owner as normal', async () => {
    const car = await carWith('pkg-maintenance-enhanced');
    // The car was handed over seven years ago (orders' own record of the delivery).
    await t.g.db.query(`UPDATE orders.vehicles SET delivered_at = now() - interval '7 years' WHERE vin = $1`, [car.vin]);
    expect((await plan(car)).maintenancePlan).toMatchObject({ servicesUsed: 0, servicesRemaining: 0, active: false });
    expect(await serviceAndInvoice(car)).toMatchObject({ platformSettled: { amount: '0.00' }, ownerPaid: { amount: '389.90' }, maintenancePackageService: null });
  });

  test("another customer cannot read the vehicle's plan: the vehicle is NOT_FOUND to them", async () => {
    const car = await carWith('pkg-maintenance-enhanced');
    const res = await t.g.gql(`query($v: String!) { vehicle(vin: $v) { maintenancePlan { servicesRemaining } } }`, { v: car.vin }, as.customer(freshUser('other')));
    expect(codeOf(res)).toBe('NOT_FOUND');
  });
});

describe('package fittings (car cover, accessory assembly)', () => {
  /** Books `car` in for MODIFICATION at `storeId` as its owner: the visit a fitting belongs to. */
  async function bookFitting(car: { owner: string; vin: string }, storeId = modStore.id) {
    return ok(
      await t.g.gql(`mutation($input: BookServiceInput!) { bookService(input: $input) { id } }`, {
        input: { storeId, vin: car.vin, serviceType: 'MODIFICATION', scheduledAt: new Date(Date.now() + 2 * DAY + ++slot * 60_000).toISOString() },
      }, as.customer(car.owner)),
    ).bookService.id as string;
  }
  /** The error of a fitting, with the VIN replaced, so answers for different VINs compare. */
  async function fitError(vin: string, storeId: string, who: ReturnType<typeof as.partner>) {
    const res = await t.g.gql(FIT, { input: { vin, storeId } }, who);
    const e = res.errors?.[0];
    return { code: e?.extensions?.code ?? 'OK', message: e?.message.split(vin).join('<vin>') ?? null, data: res.data?.recordPackageFitting ?? null };
  }

  test('a partner of the store the car is booked into records the fitting; the vehicle shows what was fitted, when and where', async () => {
    const car = await carWith('pkg-custom-car-cover');
    expect((await plan(car)).fittings).toEqual([]);
    await bookFitting(car);
    const fitted = ok(await t.g.gql(FIT, { input: { vin: car.vin, storeId: modStore.id } }, as.partner('fitter', modStore.org))).recordPackageFitting;
    expect(fitted).toMatchObject({ items: ['Made-to-measure outdoor car cover', 'Storage bag'], store: { id: modStore.id }, package: { id: 'pkg-custom-car-cover' }, vehicle: { vin: car.vin } });
    expect((await plan(car)).fittings).toEqual([{ items: fitted.items, store: { id: modStore.id }, package: { id: 'pkg-custom-car-cover' }, fittedAt: fitted.fittedAt }]);
  });

  test('a car not booked in for MODIFICATION at the store, or a partner of another organisation, is NOT_FOUND exactly like an unknown VIN; nothing is recorded', async () => {
    const car = await carWith('pkg-accessory-assembly');
    const fitter = as.partner('fitter', modStore.org);
    const unknown = await fitError(testVin(), modStore.id, fitter);
    expect(unknown).toMatchObject({ code: 'NOT_FOUND', data: null });
    // No appointment at all.
    expect(await fitError(car.vin, modStore.id, fitter)).toEqual(unknown);
    // Booked into another modification store: this store did not fit it.
    const [other] = await t.g.db.query<{ id: string }>(`SELECT id FROM aftermarket.stores WHERE 'MODIFICATION' = ANY(services) AND id <> $1 ORDER BY id LIMIT 1`, [modStore.id]);
    await bookFitting(car, other.id);
    expect(await fitError(car.vin, modStore.id, fitter)).toEqual(unknown);
    // Booked for another service at this store.
    const [tyres] = await t.g.db.query(`SELECT 1 FROM aftermarket.stores WHERE id = $1 AND 'TYRES' = ANY(services)`, [modStore.id]);
    if (tyres) {
      ok(await t.g.gql(`mutation($input: BookServiceInput!) { bookService(input: $input) { id } }`, {
        input: { storeId: modStore.id, vin: car.vin, serviceType: 'TYRES', scheduledAt: new Date(Date.now() + 2 * DAY + ++slot * 60_000).toISOString() },
      }, as.customer(car.owner)));
      expect(await fitError(car.vin, modStore.id, fitter)).toEqual(unknown);
    }
    // Booked in here, but the caller is a partner of another organisation.
    await bookFitting(car);
    const intruder = as.partner('intruder', 'jd-auto-care');
    expect(await fitError(car.vin, modStore.id, intruder)).toEqual(await fitError(testVin(), modStore.id, intruder));
    expect(await fitError(car.vin, modStore.id, intruder)).toEqual(unknown);
    // A cancelled booking does not count.
    const cancelledCar = await carWith('pkg-accessory-assembly');
    const appt = await bookFitting(cancelledCar);
    ok(await t.g.gql(`mutation($id: ID!) { cancelAppointment(id: $id) { id } }`, { id: appt }, as.customer(cancelledCar.owner)));
    expect(await fitError(cancelledCar.vin, modStore.id, fitter)).toEqual(unknown);
    expect((await plan(car)).fittings).toEqual([]);
    expect((await plan(cancelledCar)).fittings).toEqual([]);
  });

  test('fitting twice is CONFLICT; a car without a fitted package is BAD_USER_INPUT; an admin needs no appointment', async () => {
    const car = await carWith('pkg-accessory-assembly');
    const fitter = as.partner('fitter', modStore.org);
    const plain = await carWith('pkg-maintenance-enhanced');
    await bookFitting(plain);
    expect(codeOf(await t.g.gql(FIT, { input: { vin: plain.vin, storeId: modStore.id } }, fitter))).toBe('BAD_USER_INPUT');
    await bookFitting(car);
    ok(await t.g.gql(FIT, { input: { vin: car.vin, storeId: modStore.id } }, fitter));
    expect(codeOf(await t.g.gql(FIT, { input: { vin: car.vin, storeId: modStore.id } }, fitter))).toBe('CONFLICT');
    expect((await plan(car)).fittings).toHaveLength(1);
    const byAdmin = await carWith('pkg-custom-car-cover');
    ok(await t.g.gql(FIT, { input: { vin: byAdmin.vin, storeId: modStore.id } }, as.admin()));
    expect(codeOf(await t.g.gql(FIT, { input: { vin: testVin(), storeId: modStore.id } }, as.admin()))).toBe('NOT_FOUND');
  });
});
