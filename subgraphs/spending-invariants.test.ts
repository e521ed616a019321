/**
 * "Each fen counted exactly once", proved over a seeded world of 300 users rather than one scripted
 * life: every headline report the gateway returns is compared with sums computed here, independently
 * of the `spending_lines` views, from each subgraph's own base tables (order prices and payment
 * states, instalments, invoice lines, swap/charging/subscription fees). The base tables themselves are
 * checked for the internal consistency the money rests on. (Every `Decimal` input refusing floats and a
 * third decimal: decimal-inputs.test.ts.)
 */
import { startTestGraph, as, type GqlResult, type TestGraph } from '../testing/harness';
import { fen } from '../testing/assertions';
import { seedAll } from './seeding';
import { pseudonym } from './kit/auth';
import { formatFen } from '../platform/money';
import { SPENDING_LIST } from './kit/spending';
import { categoryOrder } from './kit/merged-list/contributions';
import { contributorsOf } from './kit/merged-list/generate';
import { peerSchemas } from './kit/module';
import { spendingContributors } from '../stack/graph';
import { subgraph, subgraphs } from '.';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_USER, seedUsers } from './kit/seed';
import { STANDARD_SWAP_FEE_FEN } from './energy/fees';
import { DEPOSIT_FEN } from './orders/rules';

const USERS = 300;
/** Derived from the folders, so a new contributor or table is covered here without an edit. */
const CONTRIBUTORS = spendingContributors();
const SPENDING = contributorsOf(SPENDING_LIST, peerSchemas(subgraphs()));
const SPENDING_CATEGORIES = categoryOrder(SPENDING);
/** `... on X { id }` for every subject type a contributor declares. */
const SUBJECT_IDS = [...new Set(SPENDING.flatMap((c) => c.subjects))].map((t) => `... on ${t} { id }`).join(' ');
const SCHEMAS = subgraphs().filter((m) => !m.stateless).map((m) => `'${m.name}'`).join(', ');
const EVERY_VIEW = (columns: string, where = '') => CONTRIBUTORS.map((c) => `SELECT ${columns} FROM ${c}.spending_lines${where}`).join(' UNION ALL ');
let g: TestGraph;

/** One expected spending line, built from base tables only. */
interface ExpectedLine {
  id: string;
  userId: string;
  at: Date;
  category: string;
  fen: bigint;
  subjectType: string;
  subjectId: string;
}

let expected: ExpectedLine[] = [];
const linesOf = new Map<string, ExpectedLine[]>();

const month = (d: Date) => d.toISOString().slice(0, 7);
const sum = (values: Iterable<bigint>) => [...values].reduce((a, b) => a + b, 0n);

/**
 * The invoices a maintenance-enhanced package prepaid, derived from the package rule and the base rows
 * only (never from the flags issueInvoice writes): a vehicle's MAINTENANCE invoices in issue order, the
 * first `maintenance_services` of them issued before delivery + `maintenance_years` (both copied onto
 * its order from the catalog package). Their owner-paid amount must be 0.00: the package price paid with
 * the order is the owner's spending on them, counted once.
 */
const PREPAID_MAINTENANCE_SQL = `
  SELECT m.invoice_id, m.vin, m.n, m.allowance FROM (
    SELECT i.id AS invoice_id, i.vin, i.issued_at, o.maintenance_services, o.maintenance_allowance_fen AS allowance,
           ((v.delivered_at AT TIME ZONE 'UTC') + make_interval(years => o.maintenance_years)) AT TIME ZONE 'UTC' AS valid_until,
           row_number() OVER (PARTITION BY i.vin ORDER BY i.issued_at, i.id) AS n
      FROM aftermarket.invoices i
      JOIN aftermarket.appointments a ON a.id = i.appointment_id
      JOIN orders.vehicles v ON v.vin = i.vin
      JOIN orders.orders o ON o.id = v.order_id
     WHERE a.service_type = 'MAINTENANCE') m
   WHERE m.n <= m.maintenance_services AND m.issued_at < m.valid_until`;

/**
 * Every amount that left an owner's pocket, from the base tables, written without reading the views:
 * each contributor's `spending-expected.sql` in its own folder, so a new contributor is checked here
 * without an edit (and one without that file fails, naming it).
 */
const EXPECTED_LINES_SQL = CONTRIBUTORS.map((name) => {
  const file = join(subgraph(name).dir, 'spending-expected.sql');
  if (!existsSync(file)) throw new Error(`the spending invariants check ${name}'s lines against its base tables: write subgraphs/${name}/spending-expected.sql (see subgraphs/README.md)`);
  return `(\n${readFileSync(file, 'utf8')}\n)`;
}).join('\n  UNION ALL\n  ');

