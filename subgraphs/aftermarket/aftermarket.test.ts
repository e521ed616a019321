/**
 * Aftermarket through the gateway: the store network, booking and invoicing, warranty claims, the
 * spending contribution, and who may see and do what. Vehicles come from the real orders subgraph
 * (its seed stage, with catalog's), so ownership checks go through the same service call as in
 * production.
 */
import { as, startTestGraph, tokenSignedByAnotherKey, type GqlResult, type TestGraph } from '../../testing/harness';
import { runSeedStages } from '../../testing/seed';
import { codeOf, fen, ok } from '../../testing/assertions';
import { IDENTITY_HEADER } from '../../platform/identity';
import { pseudonym } from '../kit/auth';
import { DEMO_USER, Rng, seedFact, SeedWorld, seedUsers } from '../kit/seed';
import { ORDERS, type DeliveredVehicle } from './seed/facts';

/** The catalog's trims and the vehicles, as this test reads them (who made a car, which trim it is). */
const TRIMS = seedFact<ReadonlyArray<{ id: string; manufacturerOrg: string }>>('catalog', 'trims');
const VEHICLES = seedFact<ReadonlyArray<DeliveredVehicle & { trimId: string }>>('orders', 'vehicles');

let g: TestGraph;
let world: SeedWorld;
/** Two customers other than the demo user, each with a delivered vehicle. */
let alice: { id: string; vin: string };
let bob: { id: string; vin: string };
let demoVin: string;

const DAY = 86_400_000;
/** A distinct future time per booking, so bookings never collide on the (vin, time) slot by accident. */
let slot = 0;
const future = (days = 3) => new Date(Date.now() + days * DAY + ++slot * 60_000).toISOString();

const BOOK = `mutation($input: BookServiceInput!) { bookService(input: $input) { id status serviceType scheduledAt note userId store { id } vehicle { vin } } }`;
const ISSUE = `mutation($input: IssueInvoiceInput!) {
  issueInvoice(input: $input) {
    id issuedAt userId
    appointment { id status }
    store { id }
    vehicle { vin }
    lines { kind description quantity unitPrice { amount currency } amount { amount } warrantyCovered }
    total { amount } warrantyCovered { amount } ownerPaid { amount currency }
    warrantyClaims { id amount { amount } status submittedAt decidedAt description invoice { id } vehicle { vin } }
  }
}`;
const CANCEL = `mutation($id: ID!) { cancelAppointment(id: $id) { id status } }`;

const MAINTENANCE_STORE = 'store-s000001'; // JD Auto Care, org jd-auto-care
const CARE = as.partner('care-staff', 'jd-auto-care');
const COOP = as.partner('coop-staff', 'coop-network');

/**
 * The appointment's time comes: it is moved 4 days back, into the past (bookings are taken only for
 * the future, and an invoice cannot precede its appointment). Every slot shifts by the same amount,
 * so their order and distinctness stay.
 */
async function arrive(appointmentId: string): Promise<void> {
  await g.db.query(`UPDATE aftermarket.appointments SET scheduled_at = scheduled_at - interval '4 days' WHERE id = $1`, [appointmentId]);
}

/** Books a maintenance appointment as `customer` whose time has come (ready to be invoiced). */
async function book(customer: string, vin: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await g.gql(BOOK, { input: { storeId: MAINTENANCE_STORE, vin, serviceType: 'MAINTENANCE', scheduledAt: future(), ...extra } }, as.customer(customer));
  expect(res.errors).toBeUndefined();
  await arrive(res.data.bookService.id);
  return res.data.bookService.id;
}

const twoLines = (appointmentId: string) => ({
  appointmentId,
  lines: [
    { kind: 'PART', description: 'Cabin air filter', quantity: 3, unitPrice: '33.33', warrantyCovered: false },
    { kind: 'PART', description: 'Window regulator', quantity: 1, unitPrice: '1234.56', warrantyCovered: true },
  ],
});

beforeAll(async () => {
  g = await startTestGraph();
  world = new SeedWorld({ rng: new Rng(4242), users: seedUsers(12) });
  await runSeedStages(g.db, world, ['catalog', 'orders', 'aftermarket']);
  const owners = new Map<string, DeliveredVehicle>();
  for (const v of world.read(ORDERS.vehicles)) if (!owners.has(v.ownerId)) owners.set(v.ownerId, v);
  const others = [...owners.values()].filter((v) => v.ownerId !== DEMO_USER);
  if (!owners.has(DEMO_USER) || others.length < 2) throw new Error('the orders seed must deliver vehicles to demo-driver and at least two other users');
  demoVin = owners.get(DEMO_USER)!.vin;
  alice = { id: others[0].ownerId, vin: others[0].vin };
  bob = { id: others[1].ownerId, vin: others[1].vin };
});

afterAll(async () => {
  await g?.stop();
});

