/**
 * Which ids exist is nobody's business. Seed ids are sequential (`ord-s000042`), so if "someone else's"
 * answered differently from "no such id", any customer or partner could map every order, loan and
 * vehicle of the graph. For every by-id field and every id a mutation takes, across every subgraph,
 * asking about another person's object must give exactly the error a missing id of the same shape
 * gives: NOT_FOUND, with the same message once the id itself is replaced.
 */
import { startTestGraph, as, type GqlResult, type TestGraph } from '../testing/harness';
import type { Identity } from '../platform/identity';
import { seedAll } from './seeding';
import { DEMO_USER } from './kit/seed';

let g: TestGraph;
/** The demo user's objects, one of each kind: the victim. */
const theirs: Record<string, string> = {};
let store: { id: string; service: string };

const INTRUDER = as.customer('user-000001');
/** A partner of a manufacturer that did not make the demo user's car. */
let otherManufacturer: Identity;
/** A partner of an organisation that does not operate the store of the demo user's appointment. */
let otherStoreOrg: Identity;

const one = async (sql: string) => {
  const rows = await g.db.query<{ id: string }>(sql, [DEMO_USER]);
  if (!rows.length) throw new Error(`the seed has no row for: ${sql}`);
  return rows[0].id;
};

beforeAll(async () => {
  g = await startTestGraph();
  await seedAll(g.db, 6);
  theirs.order = await one(`SELECT id FROM orders.orders WHERE user_id = $1 ORDER BY id LIMIT 1`);
  theirs.vin = await one(`SELECT vin AS id FROM orders.vehicles WHERE owner_id = $1 LIMIT 1`);
  theirs.tradeIn = await one(`SELECT id FROM orders.trade_ins WHERE user_id = $1 LIMIT 1`);
  theirs.testDrive = await one(`SELECT id FROM orders.test_drives WHERE user_id = $1 LIMIT 1`);
  theirs.loan = await one(`SELECT id FROM finance.loans WHERE user_id = $1 LIMIT 1`);
  theirs.instalment = await one(`SELECT i.id FROM finance.instalments i JOIN finance.loans l ON l.id = i.loan_id WHERE l.user_id = $1 ORDER BY i.sequence LIMIT 1`);
  theirs.policy = await one(`SELECT id FROM finance.insurance_policies WHERE user_id = $1 LIMIT 1`);
  theirs.appointment = await one(`SELECT id FROM aftermarket.appointments WHERE user_id = $1 LIMIT 1`);
  theirs.invoice = await one(`SELECT id FROM aftermarket.invoices WHERE user_id = $1 LIMIT 1`);
  theirs.subscription = await one(`SELECT id FROM energy.battery_subscriptions WHERE user_id = $1 LIMIT 1`);
  const [s] = await g.db.query<{ id: string; service: string }>(`SELECT id, services[1] AS service FROM aftermarket.stores ORDER BY id LIMIT 1`);
  store = s;
  const [o] = await g.db.query<{ org: string }>(`SELECT manufacturer_org AS org FROM orders.orders WHERE id = $1`, [theirs.order]);
  otherManufacturer = as.partner('partner-1', o.org === 'gac-aion' ? 'dongfeng-nammi' : 'gac-aion');
  const [a] = await g.db.query<{ org: string }>(`SELECT s.org FROM aftermarket.appointments a JOIN aftermarket.stores s ON s.id = a.store_id WHERE a.id = $1`, [theirs.appointment]);
  const [other] = await g.db.query<{ org: string }>(`SELECT org FROM aftermarket.stores WHERE org <> $1 ORDER BY id LIMIT 1`, [a.org]);
  otherStoreOrg = as.partner('partner-2', other.org);
});

afterAll(async () => {
  await g?.stop();
});