/** The users the line-by-line checks look at: the demo driver, the heaviest, and one of every money edge case. */
const SAMPLE_CASES: Record<string, string> = {
  heaviest: `SELECT user_id FROM (${EXPECTED_LINES_SQL}) e GROUP BY user_id ORDER BY count(*) DESC, user_id LIMIT 3`,
  'trade-in credited to a paid order': `SELECT o.user_id FROM orders.orders o WHERE o.trade_in_credit_fen > 0 AND o.status IN ('BALANCE_PAID', 'DELIVERED') ORDER BY o.id LIMIT 2`,
  'order placed, deposit unpaid': `SELECT user_id FROM orders.orders WHERE status = 'PLACED' ORDER BY id LIMIT 2`,
  'order cancelled before paying': `SELECT user_id FROM orders.orders WHERE status = 'CANCELLED' ORDER BY id LIMIT 2`,
  'deposit paid, balance unpaid': `SELECT user_id FROM orders.orders WHERE status = 'DEPOSIT_PAID' ORDER BY id LIMIT 2`,
  'loan with instalments still due': `SELECT l.user_id FROM finance.loans l WHERE l.status = 'ACTIVE' ORDER BY l.id LIMIT 2`,
  'loan paid off': `SELECT user_id FROM finance.loans WHERE status = 'PAID_OFF' ORDER BY id LIMIT 1`,
  'invoice with warranty-covered lines': `SELECT user_id FROM aftermarket.invoices WHERE warranty_covered_fen > 0 AND owner_paid_fen > 0 ORDER BY id LIMIT 2`,
  'invoice covered in full by warranty': `SELECT user_id FROM aftermarket.invoices WHERE owner_paid_fen = 0 ORDER BY id LIMIT 2`,
  'scheduled maintenance prepaid by the package': `SELECT i.user_id FROM aftermarket.invoices i JOIN (${PREPAID_MAINTENANCE_SQL}) p ON p.invoice_id = i.id ORDER BY i.id LIMIT 2`,
  'swap included in the plan (no fee)': `SELECT user_id FROM energy.swap_sessions WHERE fee_fen = 0 ORDER BY id LIMIT 2`,
  'free charging session': `SELECT user_id FROM energy.charging_sessions WHERE fee_fen = 0 ORDER BY id LIMIT 2`,
  'battery subscription charged monthly': `SELECT b.user_id FROM energy.battery_subscriptions b JOIN energy.subscription_charges c ON c.subscription_id = b.id ORDER BY b.id LIMIT 1`,
};
const sampleUsers = new Set<string>([DEMO_USER]);

/**
 * The seed models finished purchases only, so orders that were placed and never paid, or cancelled,
 * are made here through the graph's own mutations (before the expected lines are read).
 */
async function addUnpaidOrders(): Promise<void> {
  const place = async (userId: string, key: string) => {
    const r = await g.gql(`mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { id } }`, { i: { trimId: 'trim-ut-420', financedAmount: '20000.00', idempotencyKey: key } }, as.customer(userId));
    if (r.errors) throw new Error(`placeOrder: ${JSON.stringify(r.errors)}`);
    return r.data.placeOrder.id as string;
  };
  await place(DEMO_USER, 'invariants-unpaid');
  await place('user-000001', 'invariants-unpaid');
  const cancelled = await place('user-000002', 'invariants-cancelled');
  const r = await g.gql(`mutation($o: ID!) { cancelOrder(orderId: $o) { status } }`, { o: cancelled }, as.customer('user-000002'));
  if (r.errors) throw new Error(`cancelOrder: ${JSON.stringify(r.errors)}`);
}

beforeAll(async () => {
  g = await startTestGraph();
  await seedAll(g.db, USERS);
  await addUnpaidOrders();
  const rows = await g.db.query<{ id: string; user_id: string; at: Date; category: string; fen: string; subject_type: string; subject_id: string }>(EXPECTED_LINES_SQL);
  expected = rows.map((r) => ({ id: r.id, userId: r.user_id, at: new Date(r.at), category: r.category, fen: BigInt(r.fen), subjectType: r.subject_type, subjectId: r.subject_id }));
  for (const l of expected) linesOf.set(l.userId, [...(linesOf.get(l.userId) ?? []), l]);
  for (const [name, sql] of Object.entries(SAMPLE_CASES)) {
    const users = (await g.db.query<{ user_id: string }>(sql)).map((r) => r.user_id);
    // Each edge case must occur in the seeded world, or the checks below would prove nothing about it.
    expect({ name, found: users.length > 0 }).toEqual({ name, found: true });
    for (const u of users) sampleUsers.add(u);
  }
}, 180_000);

afterAll(async () => {
  await g?.stop();
});

const REPORT = `query($from: DateTime, $to: DateTime, $first: Int, $after: String) {
  me {
    spending(from: $from, to: $to) {
      total { amount currency }
      lineCount
      byCategory { category total { amount currency } }
      byMonth { month total { amount currency } }
      lines(first: $first, after: $after) {
        edges { node { id occurredAt category amount { amount currency }
          paidFor { __typename ${SUBJECT_IDS} } } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}`;