describe('the store network', () => {
  const STORES = `query($city: String, $kind: StoreKind, $first: Int, $after: String) {
    stores(city: $city, kind: $kind, first: $first, after: $after) { edges { cursor node { id name kind city address org services } } pageInfo { hasNextPage endCursor } }
  }`;

  test('is public and pages through all ~60 stores by name without repeats or gaps', async () => {
    const seen: string[] = [];
    const names: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res: GqlResult = await g.gql(STORES, { first: 25, after });
      expect(res.errors).toBeUndefined();
      const conn = res.data.stores;
      for (const e of conn.edges) {
        seen.push(e.node.id);
        names.push(e.node.name);
      }
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(seen.length).toBe(60);
    expect(new Set(seen).size).toBe(60);
    expect(names).toEqual([...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
  });

  test('covers the four kinds, mostly maintenance and cooperative, across several cities and organisations', async () => {
    const res = await g.gql(STORES, { first: 100 });
    const stores = res.data.stores.edges.map((e: any) => e.node);
    const count = (kind: string) => stores.filter((s: any) => s.kind === kind).length;
    expect(count('MAINTENANCE') + count('COOPERATIVE')).toBeGreaterThan(40);
    expect(count('MODIFICATION')).toBeGreaterThan(0);
    expect(count('FILM')).toBeGreaterThan(0);
    expect(new Set(stores.map((s: any) => s.city)).size).toBeGreaterThanOrEqual(6);
    expect(new Set(stores.map((s: any) => s.org))).toEqual(new Set(['jd-auto-care', 'coop-network', 'coop-tyreplus', 'jd-mod-works', 'jd-film-factory']));
    for (const s of stores) expect(s.services.length).toBeGreaterThan(0);
  });

  test('filters by city (case-insensitive) and kind', async () => {
    const res = await g.gql(STORES, { city: 'bEiJiNg', kind: 'MAINTENANCE', first: 100 });
    const stores = res.data.stores.edges.map((e: any) => e.node);
    expect(stores.length).toBeGreaterThan(0);
    for (const s of stores) {
      expect(s.city).toBe('Beijing');
      expect(s.kind).toBe('MAINTENANCE');
    }
  });

  test('refuses bad page sizes, forged cursors and oversized city filters', async () => {
    expect(codeOf(await g.gql(STORES, { first: 0 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await g.gql(STORES, { first: 101 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await g.gql(STORES, { after: 'not-a-cursor' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await g.gql(STORES, { after: Buffer.from('[1,2,3]').toString('base64url') }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await g.gql(STORES, { city: 'x'.repeat(101) }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await g.gql(STORES, { kind: 'SPACESHIP' }))).toBe('BAD_USER_INPUT');
  });

  test('store(id) answers one store, null for an unknown id, BAD_USER_INPUT for a malformed one', async () => {
    const q = `query($id: ID!) { store(id: $id) { id kind org } }`;
    expect((await g.gql(q, { id: MAINTENANCE_STORE })).data.store).toEqual({ id: MAINTENANCE_STORE, kind: 'MAINTENANCE', org: 'jd-auto-care' });
    expect((await g.gql(q, { id: 'store-nope' })).data.store).toBeNull();
    expect(codeOf(await g.gql(q, { id: "'; DROP TABLE x; --" }))).toBe('BAD_USER_INPUT');
  });
});

describe('seeded service history', () => {
  const HISTORY = `query($first: Int, $after: String) { me { serviceInvoices(first: $first, after: $after) {
    edges { node { id issuedAt lines { quantity unitPrice { amount } amount { amount } warrantyCovered coveredBy platformSettled { amount } ownerPaid { amount } } total { amount } warrantyCovered { amount } platformSettled { amount } ownerPaid { amount }
      warrantyClaims { amount { amount } status } appointment { status serviceType } vehicle { vin } } }
    pageInfo { hasNextPage endCursor } } } }`;

  async function allInvoices(user: string) {
    const out: any[] = [];
    let after: string | null = null;
    do {
      const res: GqlResult = await g.gql(HISTORY, { first: 3, after }, as.customer(user));
      expect(res.errors).toBeUndefined();
      out.push(...res.data.me.serviceInvoices.edges.map((e: any) => e.node));
      after = res.data.me.serviceInvoices.pageInfo.hasNextPage ? res.data.me.serviceInvoices.pageInfo.endCursor : null;
    } while (after);
    return out;
  }

  test('no seeded invoice precedes its appointment', async () => {
    const [row] = await g.db.query<{ early: string; all: string }>(
      `SELECT count(*) FILTER (WHERE i.issued_at < a.scheduled_at)::text AS early, count(*)::text AS all
         FROM aftermarket.invoices i JOIN aftermarket.appointments a ON a.id = i.appointment_id`,
    );
    expect(Number(row.all)).toBeGreaterThan(0);
    expect(row.early).toBe('0');
  });

  test("demo-driver's vehicle has invoices, one with a warranty-covered part and an owner-paid part", async () => {
    const invoices = await allInvoices(DEMO_USER);
    expect(invoices.length).toBeGreaterThanOrEqual(2);
    expect(invoices.some((i) => i.vehicle.vin === demoVin)).toBe(true);
    const mixed = invoices.find((i) => fen(i.warrantyCovered.amount) > 0n && fen(i.ownerPaid.amount) > 0n);
    expect(mixed).toBeDefined();
    expect(mixed.warrantyClaims.length).toBe(mixed.lines.filter((l: any) => l.warrantyCovered).length);
  });

  test('every seeded invoice adds up exactly: amount = quantity × unitPrice, total = warrantyCovered + platformSettled + ownerPaid', async () => {
    let checked = 0;
    for (const user of world.users) {
      for (const inv of await allInvoices(user)) {
        let covered = 0n;
        let settled = 0n;
        let paid = 0n;
        for (const l of inv.lines) {
          expect(fen(l.amount.amount)).toBe(BigInt(l.quantity) * fen(l.unitPrice.amount));
          expect(l.coveredBy === 'WARRANTY').toBe(l.warrantyCovered);
          // A line's amount is split between its payers: all of it the warranty's, or platformSettled + ownerPaid.
          if (l.coveredBy === 'WARRANTY') {
            covered += fen(l.amount.amount);
            expect([l.platformSettled.amount, l.ownerPaid.amount]).toEqual(['0.00', '0.00']);
          } else {
            expect(fen(l.platformSettled.amount) + fen(l.ownerPaid.amount)).toBe(fen(l.amount.amount));
            if (l.coveredBy !== 'MAINTENANCE_PACKAGE') expect(l.platformSettled.amount).toBe('0.00');
            settled += fen(l.platformSettled.amount);
            paid += fen(l.ownerPaid.amount);
          }
        }
        expect(fen(inv.warrantyCovered.amount)).toBe(covered);
        expect(fen(inv.platformSettled.amount)).toBe(settled);
        expect(fen(inv.ownerPaid.amount)).toBe(paid);
        expect(fen(inv.total.amount)).toBe(covered + settled + paid);
        const claimed = inv.warrantyClaims.reduce((s: bigint, c: any) => s + fen(c.amount.amount), 0n);
        expect(claimed).toBe(covered);
        expect(inv.appointment.status).toBe('COMPLETED');
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(world.read(ORDERS.vehicles).length - 1);
  });

  test('invoices are ordered latest first across pages', async () => {
    const invoices = await allInvoices(DEMO_USER);
    const times = invoices.map((i) => Date.parse(i.issuedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(new Set(invoices.map((i) => i.id)).size).toBe(invoices.length);
  });
});

describe('booking and invoicing', () => {
  test('an invoice for an appointment still in the future is refused (CONFLICT, saying when it is) and the appointment stays BOOKED', async () => {
    const booked = await g.gql(BOOK, { input: { storeId: MAINTENANCE_STORE, vin: alice.vin, serviceType: 'MAINTENANCE', scheduledAt: future() } }, as.customer(alice.id));
    const id = booked.data.bookService.id;
    for (const who of [CARE, as.admin()]) {
      const issue = await g.gql(ISSUE, { input: twoLines(id) }, who);
      expect(codeOf(issue)).toBe('CONFLICT');
      expect(issue.errors![0].message).toMatch(/is scheduled for .* a service invoice cannot precede its appointment/);
    }
    const [row] = await g.db.query<{ status: string; invoices: string }>(
      `SELECT a.status, (SELECT count(*)::text FROM aftermarket.invoices i WHERE i.appointment_id = a.id) AS invoices FROM aftermarket.appointments a WHERE a.id = $1`,
      [id],
    );
    expect(row).toEqual({ status: 'BOOKED', invoices: '0' });
  });

  test('an owner books, the store partner sees it and issues an invoice whose totals are exact; the appointment is completed', async () => {
    const booked = await g.gql(BOOK, { input: { storeId: MAINTENANCE_STORE, vin: alice.vin, serviceType: 'MAINTENANCE', scheduledAt: future(), note: '  Squeak from the front left.  ' } }, as.customer(alice.id));
    expect(booked.errors).toBeUndefined();
    const appt = booked.data.bookService;
    expect(appt).toMatchObject({ status: 'BOOKED', serviceType: 'MAINTENANCE', note: 'Squeak from the front left.', userId: alice.id, store: { id: MAINTENANCE_STORE }, vehicle: { vin: alice.vin } });

    const mine = await g.gql(`{ me { appointments(first: 100) { edges { node { id status } } } } }`, {}, as.customer(alice.id));
    expect(mine.data.me.appointments.edges.map((e: any) => e.node.id)).toContain(appt.id);

    const listed = await g.gql(`query($s: ID!) { storeAppointments(storeId: $s, status: BOOKED, first: 100) { edges { node { id userId vehicle { vin } } } } }`, { s: MAINTENANCE_STORE }, CARE);
    expect(listed.errors).toBeUndefined();
    expect(listed.data.storeAppointments.edges.map((e: any) => e.node.id)).toContain(appt.id);

    await arrive(appt.id);
    const issued = await g.gql(ISSUE, { input: twoLines(appt.id) }, CARE);
    expect(issued.errors).toBeUndefined();
    const inv = issued.data.issueInvoice;
    expect(inv.lines).toEqual([
      { kind: 'PART', description: 'Cabin air filter', quantity: 3, unitPrice: { amount: '33.33', currency: 'CNY' }, amount: { amount: '99.99' }, warrantyCovered: false },
      { kind: 'PART', description: 'Window regulator', quantity: 1, unitPrice: { amount: '1234.56', currency: 'CNY' }, amount: { amount: '1234.56' }, warrantyCovered: true },
    ]);
    expect(inv.total.amount).toBe('1334.55');
    expect(inv.warrantyCovered.amount).toBe('1234.56');
    expect(inv.ownerPaid).toEqual({ amount: '99.99', currency: 'CNY' });
    expect(inv.userId).toBe(alice.id);
    expect(inv.appointment).toEqual({ id: appt.id, status: 'COMPLETED' });
    expect(inv.vehicle.vin).toBe(alice.vin);
    expect(inv.warrantyClaims).toHaveLength(1);
    expect(inv.warrantyClaims[0]).toMatchObject({ amount: { amount: '1234.56' }, status: 'SUBMITTED', decidedAt: null, description: 'Window regulator', invoice: { id: inv.id }, vehicle: { vin: alice.vin } });

    // The owner sees it on the appointment, in the vehicle's service book, and as spending.
    const seen = await g.gql(
      `query($id: ID!, $vin: String!) {
        appointment(id: $id) { status invoice { id ownerPaid { amount } } }
        vehicle(vin: $vin) { serviceHistory(first: 100) { edges { node { id } } } }
        me { spending { lines(first: 100) { edges { node { category amount { amount } description paidFor { __typename ... on ServiceInvoice { id } } } } } } }
      }`,
      { id: appt.id, vin: alice.vin },
      as.customer(alice.id),
    );
    expect(seen.errors).toBeUndefined();
    expect(seen.data.appointment).toEqual({ status: 'COMPLETED', invoice: { id: inv.id, ownerPaid: { amount: '99.99' } } });
    expect(seen.data.vehicle.serviceHistory.edges.map((e: any) => e.node.id)).toContain(inv.id);
    const line = seen.data.me.spending.lines.edges.map((e: any) => e.node).find((n: any) => n.paidFor?.id === inv.id);
    expect(line).toMatchObject({ category: 'MAINTENANCE', amount: { amount: '99.99' }, description: 'Maintenance at JD Auto Care Beijing Chaoyang', paidFor: { __typename: 'ServiceInvoice' } });
  });

  test("a store partner pages through the store's appointments, latest first, without repeats", async () => {
    const q = `query($s: ID!, $after: String) { storeAppointments(storeId: $s, first: 2, after: $after) { edges { node { id scheduledAt store { id } } } pageInfo { hasNextPage endCursor } } }`;
    // At least three pages of two, whatever the random seed put at this store.
    for (let i = 0; i < 5; i++) await book(alice.id, alice.vin);
    const seen: any[] = [];
    let after: string | null = null;
    do {
      const res: GqlResult = await g.gql(q, { s: MAINTENANCE_STORE, after }, CARE);
      expect(res.errors).toBeUndefined();
      seen.push(...res.data.storeAppointments.edges.map((e: any) => e.node));
      after = res.data.storeAppointments.pageInfo.hasNextPage ? res.data.storeAppointments.pageInfo.endCursor : null;
    } while (after);
    expect(seen.length).toBeGreaterThanOrEqual(5);
    expect(new Set(seen.map((a) => a.id)).size).toBe(seen.length);
    for (const a of seen) expect(a.store.id).toBe(MAINTENANCE_STORE);
    const times = seen.map((a) => Date.parse(a.scheduledAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  test('issuing a second invoice for the same appointment is CONFLICT and changes nothing', async () => {
    const id = await book(alice.id, alice.vin);
    expect((await g.gql(ISSUE, { input: twoLines(id) }, CARE)).errors).toBeUndefined();
    const again = await g.gql(ISSUE, { input: twoLines(id) }, CARE);
    expect(codeOf(again)).toBe('CONFLICT');
    expect(again.errors![0].message).toMatch(/already has an invoice/);
    const rows = await g.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM aftermarket.invoices WHERE appointment_id = $1`, [id]);
    expect(rows[0].n).toBe('1');
  });

  test('of several concurrent issues for one appointment exactly one succeeds; the others are CONFLICT', async () => {
    const id = await book(alice.id, alice.vin);
    const results = await Promise.all(Array.from({ length: 5 }, () => g.gql(ISSUE, { input: twoLines(id) }, CARE)));
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.filter((r) => codeOf(r) === 'CONFLICT')).toHaveLength(4);
    const rows = await g.db.query<{ invoices: string; claims: string }>(
      `SELECT (SELECT count(*) FROM aftermarket.invoices WHERE appointment_id = $1)::text AS invoices,
              (SELECT count(*) FROM aftermarket.warranty_claims c JOIN aftermarket.invoices i ON i.id = c.invoice_id WHERE i.appointment_id = $1)::text AS claims`,
      [id],
    );
    expect(rows[0]).toEqual({ invoices: '1', claims: '1' });
  });

  test('an invoice covered in full by warranty raises claims and leaves no spending line', async () => {
    const id = await book(bob.id, bob.vin, { serviceType: 'WARRANTY_REPAIR' });
    const res = await g.gql(
      ISSUE,
      { input: { appointmentId: id, lines: [{ kind: 'PART', description: 'Charging port assembly', quantity: 1, unitPrice: '2800.00', warrantyCovered: true }, { kind: 'LABOUR', description: 'Warranty labour (hours)', quantity: 2, unitPrice: '180.00', warrantyCovered: true }] } },
      as.admin(),
    );
    expect(res.errors).toBeUndefined();
    const inv = res.data.issueInvoice;
    expect(inv).toMatchObject({ total: { amount: '3160.00' }, warrantyCovered: { amount: '3160.00' }, ownerPaid: { amount: '0.00' } });
    expect(inv.warrantyClaims.map((c: any) => c.amount.amount)).toEqual(['2800.00', '360.00']);
    const lines = await g.gql(`{ me { spending { lines(first: 100) { edges { node { paidFor { ... on ServiceInvoice { id } } } } } } } }`, {}, as.customer(bob.id));
    expect(lines.data.me.spending.lines.edges.map((e: any) => e.node.paidFor?.id)).not.toContain(inv.id);
  });

  test('a free line (unit price 0.00) is accepted and counted as zero', async () => {
    const id = await book(bob.id, bob.vin);
    const res = await g.gql(ISSUE, { input: { appointmentId: id, lines: [{ kind: 'LABOUR', description: 'Courtesy check', quantity: 1, unitPrice: '0', warrantyCovered: false }, { kind: 'PART', description: 'Wiper blades (pair)', quantity: 1, unitPrice: '99.9', warrantyCovered: false }] } }, CARE);
    expect(res.errors).toBeUndefined();
    expect(res.data.issueInvoice.total.amount).toBe('99.90');
    expect(res.data.issueInvoice.ownerPaid.amount).toBe('99.90');
  });

  test('an owner cancels while BOOKED; cancelling again or invoicing it afterwards is CONFLICT', async () => {
    const id = await book(alice.id, alice.vin);
    const cancelled = await g.gql(CANCEL, { id }, as.customer(alice.id));
    expect(cancelled.data.cancelAppointment).toEqual({ id, status: 'CANCELLED' });
    expect(codeOf(await g.gql(CANCEL, { id }, as.customer(alice.id)))).toBe('CONFLICT');
    const issue = await g.gql(ISSUE, { input: twoLines(id) }, CARE);
    expect(codeOf(issue)).toBe('CONFLICT');
    expect(issue.errors![0].message).toMatch(/CANCELLED/);
  });

  test('a completed appointment cannot be cancelled', async () => {
    const id = await book(alice.id, alice.vin);
    await g.gql(ISSUE, { input: twoLines(id) }, CARE);
    expect(codeOf(await g.gql(CANCEL, { id }, as.customer(alice.id)))).toBe('CONFLICT');
  });

  test('booking the same vehicle twice at the same time is CONFLICT', async () => {
    const at = future(10);
    const input = { storeId: MAINTENANCE_STORE, vin: alice.vin, serviceType: 'TYRES', scheduledAt: at };
    expect((await g.gql(BOOK, { input }, as.customer(alice.id))).errors).toBeUndefined();
    expect(codeOf(await g.gql(BOOK, { input }, as.customer(alice.id)))).toBe('CONFLICT');
  });

  test('an admin may book for the owner; the appointment belongs to the owner', async () => {
    const res = await g.gql(BOOK, { input: { storeId: MAINTENANCE_STORE, vin: bob.vin, serviceType: 'REPAIR', scheduledAt: future() } }, as.admin());
    expect(res.errors).toBeUndefined();
    expect(res.data.bookService.userId).toBe(bob.id);
  });
});

describe('the spending contribution', () => {
  test("equals the sum of the owner-paid parts of the user's invoices, one line per invoice with an owner-paid part", async () => {
    for (const user of [DEMO_USER, alice.id, bob.id]) {
      const invoices: any[] = [];
      let after: string | null = null;
      do {
        const res: GqlResult = await g.gql(`query($after: String) { me { serviceInvoices(first: 100, after: $after) { edges { node { id ownerPaid { amount } } } pageInfo { hasNextPage endCursor } } } }`, { after }, as.customer(user));
        invoices.push(...res.data.me.serviceInvoices.edges.map((e: any) => e.node));
        after = res.data.me.serviceInvoices.pageInfo.hasNextPage ? res.data.me.serviceInvoices.pageInfo.endCursor : null;
      } while (after);
      const paid = invoices.filter((i) => fen(i.ownerPaid.amount) > 0n);
      const expected = paid.reduce((s, i) => s + fen(i.ownerPaid.amount), 0n);

      const lines: any[] = [];
      let byCategory: any[] = [];
      after = null;
      do {
        const res: GqlResult = await g.gql(
          `query($after: String) { me { spending { byCategory { category total { amount } } lines(first: 100, after: $after) { edges { node { category amount { amount } paidFor { __typename ... on ServiceInvoice { id ownerPaid { amount } } } } } pageInfo { hasNextPage endCursor } } } } }`,
          { after },
          as.customer(user),
        );
        expect(res.errors).toBeUndefined();
        byCategory = res.data.me.spending.byCategory;
        lines.push(...res.data.me.spending.lines.edges.map((e: any) => e.node));
        after = res.data.me.spending.lines.pageInfo.hasNextPage ? res.data.me.spending.lines.pageInfo.endCursor : null;
      } while (after);

      const serviceLines = lines.filter((l) => l.paidFor?.__typename === 'ServiceInvoice');
      expect(serviceLines.map((l) => l.paidFor.id).sort()).toEqual(paid.map((i) => i.id).sort());
      for (const l of serviceLines) {
        expect(l.category).toBe('MAINTENANCE');
        expect(l.amount.amount).toBe(l.paidFor.ownerPaid.amount);
      }
      expect(serviceLines.reduce((s, l) => s + fen(l.amount.amount), 0n)).toBe(expected);
      const maintenance = byCategory.find((c) => c.category === 'MAINTENANCE');
      expect(maintenance ? fen(maintenance.total.amount) : 0n).toBe(expected);
    }
  });
});

describe('authorization', () => {
  test('booking needs a token, and a customer can only book for a vehicle they own', async () => {
    const input = { storeId: MAINTENANCE_STORE, vin: alice.vin, serviceType: 'MAINTENANCE', scheduledAt: future() };
    expect(codeOf(await g.gql(BOOK, { input }, null))).toBe('UNAUTHENTICATED');
    const other = await g.gql(BOOK, { input }, as.customer(bob.id));
    expect(codeOf(other)).toBe('NOT_FOUND'); // someone else's vehicle, answered like a VIN nobody has
    expect(codeOf(await g.gql(BOOK, { input }, CARE))).toBe('GRAPHQL_VALIDATION_FAILED'); // outside the partner contract: refused at the gateway like an unknown field
    expect(codeOf(await g.gql(BOOK, { input }, as.analyst()))).toBe('FORBIDDEN');
  });

  test("a partner of another organisation cannot issue the invoice, see the store's appointments or read the appointment", async () => {
    const id = await book(alice.id, alice.vin);
    // Another organisation's appointment is answered like an id nobody has (hidden-ids.test.ts compares the messages).
    expect(codeOf(await g.gql(ISSUE, { input: twoLines(id) }, COOP))).toBe('NOT_FOUND');
    expect(codeOf(await g.gql(ISSUE, { input: twoLines(id) }, as.customer(alice.id)))).toBe('FORBIDDEN');
    expect(codeOf(await g.gql(ISSUE, { input: twoLines(id) }, null))).toBe('UNAUTHENTICATED');
    const list = `query($s: ID!) { storeAppointments(storeId: $s) { edges { node { id } } } }`;
    expect(codeOf(await g.gql(list, { s: MAINTENANCE_STORE }, COOP))).toBe('FORBIDDEN');
    expect(codeOf(await g.gql(list, { s: MAINTENANCE_STORE }, as.customer(alice.id)))).toBe('FORBIDDEN');
    expect(codeOf(await g.gql(list, { s: MAINTENANCE_STORE }, null))).toBe('UNAUTHENTICATED');
    expect(codeOf(await g.gql(list, { s: 'store-nope' }, CARE))).toBe('NOT_FOUND');
    expect((await g.gql(list, { s: MAINTENANCE_STORE }, as.admin())).errors).toBeUndefined();
    const read = `query($id: ID!) { appointment(id: $id) { id } }`;
    expect(codeOf(await g.gql(read, { id }, COOP))).toBe('NOT_FOUND');
    expect((await g.gql(read, { id }, CARE)).data.appointment).toEqual({ id });
    // Still BOOKED: none of the refused attempts changed it.
    expect((await g.gql(`query($id: ID!) { appointment(id: $id) { status } }`, { id }, as.customer(alice.id))).data.appointment.status).toBe('BOOKED');
  });

  test("another customer's appointment and invoice are NOT_FOUND like unknown ids, their lists FORBIDDEN, nothing leaked", async () => {
    const id = await book(alice.id, alice.vin);
    const inv = (await g.gql(ISSUE, { input: twoLines(id) }, CARE)).data.issueInvoice;
    expect(codeOf(await g.gql(`query($id: ID!) { appointment(id: $id) { id } }`, { id }, as.customer(bob.id)))).toBe('NOT_FOUND');
    expect(codeOf(await g.gql(`query($id: ID!) { serviceInvoice(id: $id) { id } }`, { id: inv.id }, as.customer(bob.id)))).toBe('NOT_FOUND');
    expect(codeOf(await g.gql(`query($id: ID!) { serviceInvoice(id: $id) { id } }`, { id: inv.id }, COOP))).toBe('NOT_FOUND');
    expect((await g.gql(`query($id: ID!) { serviceInvoice(id: $id) { id } }`, { id: inv.id }, as.customer(alice.id))).data.serviceInvoice.id).toBe(inv.id);
    expect(codeOf(await g.gql(CANCEL, { id }, as.customer(bob.id)))).toBe('NOT_FOUND');
    expect(codeOf(await g.gql(`query($u: ID!) { user(id: $u) { appointments { edges { node { id } } } } }`, { u: alice.id }, as.customer(bob.id)))).toBe('FORBIDDEN');
    expect((await g.gql(`query($id: ID!) { appointment(id: $id) { id } }`, { id: 'appt-unknown' }, as.customer(bob.id))).data.appointment).toBeNull();
  });

  test("a customer cannot read another vehicle's service history (the vehicle itself is NOT_FOUND to them)", async () => {
    const res = await g.gql(`query($vin: String!) { vehicle(vin: $vin) { serviceHistory { edges { node { id } } } } }`, { vin: alice.vin }, as.customer(bob.id));
    expect(codeOf(res)).toBe('NOT_FOUND');
    expect(res.data?.vehicle?.serviceHistory ?? null).toBeNull();
  });

  test("the vehicle's manufacturer may read the vehicle in orders but not its service book", async () => {
    const vehicle = world.read(VEHICLES).find((v) => v.vin === alice.vin)!;
    const maker = world.read(TRIMS).find((t) => t.id === vehicle.trimId)!.manufacturerOrg;
    const res = await g.gql(`query($vin: String!) { vehicle(vin: $vin) { vin serviceHistory { edges { node { id } } } } }`, { vin: alice.vin }, as.partner('maker-staff', maker));
    // Orders answered the vehicle (and its owner); the refusal is aftermarket's, on the service book alone.
    expect(res.errors).toHaveLength(1);
    expect(codeOf(res)).toBe('FORBIDDEN');
    expect(res.errors![0].path).toEqual(['vehicle', 'serviceHistory']);
    expect(res.errors![0].message).toMatch(/service history/);
  });

  test('the owner, an analyst and an admin may read the service book', async () => {
    const q = `query($vin: String!) { vehicle(vin: $vin) { serviceHistory(first: 100) { edges { node { id vehicle { vin } } } } } }`;
    for (const who of [as.customer(alice.id), as.analyst(), as.admin()]) {
      const res = await g.gql(q, { vin: alice.vin }, who);
      expect(res.errors).toBeUndefined();
      expect(res.data.vehicle.serviceHistory.edges.length).toBeGreaterThan(0);
      for (const e of res.data.vehicle.serviceHistory.edges) expect(e.node.vehicle.vin).toBe(alice.vin);
    }
  });

  test('an analyst reads any user but sees owners pseudonymised and no notes', async () => {
    const id = await book(alice.id, alice.vin, { note: 'call me on 138 0000 0000' });
    const res = await g.gql(`query($u: ID!) { user(id: $u) { appointments(first: 100) { edges { node { id userId note } } } } }`, { u: pseudonym(alice.id) }, as.analyst());
    expect(res.errors).toBeUndefined();
    const node = res.data.user.appointments.edges.map((e: any) => e.node).find((n: any) => n.id === id);
    expect(node.note).toBeNull();
    expect(node.userId).toMatch(/^anon-[0-9a-f]{20}$/);
    expect(node.userId).not.toContain(alice.id);
  });

  test('a forged identity or no signature at all sent straight to the subgraph is UNAUTHENTICATED; so is an anonymous caller the gateway signed', async () => {
    const query = `mutation($id: ID!) { cancelAppointment(id: $id) { id } }`;
    const request = JSON.stringify({ query, variables: { id: 'appt-s000001' } });
    const forged = await tokenSignedByAnotherKey('aftermarket', { sub: alice.id, role: 'customer' }, request);
    const res = await fetch(g.subgraphUrl('aftermarket'), { method: 'POST', headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: forged }, body: request });
    const body = (await res.json()) as GqlResult;
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(body.data?.cancelAppointment ?? null).toBeNull();

    const bare = await fetch(g.subgraphUrl('aftermarket'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables: { id: 'appt-s000001' } }) });
    expect([bare.status, ((await bare.json()) as GqlResult).errors?.[0]?.extensions?.code]).toEqual([401, 'UNAUTHENTICATED']);

    const anonymous = await g.identityToken('aftermarket', null, request);
    const anon = await fetch(g.subgraphUrl('aftermarket'), { method: 'POST', headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: anonymous }, body: request });
    const anonBody = (await anon.json()) as GqlResult;
    expect([anon.status, anonBody.errors?.[0]?.extensions?.code, anonBody.data?.cancelAppointment ?? null]).toEqual([200, 'UNAUTHENTICATED', null]);
  });
});

describe('bad input', () => {
  const bookAs = (input: Record<string, unknown>) => g.gql(BOOK, { input: { storeId: MAINTENANCE_STORE, vin: alice.vin, serviceType: 'MAINTENANCE', scheduledAt: future(), ...input } }, as.customer(alice.id));

  test.each([
    ['a scheduledAt in the past', { scheduledAt: new Date(Date.now() - 60_000).toISOString() }, 'BAD_USER_INPUT', /future/],
    ['a scheduledAt more than 180 days ahead', { scheduledAt: new Date(Date.now() + 181 * DAY).toISOString() }, 'BAD_USER_INPUT', /180 days/],
    ['a scheduledAt that is not a date', { scheduledAt: 'next tuesday' }, 'BAD_USER_INPUT', /ISO-8601/],
    ['a note over 500 characters', { note: 'n'.repeat(501) }, 'BAD_USER_INPUT', /500/],
    ['a malformed VIN', { vin: 'IOQ123' }, 'BAD_USER_INPUT', /VIN/],
    ['an unknown VIN', { vin: 'LZZZZZZZZZZZZ0000' }, 'NOT_FOUND', /.+/],
    ['an unknown store', { storeId: 'store-nope' }, 'NOT_FOUND', /store-nope/],
    ['a malformed store id', { storeId: 'a b c' }, 'BAD_USER_INPUT', /storeId/],
    ['a service the store does not offer', { serviceType: 'FILM' }, 'BAD_USER_INPUT', /does not offer FILM/],
    ['an unknown service type', { serviceType: 'CAR_WASH' }, 'BAD_USER_INPUT', /.+/],
  ])('bookService refuses %s', async (_what, input, code, message) => {
    const res = await bookAs(input);
    expect(codeOf(res)).toBe(code);
    expect(res.errors![0].message).toMatch(message);
  });

  test('a VIN in lower case or with spaces around it is the same car, as in every subgraph', async () => {
    const res = await bookAs({ vin: ` ${alice.vin.toLowerCase()} ` });
    expect(ok(res).bookService.vehicle.vin).toBe(alice.vin);
  });

  test('a note of exactly 500 characters is accepted', async () => {
    const res = await bookAs({ note: 'n'.repeat(500) });
    expect(res.errors).toBeUndefined();
    expect(res.data.bookService.note).toHaveLength(500);
  });

  const line = { kind: 'PART', description: 'Cabin air filter', quantity: 1, unitPrice: '89.00', warrantyCovered: false };
  let target: string;
  beforeAll(async () => {
    target = await book(alice.id, alice.vin);
  });

  test.each([
    ['no lines', () => []],
    ['51 lines', () => Array.from({ length: 51 }, () => line)],
    ['a negative unit price', () => [{ ...line, unitPrice: '-1.00' }]],
    ['a float unit price', () => [{ ...line, unitPrice: 12.5 }]],
    ['a non-numeric unit price', () => [{ ...line, unitPrice: 'twelve' }]],
    ['a unit price with three fraction digits', () => [{ ...line, unitPrice: '1.234' }]],
    ['a unit price over 1,000,000.00', () => [{ ...line, unitPrice: '1000000.01' }]],
    ['a zero quantity', () => [{ ...line, quantity: 0 }]],
    ['a quantity over 1000', () => [{ ...line, quantity: 1001 }]],
    ['a fractional quantity', () => [{ ...line, quantity: 1.5 }]],
    ['a blank description', () => [{ ...line, description: '   ' }]],
    ['a description over 200 characters', () => [{ ...line, description: 'd'.repeat(201) }]],
    ['an unknown line kind', () => [{ ...line, kind: 'TIP' }]],
  ])('issueInvoice refuses %s and leaves the appointment BOOKED', async (_what, lines) => {
    const res = await g.gql(ISSUE, { input: { appointmentId: target, lines: lines() } }, CARE);
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    const status = await g.gql(`query($id: ID!) { appointment(id: $id) { status invoice { id } } }`, { id: target }, as.customer(alice.id));
    expect(status.data.appointment).toEqual({ status: 'BOOKED', invoice: null });
  });

  test('issueInvoice accepts exactly 50 lines at the largest unit price and quantity, exactly', async () => {
    const id = await book(alice.id, alice.vin);
    const lines = Array.from({ length: 50 }, () => ({ ...line, quantity: 1000, unitPrice: '1000000.00' }));
    const res = await g.gql(ISSUE, { input: { appointmentId: id, lines } }, CARE);
    expect(res.errors).toBeUndefined();
    expect(res.data.issueInvoice.total.amount).toBe('50000000000.00');
    expect(res.data.issueInvoice.ownerPaid.amount).toBe('50000000000.00');
  });

  test('issueInvoice answers NOT_FOUND for an unknown appointment and BAD_USER_INPUT for a malformed id', async () => {
    expect(codeOf(await g.gql(ISSUE, { input: { appointmentId: 'appt-nope', lines: [line] } }, CARE))).toBe('NOT_FOUND');
    expect(codeOf(await g.gql(ISSUE, { input: { appointmentId: 'appt nope!', lines: [line] } }, CARE))).toBe('BAD_USER_INPUT');
  });

  test('cancelAppointment answers NOT_FOUND for an unknown id', async () => {
    expect(codeOf(await g.gql(CANCEL, { id: 'appt-nope' }, as.customer(alice.id)))).toBe('NOT_FOUND');
  });

  test('list fields refuse first outside 1..100', async () => {
    expect(codeOf(await g.gql(`{ me { appointments(first: 101) { edges { node { id } } } } }`, {}, as.customer(alice.id)))).toBe('BAD_USER_INPUT');
    expect(codeOf(await g.gql(`{ me { serviceInvoices(first: -1) { edges { node { id } } } } }`, {}, as.customer(alice.id)))).toBe('BAD_USER_INPUT');
    expect(codeOf(await g.gql(`{ me { serviceInvoices(after: "garbage") { edges { node { id } } } } }`, {}, as.customer(alice.id)))).toBe('BAD_USER_INPUT');
  });
});

describe('batching', () => {
  test('the statements a nested service-history request costs do not grow with the number of rows', async () => {
    const query = `query($first: Int) { me { serviceInvoices(first: $first) { edges { node { id store { name } vehicle { vin }
      lines { amount { amount } } warrantyClaims { id invoice { id } } appointment { id store { name } invoice { id } } } } } } }`;
    const cost = async (first: number) => {
      const before = g.db.statementCount;
      const res = await g.gql(query, { first }, as.customer(DEMO_USER));
      expect(res.errors).toBeUndefined();
      return { statements: g.db.statementCount - before, rows: res.data.me.serviceInvoices.edges.length };
    };
    const one = await cost(1);
    const all = await cost(100);
    expect(all.rows).toBeGreaterThan(one.rows);
    expect(all.statements).toBe(one.statements);
  });
});