/** An id of the same shape that nobody has: every digit and hex letter changed, length and prefix kept. */
function missingLike(id: string): string {
  const dash = id.indexOf('-');
  const [prefix, rest] = dash > 0 && !/^[A-HJ-NPR-Z0-9]{17}$/.test(id) ? [id.slice(0, dash + 1), id.slice(dash + 1)] : ['', id];
  return prefix + rest.replace(/[0-9]/g, (d) => (d === '9' ? '8' : '9')).replace(/[a-f]/g, (c) => (c === 'f' ? 'e' : 'f'));
}

interface Case {
  /** What is asked, e.g. `order(id:)`. */
  name: string;
  kind: keyof typeof theirs | 'vin';
  query: string;
  vars: (id: string) => Record<string, unknown>;
  who?: () => Identity;
}

const soon = () => new Date(Date.now() + 3 * 86_400_000).toISOString();

const CASES: Case[] = [
  { name: 'order(id:)', kind: 'order', query: `query($id: ID!) { order(id: $id) { id } }`, vars: (id) => ({ id }) },
  { name: 'order(id:) as a partner of another manufacturer', kind: 'order', query: `query($id: ID!) { order(id: $id) { id } }`, vars: (id) => ({ id }), who: () => otherManufacturer },
  { name: 'vehicle(vin:)', kind: 'vin', query: `query($v: String!) { vehicle(vin: $v) { vin } }`, vars: (v) => ({ v }) },
  { name: 'vehicle(vin:) as a partner of another manufacturer', kind: 'vin', query: `query($v: String!) { vehicle(vin: $v) { vin } }`, vars: (v) => ({ v }), who: () => otherManufacturer },
  { name: 'tradeIn(id:)', kind: 'tradeIn', query: `query($id: ID!) { tradeIn(id: $id) { id } }`, vars: (id) => ({ id }) },
  { name: 'cancelTestDrive', kind: 'testDrive', query: `mutation($id: ID!) { cancelTestDrive(id: $id) { id } }`, vars: (id) => ({ id }) },
  { name: 'payDeposit', kind: 'order', query: `mutation($id: ID!) { payDeposit(orderId: $id, amount: "5000.00") { id } }`, vars: (id) => ({ id }) },
  { name: 'payBalance', kind: 'order', query: `mutation($id: ID!) { payBalance(orderId: $id, amount: "1000.00") { id } }`, vars: (id) => ({ id }) },
  { name: 'cancelOrder', kind: 'order', query: `mutation($id: ID!) { cancelOrder(orderId: $id) { id } }`, vars: (id) => ({ id }) },
  {
    name: 'deliverOrder as a partner of another manufacturer',
    kind: 'order',
    query: `mutation($id: ID!) { deliverOrder(orderId: $id, vin: "LGAX1234567890123") { id } }`,
    vars: (id) => ({ id }),
    who: () => otherManufacturer,
  },
  {
    name: 'appraiseTradeIn as a partner of an organisation it was not asked of',
    kind: 'tradeIn',
    query: `mutation($id: ID!) { appraiseTradeIn(id: $id, amount: "1000.00") { id } }`,
    vars: (id) => ({ id }),
    who: () => as.partner('partner-3', 'jd-auto-care'),
  },
  {
    name: 'placeOrder(tradeInId:)',
    kind: 'tradeIn',
    query: `mutation($id: ID!, $key: String!) { placeOrder(input: { trimId: "trim-ut-420", tradeInId: $id, idempotencyKey: $key }) { id } }`,
    vars: (id) => ({ id, key: `hidden-${id}` }),
  },
  { name: 'loan(id:)', kind: 'loan', query: `query($id: ID!) { loan(id: $id) { id } }`, vars: (id) => ({ id }) },
  { name: 'insurancePolicy(id:)', kind: 'policy', query: `query($id: ID!) { insurancePolicy(id: $id) { id } }`, vars: (id) => ({ id }) },
  {
    name: 'openLoan(orderId:)',
    kind: 'order',
    query: `mutation($id: ID!) { openLoan(input: { orderId: $id, kind: LOAN, termMonths: 12, annualRateBps: 399 }) { id } }`,
    vars: (id) => ({ id }),
  },
  { name: 'payInstalment', kind: 'instalment', query: `mutation($id: ID!) { payInstalment(instalmentId: $id, amount: "100.00") { id } }`, vars: (id) => ({ id }) },
  {
    name: 'buyInsurance(vin:)',
    kind: 'vin',
    query: `mutation($v: String!) { buyInsurance(input: { vin: $v, productId: "insp-pingan-compulsory" }) { id } }`,
    vars: (v) => ({ v }),
  },
  { name: 'appointment(id:)', kind: 'appointment', query: `query($id: ID!) { appointment(id: $id) { id } }`, vars: (id) => ({ id }) },
  { name: 'serviceInvoice(id:)', kind: 'invoice', query: `query($id: ID!) { serviceInvoice(id: $id) { id } }`, vars: (id) => ({ id }) },
  {
    name: "issueInvoice as a partner of another store's organisation",
    kind: 'appointment',
    query: `mutation($id: ID!) { issueInvoice(input: { appointmentId: $id, lines: [{ kind: LABOUR, description: "Inspection", quantity: 1, unitPrice: "100.00", warrantyCovered: false }] }) { id } }`,
    vars: (id) => ({ id }),
    who: () => otherStoreOrg,
  },
  { name: 'cancelAppointment', kind: 'appointment', query: `mutation($id: ID!) { cancelAppointment(id: $id) { id } }`, vars: (id) => ({ id }) },
  {
    name: 'bookService(vin:)',
    kind: 'vin',
    query: `mutation($v: String!, $store: ID!, $type: ServiceType!, $at: DateTime!) { bookService(input: { storeId: $store, vin: $v, serviceType: $type, scheduledAt: $at }) { id } }`,
    vars: (v) => ({ v, store: store.id, type: store.service, at: soon() }),
  },
  {
    name: 'subscribeBatteryPlan(vin:)',
    kind: 'vin',
    query: `mutation($v: String!) { subscribeBatteryPlan(input: { vin: $v, planId: "bplan-lite" }) { id } }`,
    vars: (v) => ({ v }),
  },
  { name: 'cancelBatterySubscription', kind: 'subscription', query: `mutation($id: ID!) { cancelBatterySubscription(id: $id) { id } }`, vars: (id) => ({ id }) },
];