/** Sums of `lines` per category (in the schema's order) and per month, as the report shapes them. */
function shape(lines: readonly ExpectedLine[]) {
  const byCategory = new Map<string, bigint>();
  const byMonth = new Map<string, bigint>();
  for (const l of lines) {
    byCategory.set(l.category, (byCategory.get(l.category) ?? 0n) + l.fen);
    byMonth.set(month(l.at), (byMonth.get(month(l.at)) ?? 0n) + l.fen);
  }
  return {
    total: formatFen(sum(lines.map((l) => l.fen))),
    lineCount: lines.length,
    byCategory: SPENDING_CATEGORIES.filter((c) => byCategory.has(c)).map((c) => ({ category: c, total: formatFen(byCategory.get(c)!) })),
    byMonth: [...byMonth.keys()].sort().map((m) => ({ month: m, total: formatFen(byMonth.get(m)!) })),
  };
}

/** Runs `fn` over `items` with at most `width` in flight. */
async function inBatches<T, R>(items: readonly T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += width) out.push(...(await Promise.all(items.slice(i, i + width).map(fn))));
  return out;
}

/** A user's whole report through the gateway, every line paged through (100 a page). */
async function fullReport(userId: string, period: { from?: string; to?: string } = {}) {
  const lines: any[] = [];
  let after: string | null = null;
  let head: any;
  for (let page = 0; page < 100; page++) {
    const r: GqlResult = await g.gql(REPORT, { ...period, first: 100, after }, as.customer(userId));
    if (r.errors) throw new Error(`report of ${userId}: ${JSON.stringify(r.errors)}`);
    head = r.data.me.spending;
    lines.push(...head.lines.edges.map((e: any) => e.node));
    if (!head.lines.pageInfo.hasNextPage) break;
    after = head.lines.pageInfo.endCursor;
  }
  return { head, lines };
}

describe('every report equals the base rows it comes from, to the fen', () => {
  test('the seeded world has spending in every category', () => {
    expect(new Set(expected.map((l) => l.category))).toEqual(new Set(SPENDING_CATEGORIES));
    expect(linesOf.size).toBeGreaterThan(USERS / 2);
  });

  test('sampled users: total, lineCount, byCategory and byMonth equal independent sums over the base tables; every line appears once, exactly as in the base rows, linked to what it paid for', async () => {
    expect(sampleUsers.size).toBeGreaterThanOrEqual(12);
    for (const userId of sampleUsers) {
      const want = linesOf.get(userId) ?? [];
      const { head, lines } = await fullReport(userId);
      const got = { total: head.total.amount, lineCount: head.lineCount, byCategory: head.byCategory.map((c: any) => ({ category: c.category, total: c.total.amount })), byMonth: head.byMonth.map((m: any) => ({ month: m.month, total: m.total.amount })) };
      expect({ userId, ...got }).toEqual({ userId, ...shape(want) });
      expect(head.total.currency).toBe('CNY');

      const asLines = lines.map((l) => ({ id: l.id, at: l.occurredAt, category: l.category, amount: l.amount.amount, paidFor: `${l.paidFor?.__typename}:${l.paidFor?.id}` }));
      const wantLines = want.map((l) => ({ id: l.id, at: l.at.toISOString(), category: l.category, amount: formatFen(l.fen), paidFor: `${l.subjectType}:${l.subjectId}` }));
      const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
      expect({ userId, lines: [...asLines].sort(byId) }).toEqual({ userId, lines: [...wantLines].sort(byId) });
      // Newest first, then by id (byte order), with no line twice.
      expect(new Set(asLines.map((l) => l.id)).size).toBe(asLines.length);
      for (let i = 1; i < asLines.length; i++) {
        const [a, b] = [asLines[i - 1], asLines[i]];
        expect(a.at > b.at || (a.at === b.at && Buffer.compare(Buffer.from(a.id), Buffer.from(b.id)) > 0)).toBe(true);
      }
    }
  }, 120_000);

  test('nothing that is not spending appears: no loan principal, no unpaid deposit, balance or instalment, no warranty-covered part, no zero line', async () => {
    const sample = [...sampleUsers];
    const reported = new Map<string, any[]>();
    for (const u of sample) reported.set(u, (await fullReport(u)).lines);
    const all = [...reported.values()].flat();
    expect(all.every((l) => fen(l.amount) !== 0n)).toBe(true);
    expect(all.every((l) => l.category === 'TRADE_IN_CREDIT' ? fen(l.amount) < 0n : fen(l.amount) > 0n)).toBe(true);
    expect(all.some((l) => l.paidFor?.__typename === 'Loan')).toBe(false);

    const ids = new Set(all.map((l) => l.id));
    const subjects = new Set(all.map((l) => `${l.paidFor?.__typename}:${l.paidFor?.id}`));
    const q = async (sql: string) => (await g.db.query<{ id: string }>(sql, [sample])).map((r) => r.id);
    // Orders with nothing paid leave no line; an order with only its deposit paid has no balance line.
    const unpaid = await q(`SELECT id FROM orders.orders WHERE user_id = ANY($1) AND status IN ('PLACED', 'CANCELLED')`);
    expect(unpaid.length).toBeGreaterThan(0);
    for (const id of unpaid) expect(subjects.has(`Order:${id}`)).toBe(false);
    const depositOnly = await q(`SELECT id FROM orders.orders WHERE user_id = ANY($1) AND status = 'DEPOSIT_PAID'`);
    expect(depositOnly.length).toBeGreaterThan(0);
    for (const id of depositOnly) expect([ids.has(`orders:deposit:${id}`), ids.has(`orders:balance:${id}`)]).toEqual([true, false]);
    // A loan's principal is spent only as instalments are paid: due instalments never appear, and the
    // instalment lines of an open loan add up to less than what it will cost.
    const due = await q(`SELECT i.id FROM finance.instalments i JOIN finance.loans l ON l.id = i.loan_id WHERE l.user_id = ANY($1) AND i.status = 'DUE'`);
    expect(due.length).toBeGreaterThan(0);
    for (const id of due) expect(subjects.has(`Instalment:${id}`)).toBe(false);
    const instalments = await g.db.query<{ id: string; loan_id: string; loan_status: string; amount_fen: string; status: string }>(
      `SELECT i.id, i.loan_id, l.status AS loan_status, i.amount_fen::text, i.status FROM finance.instalments i JOIN finance.loans l ON l.id = i.loan_id WHERE l.user_id = ANY($1)`,
      [sample],
    );
    const lineAmount = new Map(all.filter((l) => l.paidFor?.__typename === 'Instalment').map((l) => [l.paidFor.id as string, fen(l.amount)]));
    for (const loanId of new Set(instalments.filter((i) => i.loan_status === 'ACTIVE').map((i) => i.loan_id))) {
      const rows = instalments.filter((i) => i.loan_id === loanId);
      const spent = sum(rows.map((i) => lineAmount.get(i.id) ?? 0n));
      expect({ loanId, spent }).toEqual({ loanId, spent: sum(rows.filter((i) => i.status === 'PAID').map((i) => BigInt(i.amount_fen))) });
      expect(spent < sum(rows.map((i) => BigInt(i.amount_fen)))).toBe(true);
    }
    // Purchase lines of a financed order add up to what was paid in cash (with the trade-in credit
    // netted out by its own line), never to the financed part.
    const financed = await g.db.query<{ id: string; status: string; trade_in_id: string | null; deposit_fen: string; total_fen: string; financed_fen: string; trade_in_credit_fen: string }>(
      `SELECT id, status, trade_in_id, deposit_fen::text, total_fen::text, financed_fen::text, trade_in_credit_fen::text FROM orders.orders WHERE user_id = ANY($1) AND financed_fen > 0`,
      [sample],
    );
    expect(financed.some((o) => o.status === 'BALANCE_PAID' || o.status === 'DELIVERED')).toBe(true);
    for (const o of financed) {
      const paidFor = (type: string, id: string | null) => sum(all.filter((l) => l.paidFor?.__typename === type && l.paidFor.id === id).map((l) => fen(l.amount)));
      const net = paidFor('Order', o.id) + (o.trade_in_id ? paidFor('TradeIn', o.trade_in_id) : 0n);
      const cash =
        o.status === 'BALANCE_PAID' || o.status === 'DELIVERED'
          ? BigInt(o.total_fen) - BigInt(o.financed_fen) - BigInt(o.trade_in_credit_fen)
          : o.status === 'DEPOSIT_PAID'
            ? BigInt(o.deposit_fen)
            : 0n;
      expect({ order: o.id, net }).toEqual({ order: o.id, net: cash });
    }
    // Warranty-covered parts are the manufacturer's money: an invoice's line is only its owner-paid part,
    // and an invoice covered in full has no line.
    // What a prepaid maintenance package settles of a line is not the owner's either (the package price was).
    const invoices = await g.db.query<{ id: string; owner: string; covered: string }>(
      `SELECT i.id, coalesce(sum(l.amount_fen - l.package_settled_fen) FILTER (WHERE NOT l.warranty_covered), 0)::text AS owner, coalesce(sum(l.amount_fen) FILTER (WHERE l.warranty_covered), 0)::text AS covered
         FROM aftermarket.invoices i JOIN aftermarket.invoice_lines l ON l.invoice_id = i.id WHERE i.user_id = ANY($1) GROUP BY i.id`,
      [sample],
    );
    expect(invoices.some((i) => i.covered !== '0' && i.owner === '0')).toBe(true);
    expect(invoices.some((i) => i.covered !== '0' && i.owner !== '0')).toBe(true);
    for (const inv of invoices) {
      const line = all.find((l) => l.id === `aftermarket:invoice:${inv.id}`);
      expect({ invoice: inv.id, amount: line ? fen(line.amount) : 0n }).toEqual({ invoice: inv.id, amount: BigInt(inv.owner) });
    }
    // Swaps included in a plan and free charging are activity, not spending.
    const free = await q(`SELECT 'energy:swap:' || id AS id FROM energy.swap_sessions WHERE user_id = ANY($1) AND fee_fen = 0
                          UNION ALL SELECT 'energy:charging:' || id FROM energy.charging_sessions WHERE user_id = ANY($1) AND fee_fen = 0`);
    expect(free.length).toBeGreaterThan(0);
    for (const id of free) expect(ids.has(id)).toBe(false);
  }, 120_000);

  test('a period report is the sum of exactly the lines paid inside it (from inclusive, to exclusive)', async () => {
    const from = '2025-01-01T00:00:00.000Z';
    const to = '2026-01-01T00:00:00.000Z';
    for (const userId of [...sampleUsers].slice(0, 8)) {
      const want = (linesOf.get(userId) ?? []).filter((l) => l.at.toISOString() >= from && l.at.toISOString() < to);
      const { head, lines } = await fullReport(userId, { from, to });
      expect({ userId, total: head.total.amount, lineCount: head.lineCount, lines: lines.length }).toEqual({ userId, total: shape(want).total, lineCount: want.length, lines: want.length });
      expect(head.byCategory.map((c: any) => ({ category: c.category, total: c.total.amount }))).toEqual(shape(want).byCategory);
    }
  }, 60_000);

  test('all 300 users: each headline total, line count and category sum through the gateway equals the base tables, and so does their sum', async () => {
    const users = seedUsers(USERS);
    const reports = await inBatches(users, 8, async (userId) => {
      const r = await g.gql(`{ me { spending { total { amount } lineCount byCategory { category total { amount } } } } }`, {}, as.customer(userId));
      if (r.errors) throw new Error(`report of ${userId}: ${JSON.stringify(r.errors)}`);
      return { userId, ...r.data.me.spending };
    });
    let grand = 0n;
    for (const r of reports) {
      const want = shape(linesOf.get(r.userId) ?? []);
      expect({ userId: r.userId, total: r.total.amount, lineCount: r.lineCount, byCategory: r.byCategory.map((c: any) => ({ category: c.category, total: c.total.amount })) }).toEqual({
        userId: r.userId,
        total: want.total,
        lineCount: want.lineCount,
        byCategory: want.byCategory,
      });
      grand += fen(r.total);
    }
    expect(formatFen(grand)).toBe(formatFen(sum(expected.map((l) => l.fen))));
  }, 120_000);

  test('an analyst reading user(id:) sees the same totals as the owner', async () => {
    for (const userId of [...sampleUsers].slice(0, 5)) {
      const r = await g.gql(`query($u: ID!) { user(id: $u) { spending { total { amount } lineCount } } }`, { u: pseudonym(userId) }, as.analyst());
      expect(r.errors).toBeUndefined();
      expect(r.data.user.spending).toEqual({ total: { amount: shape(linesOf.get(userId) ?? []).total }, lineCount: (linesOf.get(userId) ?? []).length });
    }
  });

  test('over all users, each view holds exactly the base rows of each category: same count, same sum, no line id twice', async () => {
    const views = await g.db.query<{ category: string; n: string; fen: string; ids: string }>(
      `SELECT category, count(*)::text AS n, sum(amount_fen)::text AS fen, count(DISTINCT line_id)::text AS ids FROM (
         ${EVERY_VIEW('line_id, category, amount_fen')}) v
        GROUP BY category ORDER BY category`,
    );
    const want = SPENDING_CATEGORIES.map((c) => {
      const ls = expected.filter((l) => l.category === c);
      return { category: c, n: String(ls.length), fen: String(sum(ls.map((l) => l.fen))), ids: String(ls.length) };
    }).sort((a, b) => (a.category < b.category ? -1 : 1));
    expect(views).toEqual(want);
  });
});