async function errorFor(c: Case, id: string) {
  const res: GqlResult = await g.gql(c.query, c.vars(id), c.who ? c.who() : INTRUDER);
  const e = res.errors?.[0];
  return { code: e?.extensions?.code ?? 'OK', message: e?.message.split(id).join('<id>') ?? null, data: res.data ? Object.values(res.data)[0] : null };
}

describe("someone else's id answers exactly like an id nobody has", () => {
  test.each(CASES.map((c) => [c.name, c]))('%s', async (_name, c) => {
    const id = theirs[c.kind];
    const missing = missingLike(id);
    expect(missing).not.toBe(id);
    expect(missing.length).toBe(id.length);
    const hidden = await errorFor(c, id);
    const absent = await errorFor(c, missing);
    expect(hidden).toEqual(absent);
    expect(hidden).toMatchObject({ code: 'NOT_FOUND', data: null });
    expect(hidden.message).not.toMatch(/exists|belongs|your own|not yours/i);
  });

  test('the owner still reads and acts on their own objects (the check is isolation, not a blanket NOT_FOUND)', async () => {
    const me = as.customer(DEMO_USER);
    for (const [field, id] of [['order', theirs.order], ['loan', theirs.loan], ['insurancePolicy', theirs.policy], ['appointment', theirs.appointment], ['serviceInvoice', theirs.invoice], ['tradeIn', theirs.tradeIn]]) {
      const res = await g.gql(`query($id: ID!) { ${field}(id: $id) { id } }`, { id }, me);
      expect([field, res.errors ?? null, (res.data as any)?.[field]?.id]).toEqual([field, null, id]);
    }
  });
});