describe('the base tables agree with each other (what the money rests on)', () => {
  /** Runs a query that lists violations; there must be none. */
  const none = async (what: string, sql: string) => {
    const rows = await g.db.query(sql);
    expect({ what, violations: rows.slice(0, 3) }).toEqual({ what, violations: [] });
  };

  test('orders: price lines add up to the total; the deposit is the fixed one; the credit is the credited trade-in\'s appraisal', async () => {
    await none('price lines ≠ total', `SELECT o.id FROM orders.orders o LEFT JOIN (SELECT order_id, sum(amount_fen) AS s FROM orders.order_price_lines GROUP BY 1) p ON p.order_id = o.id WHERE coalesce(p.s, 0) <> o.total_fen`);
    await none('deposit', `SELECT id FROM orders.orders WHERE deposit_fen <> least(total_fen, ${DEPOSIT_FEN})`);
    await none(
      'trade-in credit',
      `SELECT o.id FROM orders.orders o LEFT JOIN orders.trade_ins t ON t.id = o.trade_in_id
        WHERE o.trade_in_id IS NOT NULL AND (t.appraised_value_fen IS DISTINCT FROM o.trade_in_credit_fen OR (o.status <> 'CANCELLED' AND t.credited_order_id IS DISTINCT FROM o.id))`,
    );
  });

  test('finance: every loan finances exactly its order\'s financed amount for its buyer, after the deposit; its instalments repay exactly the principal, in order', async () => {
    await none(
      'loan ≠ order',
      `SELECT l.id FROM finance.loans l LEFT JOIN orders.orders o ON o.id = l.order_id
        WHERE o.id IS NULL OR o.financed_fen <> l.principal_fen OR o.user_id <> l.user_id OR o.status IN ('PLACED', 'CANCELLED')`,
    );
    await none('financed order without loan', `SELECT o.id FROM orders.orders o WHERE o.financed_fen > 0 AND o.status IN ('BALANCE_PAID', 'DELIVERED') AND NOT EXISTS (SELECT 1 FROM finance.loans l WHERE l.order_id = o.id)`);
    await none(
      'instalment principal ≠ loan principal',
      `SELECT l.id FROM finance.loans l LEFT JOIN (SELECT loan_id, sum(principal_fen) AS p, count(*) AS n FROM finance.instalments GROUP BY 1) i ON i.loan_id = l.id
        WHERE i.p IS DISTINCT FROM l.principal_fen OR i.n <> l.term_months`,
    );
    await none('paid out of order', `SELECT a.id FROM finance.instalments a JOIN finance.instalments b ON b.loan_id = a.loan_id AND b.sequence > a.sequence WHERE a.status = 'DUE' AND b.status = 'PAID'`);
    await none('paid off ≠ nothing due', `SELECT l.id FROM finance.loans l WHERE (l.status = 'PAID_OFF') <> NOT EXISTS (SELECT 1 FROM finance.instalments i WHERE i.loan_id = l.id AND i.status = 'DUE')`);
  });

  test('aftermarket: an invoice\'s owner-paid, platform-settled and warranty-covered sums are exactly its lines; every covered line has one claim for its amount', async () => {
    await none(
      'invoice sums ≠ lines',
      `SELECT i.id FROM aftermarket.invoices i JOIN (
         SELECT invoice_id, coalesce(sum(quantity * unit_price_fen - package_settled_fen) FILTER (WHERE NOT warranty_covered), 0) AS owner,
                coalesce(sum(quantity * unit_price_fen) FILTER (WHERE warranty_covered), 0) AS covered, count(*) AS n
           FROM aftermarket.invoice_lines GROUP BY 1) l ON l.invoice_id = i.id
        WHERE l.owner <> i.owner_paid_fen OR l.covered <> i.warranty_covered_fen OR l.n <> i.line_count`,
    );
    await none(
      'platform-settled sum ≠ what the package settled of the lines',
      `SELECT i.id FROM aftermarket.invoices i JOIN (SELECT invoice_id, coalesce(sum(package_settled_fen), 0) AS settled FROM aftermarket.invoice_lines GROUP BY 1) l
         ON l.invoice_id = i.id WHERE l.settled <> i.platform_settled_fen`,
    );
    await none('invoice without lines', `SELECT i.id FROM aftermarket.invoices i WHERE NOT EXISTS (SELECT 1 FROM aftermarket.invoice_lines l WHERE l.invoice_id = i.id)`);
    await none(
      'claims ≠ covered lines',
      `SELECT l.invoice_id FROM aftermarket.invoice_lines l FULL JOIN aftermarket.warranty_claims c ON c.invoice_id = l.invoice_id AND c.line_position = l.position
        WHERE (l.warranty_covered AND (c.id IS NULL OR c.amount_fen <> l.amount_fen)) OR (c.id IS NOT NULL AND NOT coalesce(l.warranty_covered, false))`,
    );
  });

  test('aftermarket: the maintenance-enhanced package settles the scheduled maintenance it prepaid up to its allowance per service, in line order; the owner pays the rest, counted once; past the plan they pay as normal', async () => {
    const prepaid = await g.db.query<{ invoice_id: string; allowance: string }>(PREPAID_MAINTENANCE_SQL);
    const buyers = await g.db.query<{ n: string }>(`SELECT count(DISTINCT o.user_id)::text AS n FROM orders.orders o JOIN orders.vehicles v ON v.order_id = o.id WHERE o.maintenance_services > 0`);
    expect(Number(buyers[0].n)).toBeGreaterThan(5);
    expect(prepaid.length).toBeGreaterThan(10);
    // The allowance each order bought is its package's in the catalog (800.00 for maintenance-enhanced).
    await none(
      'order allowance ≠ catalog allowance',
      `SELECT o.id FROM orders.orders o JOIN catalog.packages c ON c.id = o.package_id
        WHERE o.maintenance_allowance_fen <> c.maintenance_allowance_fen OR (o.maintenance_services > 0) <> (o.maintenance_allowance_fen > 0)`,
    );
    expect(new Set(prepaid.map((p) => p.allowance))).toEqual(new Set(['80000']));
    // Each line of a prepaid invoice, recomputed from its amount and the lines before it: a warranty line
    // is untouched; a non-warranty line is package-covered while allowance is left before it and the
    // platform settles min(its amount, what is left).
    await none(
      'prepaid line not settled by the allowance rule',
      `SELECT l.invoice_id, l.position FROM (
         SELECT l.*, p.allowance - coalesce(sum(CASE WHEN l.warranty_covered THEN 0 ELSE l.quantity * l.unit_price_fen END)
                  OVER (PARTITION BY l.invoice_id ORDER BY l.position ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS left_before
           FROM aftermarket.invoice_lines l JOIN (${PREPAID_MAINTENANCE_SQL}) p ON p.invoice_id = l.invoice_id) l
        WHERE (l.warranty_covered AND (l.package_covered OR l.package_settled_fen <> 0))
           OR (NOT l.warranty_covered AND (l.package_covered <> (l.left_before > 0)
               OR l.package_settled_fen <> greatest(0, least(l.quantity * l.unit_price_fen, l.left_before))))`,
    );
    // Each prepaid invoice: its service number recorded, the platform settling min(allowance, non-warranty
    // lines), the owner the rest — and that rest, when there is one, is the invoice's one spending line.
    await none(
      'prepaid maintenance not settled up to the allowance',
      `SELECT i.id FROM aftermarket.invoices i JOIN (${PREPAID_MAINTENANCE_SQL}) p ON p.invoice_id = i.id
         JOIN (SELECT invoice_id, coalesce(sum(quantity * unit_price_fen) FILTER (WHERE NOT warranty_covered), 0) AS billed FROM aftermarket.invoice_lines GROUP BY 1) b ON b.invoice_id = i.id
         LEFT JOIN (SELECT subject_id, count(*) AS n, sum(amount_fen) AS fen FROM aftermarket.spending_lines GROUP BY 1) s ON s.subject_id = i.id
        WHERE i.package_service_no IS DISTINCT FROM p.n::int
           OR i.platform_settled_fen <> least(p.allowance, b.billed)
           OR i.owner_paid_fen <> greatest(0, b.billed - p.allowance)
           OR coalesce(s.fen, 0) <> greatest(0, b.billed - p.allowance) OR coalesce(s.n, 0) > 1`,
    );
    // Most seeded scheduled services bill less than the allowance: 0.00 to the owner, no spending line.
    const free = await g.db.query(`SELECT i.id FROM aftermarket.invoices i JOIN (${PREPAID_MAINTENANCE_SQL}) p ON p.invoice_id = i.id WHERE i.owner_paid_fen = 0`);
    expect(free.length).toBeGreaterThan(prepaid.length / 2);
    // Nothing else is: no other invoice has a package-covered line or a service number.
    await none(
      'package coverage outside the plan',
      `SELECT i.id FROM aftermarket.invoices i
        WHERE i.id NOT IN (SELECT invoice_id FROM (${PREPAID_MAINTENANCE_SQL}) p)
          AND (i.package_service_no IS NOT NULL OR i.platform_settled_fen <> 0
               OR EXISTS (SELECT 1 FROM aftermarket.invoice_lines l WHERE l.invoice_id = i.id AND (l.package_covered OR l.package_settled_fen <> 0)))`,
    );
  });

  test('aftermarket: every delivered car whose package is fitted (car cover, accessory assembly) has one fitting of exactly those items, at a modification store, after delivery', async () => {
    await none(
      'fitting ≠ package',
      `SELECT v.vin FROM orders.vehicles v JOIN orders.orders o ON o.id = v.order_id
         LEFT JOIN aftermarket.package_fittings f ON f.vin = v.vin LEFT JOIN aftermarket.stores s ON s.id = f.store_id
        WHERE (cardinality(o.fitted_items) = 0 AND f.id IS NOT NULL)
           OR (f.id IS NOT NULL AND (f.items <> o.fitted_items OR f.package_id <> o.package_id OR f.fitted_at <= v.delivered_at OR NOT ('MODIFICATION' = ANY(s.services))))
           OR (cardinality(o.fitted_items) > 0 AND f.id IS NULL AND v.delivered_at < '2026-10-01')`,
    );
    // recordPackageFitting accepts a partner's fitting only of a car booked in for MODIFICATION at that store.
    await none(
      'fitting without a MODIFICATION visit at its store',
      `SELECT f.id FROM aftermarket.package_fittings f
        WHERE NOT EXISTS (SELECT 1 FROM aftermarket.appointments a WHERE a.vin = f.vin AND a.store_id = f.store_id AND a.service_type = 'MODIFICATION' AND a.status IN ('BOOKED', 'COMPLETED'))`,
    );
    const [fitted] = await g.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM aftermarket.package_fittings`);
    expect(Number(fitted.n)).toBeGreaterThan(5);
  });

  test('energy: swaps are priced by the plan or the standard fee, included swaps never exceed the plan; each month is charged once at the plan\'s fee within the subscription\'s life', async () => {
    await none('included swap with a fee', `SELECT id FROM energy.swap_sessions WHERE covered_by_plan AND fee_fen <> 0`);
    await none(
      'more included swaps than the plan',
      `SELECT s.subscription_id FROM energy.swap_sessions s JOIN energy.battery_subscriptions b ON b.id = s.subscription_id JOIN energy.battery_plans p ON p.id = b.plan_id
        WHERE s.covered_by_plan GROUP BY s.subscription_id, to_char(s.swapped_at AT TIME ZONE 'UTC', 'YYYY-MM') HAVING count(*) > max(p.included_swaps_per_month)`,
    );
    await none(
      'extra swap not at the plan\'s fee',
      `SELECT s.id FROM energy.swap_sessions s JOIN energy.battery_subscriptions b ON b.id = s.subscription_id JOIN energy.battery_plans p ON p.id = b.plan_id
        WHERE NOT s.covered_by_plan AND s.fee_fen <> p.per_swap_fee_fen`,
    );
    await none('pay-as-you-go swap not at the standard fee', `SELECT id FROM energy.swap_sessions WHERE subscription_id IS NULL AND fee_fen <> ${STANDARD_SWAP_FEE_FEN}`);
    await none(
      'charge ≠ plan fee or outside the subscription',
      `SELECT c.id FROM energy.subscription_charges c JOIN energy.battery_subscriptions b ON b.id = c.subscription_id JOIN energy.battery_plans p ON p.id = b.plan_id
        WHERE c.amount_fen <> p.monthly_fee_fen OR c.period < to_char(b.started_at AT TIME ZONE 'UTC', 'YYYY-MM')
           OR c.period > to_char(coalesce(b.cancelled_at, c.charged_at) AT TIME ZONE 'UTC', 'YYYY-MM')`,
    );
  });

  test('every money column is a bigint with a CHECK that bounds its sign, and no view line can be zero', async () => {
    const columns = await g.db.query<{ col: string; type: string }>(
      `SELECT table_schema || '.' || table_name || '.' || column_name AS col, data_type AS type FROM information_schema.columns
        WHERE table_schema IN (${SCHEMAS}) AND column_name LIKE '%\\_fen' AND table_name <> 'spending_lines'
        ORDER BY 1`,
    );
    expect(columns.length).toBeGreaterThan(20);
    expect(columns.filter((c) => c.type !== 'bigint')).toEqual([]);
    // Every money column of a table is named in at least one CHECK constraint of that table.
    const unchecked = await g.db.query<{ col: string }>(
      `SELECT c.table_schema || '.' || c.table_name || '.' || c.column_name AS col
         FROM information_schema.columns c JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
        WHERE c.table_schema IN (${SCHEMAS}) AND c.column_name LIKE '%\\_fen'
          AND NOT EXISTS (
            SELECT 1 FROM pg_constraint k WHERE k.contype = 'c' AND k.conrelid = (quote_ident(c.table_schema) || '.' || quote_ident(c.table_name))::regclass
               AND pg_get_constraintdef(k.oid) ~ ('\\m' || c.column_name || '\\M'))
        ORDER BY 1`,
    );
    expect(unchecked).toEqual([]);
    const zero = await g.db.query(
      EVERY_VIEW('line_id', ' WHERE amount_fen = 0'),
    );
    expect(zero).toEqual([]);
  });
});

describe('the seeded data layer is ready to serve', () => {
  test('seeding leaves planner statistics on every money table, so per-user reads use their indexes from the first request', async () => {
    // Every table of every subgraph folder with a money column and rows in it.
    const money = await g.db.query<{ name: string }>(
      `SELECT DISTINCT table_schema || '.' || table_name AS name FROM information_schema.columns
        WHERE table_schema IN (${SCHEMAS}) AND column_name LIKE '%\\_fen' AND table_name IN (SELECT tablename FROM pg_tables WHERE schemaname = table_schema) ORDER BY 1`,
    );
    const tables: string[] = [];
    for (const { name } of money) if ((await g.db.query(`SELECT 1 FROM ${name} LIMIT 1`)).length) tables.push(name);
    expect(tables.length).toBeGreaterThan(9);
    const analysed = await g.db.query<{ name: string }>(`SELECT DISTINCT schemaname || '.' || tablename AS name FROM pg_stats WHERE schemaname || '.' || tablename = ANY($1::text[]) ORDER BY 1`, [tables]);
    expect(analysed.map((t) => t.name)).toEqual([...tables].sort());
  });
});
