/**
 * Finance through the gateway, on loans and policies written straight into finance's own tables (the
 * openLoan / buyInsurance flows that need the orders subgraph are in `orders-flow.test.ts`):
 * reading loans and schedules, paying instalments (exact amounts, order, races, pay-off), insurance
 * reads, authorization at the gateway and at the subgraph itself, and the spending contribution.
 */
import { as, startTestGraph, tokenSignedByAnotherKey, type GqlResult, type TestGraph } from '../../testing/harness';
import { codeOf, fen, messageOf } from '../../testing/assertions';
import { IDENTITY_HEADER, type Identity } from '../../platform/identity';
import { formatFen } from '../../platform/money';
import { addDays } from '../kit/seed';
import type { NewPolicy } from './data/insurance';
import type { FinanceKind, NewInstalment } from './data/loans';
import { buildSchedule } from './schedule';
import { writeFinanceRows } from './seed';

let g: TestGraph;

/** Calls the finance subgraph directly, signed as the gateway signs `identity` (null: an anonymous caller), or with a raw header. */
async function direct(query: string, variables: Record<string, unknown>, identity: Identity | null, rawIdentityHeader?: string): Promise<GqlResult> {
  const body = JSON.stringify({ query, variables });
  const headers: Record<string, string> = { 'content-type': 'application/json', [IDENTITY_HEADER]: rawIdentityHeader ?? (await g.identityToken('finance', identity, body)) };
  const res = await fetch(g.subgraphUrl('finance'), { method: 'POST', headers, body });
  return { ...((await res.json()) as GqlResult), status: res.status };
}

interface TestLoan {
  id: string;
  orderId: string;
  principalFen: bigint;
  schedule: NewInstalment[];
}

let loanCounter = 0;
/** Writes a loan with its schedule into finance's tables; the first `paid` instalments are PAID. */
async function addLoan(opts: { userId: string; principalFen: bigint; annualRateBps: number; termMonths: number; paid: number; kind?: FinanceKind; openedAt?: Date }): Promise<TestLoan> {
  const n = ++loanCounter;
  const id = `loan-test${n}`;
  const orderId = `ord-test${n}`;
  const openedAt = opts.openedAt ?? addDays(new Date(), -1);
  const schedule: NewInstalment[] = buildSchedule({ principalFen: opts.principalFen, annualRateBps: opts.annualRateBps, termMonths: opts.termMonths, openedAt }).map((s, i) => ({
    ...s,
    id: `inst-test${n}-${s.sequence}`,
    loanId: id,
    status: i < opts.paid ? 'PAID' : 'DUE',
    paidAt: i < opts.paid ? new Date(openedAt.getTime() + (i + 1) * 60_000) : null,
  }));
  const allPaid = opts.paid >= opts.termMonths;
  await writeFinanceRows(g.db, {
    loans: [
      {
        id,
        kind: opts.kind ?? 'LOAN',
        orderId,
        userId: opts.userId,
        principalFen: opts.principalFen,
        annualRateBps: opts.annualRateBps,
        termMonths: opts.termMonths,
        openedAt,
        status: allPaid ? 'PAID_OFF' : 'ACTIVE',
        paidOffAt: allPaid ? schedule[schedule.length - 1].paidAt : null,
      },
    ],
    instalments: schedule,
    policies: [],
  });
  return { id, orderId, principalFen: opts.principalFen, schedule };
}

async function addPolicies(policies: NewPolicy[]): Promise<void> {
  await writeFinanceRows(g.db, { loans: [], instalments: [], policies });
}

const LOAN = `
  query L($id: ID!) {
    loan(id: $id) {
      id kind userId status termMonths annualRateBps openedAt paidOffAt
      order { id }
      borrower { id }
      principal { amount currency }
      outstandingPrincipal { amount }
      totalInterest { amount }
      totalPaid { amount }
      nextInstalment { id sequence amount { amount } }
      schedule { id sequence status dueDate paidAt amount { amount } principalPart { amount } interestPart { amount } loan { id } }
    }
  }`;

const PAY = `mutation P($id: ID!, $amount: Decimal!) { payInstalment(instalmentId: $id, amount: $amount) { id sequence status paidAt amount { amount } loan { id status outstandingPrincipal { amount } nextInstalment { id } } } }`;


beforeAll(async () => {
  g = await startTestGraph();
});

afterAll(async () => {
  await g?.stop();
});

describe('reading loans', () => {
  let loan: TestLoan;
  beforeAll(async () => {
    loan = await addLoan({ userId: 'fin-reader', principalFen: 10_000_000n, annualRateBps: 399, termMonths: 36, paid: 3 });
  });

  test('a customer reads their loan: the schedule matches the annuity, principal parts sum to the principal, outstanding = principal − paid principal parts', async () => {
    const r = await g.gql(LOAN, { id: loan.id }, as.customer('fin-reader'));
    expect(r.errors).toBeUndefined();
    const l = r.data.loan;
    expect(l).toMatchObject({ id: loan.id, kind: 'LOAN', userId: 'fin-reader', status: 'ACTIVE', termMonths: 36, annualRateBps: 399, paidOffAt: null });
    expect(l.order).toEqual({ id: loan.orderId });
    expect(l.borrower).toEqual({ id: 'fin-reader' });
    expect(l.principal).toEqual({ amount: '100000.00', currency: 'CNY' });
    expect(l.schedule).toHaveLength(36);
    expect(l.schedule[0].amount.amount).toBe('2951.95');
    expect(l.schedule[0].interestPart.amount).toBe('332.50');
    const principalSum = l.schedule.reduce((s: bigint, i: any) => s + fen(i.principalPart.amount), 0n);
    expect(principalSum).toBe(10_000_000n);
    for (const i of l.schedule) expect(fen(i.amount.amount)).toBe(fen(i.principalPart.amount) + fen(i.interestPart.amount));
    const paidPrincipal = l.schedule.slice(0, 3).reduce((s: bigint, i: any) => s + fen(i.principalPart.amount), 0n);
    expect(fen(l.outstandingPrincipal.amount)).toBe(10_000_000n - paidPrincipal);
    expect(fen(l.totalInterest.amount)).toBe(l.schedule.reduce((s: bigint, i: any) => s + fen(i.interestPart.amount), 0n));
    expect(l.totalPaid.amount).toBe(formatFen(3n * 295_195n));
    expect(l.nextInstalment).toEqual({ id: loan.schedule[3].id, sequence: 4, amount: { amount: '2951.95' } });
    expect(l.schedule.map((i: any) => i.status)).toEqual([...Array(3).fill('PAID'), ...Array(33).fill('DUE')]);
    expect(l.schedule[3].paidAt).toBeNull();
    expect(l.schedule.every((i: any) => i.loan.id === loan.id)).toBe(true);
  });

  test("another customer's loan is NOT_FOUND like an unknown id, a malformed id BAD_USER_INPUT, no token UNAUTHENTICATED", async () => {
    expect(codeOf(await g.gql(LOAN, { id: loan.id }, as.customer('fin-someone-else')))).toBe('NOT_FOUND');
    expect(codeOf(await g.gql(LOAN, { id: 'loan-doesnotexist' }, as.customer('fin-reader')))).toBe('NOT_FOUND');
    expect(codeOf(await g.gql(LOAN, { id: 'loan with spaces; drop' }, as.customer('fin-reader')))).toBe('BAD_USER_INPUT');
    expect(codeOf(await g.gql(LOAN, { id: 'x'.repeat(65) }, as.customer('fin-reader')))).toBe('BAD_USER_INPUT');
    expect(codeOf(await g.gql(LOAN, { id: loan.id }, null))).toBe('UNAUTHENTICATED');
  });

  test('a partner of any organisation cannot read a customer loan; admins can; analysts can with the borrower pseudonymised', async () => {
    expect(codeOf(await g.gql(LOAN, { id: loan.id }, as.partner('p-1', 'pingan-insurance')))).toBe('GRAPHQL_VALIDATION_FAILED'); // outside the partner contract: refused at the gateway like an unknown field
    expect((await g.gql(LOAN, { id: loan.id }, as.admin())).data.loan).toMatchObject({ id: loan.id, userId: 'fin-reader' });
    const analyst = (await g.gql(LOAN, { id: loan.id }, as.analyst())).data.loan;
    expect(analyst.id).toBe(loan.id);
    expect(analyst.userId).toMatch(/^anon-[0-9a-f]{20}$/);
    expect(analyst.borrower).toEqual({ id: analyst.userId });
    // Stable: another loan of the same person carries the same pseudonym.
    const second = await addLoan({ userId: 'fin-reader', principalFen: 100_000n, annualRateBps: 0, termMonths: 12, paid: 0 });
    expect((await g.gql(LOAN, { id: second.id }, as.analyst())).data.loan.userId).toBe(analyst.userId);
  });

  test('me.loans pages newest first with cursors; first outside 1..100 and a foreign cursor are BAD_USER_INPUT', async () => {
    const older = await addLoan({ userId: 'fin-pager', principalFen: 500_000n, annualRateBps: 0, termMonths: 12, paid: 0, openedAt: addDays(new Date(), -30) });
    const newer = await addLoan({ userId: 'fin-pager', principalFen: 700_000n, annualRateBps: 199, termMonths: 24, paid: 0, openedAt: addDays(new Date(), -2) });
    const PAGE = `query($first: Int, $after: String) { me { loans(first: $first, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } } }`;
    const p1 = await g.gql(PAGE, { first: 1 }, as.customer('fin-pager'));
    expect(p1.data.me.loans.edges.map((e: any) => e.node.id)).toEqual([newer.id]);
    expect(p1.data.me.loans.pageInfo.hasNextPage).toBe(true);
    const p2 = await g.gql(PAGE, { first: 1, after: p1.data.me.loans.pageInfo.endCursor }, as.customer('fin-pager'));
    expect(p2.data.me.loans.edges.map((e: any) => e.node.id)).toEqual([older.id]);
    expect(p2.data.me.loans.pageInfo).toEqual({ hasNextPage: false, endCursor: p2.data.me.loans.edges[0].cursor });
    expect(codeOf(await g.gql(PAGE, { first: 101 }, as.customer('fin-pager')))).toBe('BAD_USER_INPUT');
    expect(codeOf(await g.gql(PAGE, { first: 0 }, as.customer('fin-pager')))).toBe('BAD_USER_INPUT');
    expect(codeOf(await g.gql(PAGE, { first: 1, after: 'bm90LWEtY3Vyc29y' }, as.customer('fin-pager')))).toBe('BAD_USER_INPUT');
    const empty = await g.gql(PAGE, {}, as.customer('fin-nobody'));
    expect(empty.data.me.loans).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });

  test('the subgraph itself refuses a customer reading someone else’s Loan or Instalment (NOT_FOUND) or User.loans (FORBIDDEN) through _entities', async () => {
    const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Loan { id } ... on Instalment { id } ... on User { loans { edges { node { id } } } } } }`;
    const cases: Array<[Record<string, string>, string]> = [
      [{ __typename: 'Loan', id: loan.id }, 'NOT_FOUND'],
      [{ __typename: 'Instalment', id: loan.schedule[0].id }, 'NOT_FOUND'],
      [{ __typename: 'User', id: 'fin-reader' }, 'FORBIDDEN'],
    ];
    for (const [rep, code] of cases) {
      const r = await direct(ENTITIES, { r: [rep] }, as.customer('fin-intruder'));
      expect([rep.__typename, codeOf(r)]).toEqual([rep.__typename, code]);
    }
    const own = await direct(ENTITIES, { r: [{ __typename: 'Loan', id: loan.id }] }, as.customer('fin-reader'));
    expect(own.data?._entities).toEqual([{ id: loan.id }]);
  });

  test('Order.loan resolves the loan financing an order for its borrower and is null for an unfinanced order', async () => {
    const ORDER_LOAN = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id loan { id } } } }`;
    const r = await direct(ORDER_LOAN, { r: [{ __typename: 'Order', id: loan.orderId }, { __typename: 'Order', id: 'ord-cash' }] }, as.customer('fin-reader'));
    expect(r.data?._entities).toEqual([{ id: loan.orderId, loan: { id: loan.id } }, { id: 'ord-cash', loan: null }]);
    expect(codeOf(await direct(ORDER_LOAN, { r: [{ __typename: 'Order', id: loan.orderId }] }, as.customer('fin-intruder')))).toBe('FORBIDDEN');
  });

  test('loans, schedules and positions are batched: the statement count does not grow with the number of loans', async () => {
    const Q = `{ me { loans(first: 50) { edges { node { id order { loan { id } } schedule { id amount { amount } } outstandingPrincipal { amount } totalInterest { amount } nextInstalment { id } } } } } }`;
    await addLoan({ userId: 'fin-batch-few', principalFen: 1_000_000n, annualRateBps: 399, termMonths: 12, paid: 1 });
    for (let i = 0; i < 6; i++) await addLoan({ userId: 'fin-batch-many', principalFen: 1_000_000n + BigInt(i), annualRateBps: 399, termMonths: 24, paid: i });
    const count = async (user: string) => {
      const before = g.db.statementCount;
      const r = await g.gql(Q, {}, as.customer(user));
      expect(r.errors).toBeUndefined();
      return { statements: g.db.statementCount - before, loans: r.data.me.loans.edges.length };
    };
    const few = await count('fin-batch-few');
    const many = await count('fin-batch-many');
    expect([few.loans, many.loans]).toEqual([1, 6]);
    expect(many.statements).toBe(few.statements);
  });
});

describe('payInstalment', () => {
  test('paying the next instalment with its exact amount marks it PAID and lowers the outstanding principal by its principal part', async () => {
    const loan = await addLoan({ userId: 'fin-payer', principalFen: 2_698_000n, annualRateBps: 299, termMonths: 24, paid: 0 });
    const first = loan.schedule[0];
    const r = await g.gql(PAY, { id: first.id, amount: formatFen(first.amountFen) }, as.customer('fin-payer'));
    expect(r.errors).toBeUndefined();
    expect(r.data.payInstalment).toMatchObject({ id: first.id, sequence: 1, status: 'PAID', amount: { amount: formatFen(first.amountFen) } });
    expect(new Date(r.data.payInstalment.paidAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(r.data.payInstalment.loan).toEqual({
      id: loan.id,
      status: 'ACTIVE',
      outstandingPrincipal: { amount: formatFen(2_698_000n - first.principalFen) },
      nextInstalment: { id: loan.schedule[1].id },
    });
  });

  test('a wrong amount is BAD_USER_INPUT stating the amount due; negative, float, three-decimal and oversized amounts are refused', async () => {
    const loan = await addLoan({ userId: 'fin-payer', principalFen: 1_000_000n, annualRateBps: 399, termMonths: 12, paid: 0 });
    const first = loan.schedule[0];
    const due = formatFen(first.amountFen);
    const wrong = await g.gql(PAY, { id: first.id, amount: formatFen(first.amountFen + 1n) }, as.customer('fin-payer'));
    expect(codeOf(wrong)).toBe('BAD_USER_INPUT');
    expect(messageOf(wrong)).toContain(due);
    expect(wrong.errors?.[0].extensions?.field).toBe('amount');
    for (const amount of ['-1.00', `-${due}`]) expect(codeOf(await g.gql(PAY, { id: first.id, amount }, as.customer('fin-payer')))).toBe('BAD_USER_INPUT');
    for (const amount of [Number(due), '851.111', '1e3', 'abc', '', '99999999999999999.00']) {
      expect(codeOf(await g.gql(PAY, { id: first.id, amount }, as.customer('fin-payer')))).toBe('BAD_USER_INPUT');
    }
    // An inline float literal never reaches the subgraph: the gateway refuses the document.
    const literal = await g.gql(`mutation { payInstalment(instalmentId: "${first.id}", amount: 851.11) { id } }`, {}, as.customer('fin-payer'));
    expect(codeOf(literal)).toBe('GRAPHQL_VALIDATION_FAILED');
    const after = await g.gql(LOAN, { id: loan.id }, as.customer('fin-payer'));
    expect(after.data.loan.schedule[0].status).toBe('DUE');
  });

  test('instalments are paid in order: paying a later one first is CONFLICT naming the one to pay', async () => {
    const loan = await addLoan({ userId: 'fin-payer', principalFen: 1_200_000n, annualRateBps: 0, termMonths: 12, paid: 0 });
    const r = await g.gql(PAY, { id: loan.schedule[2].id, amount: formatFen(loan.schedule[2].amountFen) }, as.customer('fin-payer'));
    expect(codeOf(r)).toBe('CONFLICT');
    expect(messageOf(r)).toContain(loan.schedule[0].id);
  });

  test('paying the same instalment twice at once: exactly one succeeds, the other is CONFLICT, and it is paid once', async () => {
    const loan = await addLoan({ userId: 'fin-racer', principalFen: 3_333_333n, annualRateBps: 450, termMonths: 36, paid: 0 });
    const first = loan.schedule[0];
    const vars = { id: first.id, amount: formatFen(first.amountFen) };
    const results = await Promise.all(Array.from({ length: 4 }, () => g.gql(PAY, vars, as.customer('fin-racer'))));
    expect(results.filter((r) => !r.errors).length).toBe(1);
    expect(results.filter((r) => codeOf(r) === 'CONFLICT').length).toBe(3);
    const again = await g.gql(PAY, vars, as.customer('fin-racer'));
    expect(codeOf(again)).toBe('CONFLICT');
    const l = (await g.gql(LOAN, { id: loan.id }, as.customer('fin-racer'))).data.loan;
    expect(l.totalPaid.amount).toBe(formatFen(first.amountFen));
  });

  test('paying the last two instalments of a loan at once pays it off exactly once (payments on one loan are serialised)', async () => {
    const loan = await addLoan({ userId: 'fin-payoff', principalFen: 1_000_003n, annualRateBps: 3600, termMonths: 12, paid: 10 });
    const [eleventh, twelfth] = loan.schedule.slice(10);
    const results = await Promise.all([
      g.gql(PAY, { id: eleventh.id, amount: formatFen(eleventh.amountFen) }, as.customer('fin-payoff')),
      g.gql(PAY, { id: twelfth.id, amount: formatFen(twelfth.amountFen) }, as.customer('fin-payoff')),
    ]);
    // Either order is possible; the eleventh always succeeds, the twelfth succeeds only if it ran second.
    expect(results[0].errors).toBeUndefined();
    if (results[1].errors) {
      expect(codeOf(results[1])).toBe('CONFLICT');
      const last = await g.gql(PAY, { id: twelfth.id, amount: formatFen(twelfth.amountFen) }, as.customer('fin-payoff'));
      expect(last.errors).toBeUndefined();
    }
    const l = (await g.gql(LOAN, { id: loan.id }, as.customer('fin-payoff'))).data.loan;
    expect(l.status).toBe('PAID_OFF');
    expect(l.paidOffAt).not.toBeNull();
    expect(l.nextInstalment).toBeNull();
    expect(l.outstandingPrincipal.amount).toBe('0.00');
    expect(fen(l.totalPaid.amount)).toBe(loan.schedule.reduce((s, i) => s + i.amountFen, 0n));
    expect(codeOf(await g.gql(PAY, { id: twelfth.id, amount: formatFen(twelfth.amountFen) }, as.customer('fin-payoff')))).toBe('CONFLICT');
  });

  test("another customer's instalment is NOT_FOUND (without revealing its amount); partners, analysts and admins cannot pay; no token is UNAUTHENTICATED", async () => {
    const loan = await addLoan({ userId: 'fin-victim', principalFen: 1_000_000n, annualRateBps: 399, termMonths: 12, paid: 0 });
    const first = loan.schedule[0];
    const wrongAmount = await g.gql(PAY, { id: first.id, amount: '1.00' }, as.customer('fin-thief'));
    expect(codeOf(wrongAmount)).toBe('NOT_FOUND');
    expect(messageOf(wrongAmount)).not.toContain(formatFen(first.amountFen));
    expect(codeOf(await g.gql(PAY, { id: first.id, amount: formatFen(first.amountFen) }, as.customer('fin-thief')))).toBe('NOT_FOUND');
    for (const who of [as.partner('p-1', 'pingan-insurance'), as.analyst(), as.admin()]) {
      // A partner does not get that far: payInstalment is outside the partner contract, refused at the gateway like an unknown field.
      expect(codeOf(await g.gql(PAY, { id: first.id, amount: formatFen(first.amountFen) }, who))).toBe(who.role === 'partner' ? 'GRAPHQL_VALIDATION_FAILED' : 'FORBIDDEN');
    }
    expect(codeOf(await g.gql(PAY, { id: first.id, amount: formatFen(first.amountFen) }, null))).toBe('UNAUTHENTICATED');
    const l = (await g.gql(LOAN, { id: loan.id }, as.customer('fin-victim'))).data.loan;
    expect(l.schedule[0].status).toBe('DUE');
  });

  test('an unknown instalment is NOT_FOUND and a malformed id BAD_USER_INPUT', async () => {
    expect(codeOf(await g.gql(PAY, { id: 'inst-nope', amount: '1.00' }, as.customer('fin-payer')))).toBe('NOT_FOUND');
    const malformed = await g.gql(PAY, { id: 'inst nope!', amount: '1.00' }, as.customer('fin-payer'));
    expect(codeOf(malformed)).toBe('BAD_USER_INPUT');
    expect(malformed.errors?.[0].extensions?.field).toBe('instalmentId');
  });
});

describe('insurance reads', () => {
  const VIN = 'LGBH52E05PY000001';
  beforeAll(async () => {
    const now = Date.now();
    const day = 86_400_000;
    await addPolicies([
      { id: 'pol-test-old', vin: VIN, userId: 'fin-insured', productId: 'insp-pingan-compulsory', premiumFen: 95_000n, startsAt: new Date(now - 500 * day), endsAt: new Date(now - 135 * day), purchasedAt: new Date(now - 500 * day) },
      { id: 'pol-test-now', vin: VIN, userId: 'fin-insured', productId: 'insp-pingan-commercial', premiumFen: 568_000n, startsAt: new Date(now - 100 * day), endsAt: new Date(now + 265 * day), purchasedAt: new Date(now - 100 * day) },
      { id: 'pol-test-next', vin: VIN, userId: 'fin-insured', productId: 'insp-picc-compulsory', premiumFen: 95_000n, startsAt: new Date(now + 265 * day), endsAt: new Date(now + 630 * day), purchasedAt: new Date(now - 1 * day) },
      { id: 'pol-test-prev-owner', vin: VIN, userId: 'fin-previous-owner', productId: 'insp-cpic-compulsory', premiumFen: 95_000n, startsAt: new Date(now - 900 * day), endsAt: new Date(now - 535 * day), purchasedAt: new Date(now - 900 * day) },
    ]);
  });

  test('insuranceProducts is public and pages through every product in id order with its premium', async () => {
    const Q = `query($after: String) { insuranceProducts(first: 4, after: $after) { edges { node { id insurerOrg insurerName kind name annualPremium { amount currency } } } pageInfo { hasNextPage endCursor } } }`;
    const p1 = await g.gql(Q, {}, null);
    expect(p1.errors).toBeUndefined();
    expect(p1.data.insuranceProducts.pageInfo.hasNextPage).toBe(true);
    const p2 = await g.gql(Q, { after: p1.data.insuranceProducts.pageInfo.endCursor }, null);
    const all = [...p1.data.insuranceProducts.edges, ...p2.data.insuranceProducts.edges].map((e: any) => e.node);
    expect(all).toHaveLength(6);
    expect(all.map((p: any) => p.id)).toEqual([...all.map((p: any) => p.id)].sort());
    expect(all.find((p: any) => p.id === 'insp-pingan-compulsory')).toEqual({
      id: 'insp-pingan-compulsory',
      insurerOrg: 'pingan-insurance',
      insurerName: 'Ping An Property & Casualty',
      kind: 'COMPULSORY',
      name: 'Compulsory traffic accident liability',
      annualPremium: { amount: '950.00', currency: 'CNY' },
    });
    expect(codeOf(await g.gql(Q, { after: 'garbage' }, null))).toBe('BAD_USER_INPUT');
  });

  test('me.insurancePolicies lists the policies a customer bought, newest purchase first, with status from the dates', async () => {
    const Q = `{ me { insurancePolicies(first: 10) { edges { node { id status product insurerOrg premium { amount } vehicle { vin } holder { id } insuranceProduct { id } startsAt endsAt } } } } }`;
    const r = await g.gql(Q, {}, as.customer('fin-insured'));
    expect(r.errors).toBeUndefined();
    const nodes = r.data.me.insurancePolicies.edges.map((e: any) => e.node);
    expect(nodes.map((n: any) => [n.id, n.status])).toEqual([
      ['pol-test-next', 'UPCOMING'],
      ['pol-test-now', 'ACTIVE'],
      ['pol-test-old', 'EXPIRED'],
    ]);
    expect(nodes[1]).toMatchObject({ product: 'COMMERCIAL', insurerOrg: 'pingan-insurance', premium: { amount: '5680.00' }, vehicle: { vin: VIN }, holder: { id: 'fin-insured' }, insuranceProduct: { id: 'insp-pingan-commercial' } });
  });

  test('Vehicle.insurancePolicies shows a customer only the policies they bought on it; an analyst sees all', async () => {
    const Q = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Vehicle { vin insurancePolicies { id } } } }`;
    const rep = { r: [{ __typename: 'Vehicle', vin: VIN }] };
    const mine = await direct(Q, rep, as.customer('fin-insured'));
    expect(mine.data?._entities[0].insurancePolicies.map((p: any) => p.id)).toEqual(['pol-test-old', 'pol-test-now', 'pol-test-next']);
    const analyst = await direct(Q, rep, as.analyst());
    expect(analyst.data?._entities[0].insurancePolicies.map((p: any) => p.id)).toEqual(['pol-test-prev-owner', 'pol-test-old', 'pol-test-now', 'pol-test-next']);
    expect((await direct(Q, rep, as.customer('fin-stranger'))).data?._entities[0].insurancePolicies).toEqual([]);
    expect(codeOf(await direct(Q, rep, null))).toBe('UNAUTHENTICATED');
  });

  test("another customer's policy is NOT_FOUND, like an unknown one", async () => {
    const Q = `query($id: ID!) { insurancePolicy(id: $id) { id premium { amount } } }`;
    expect((await g.gql(Q, { id: 'pol-test-now' }, as.customer('fin-insured'))).data.insurancePolicy).toEqual({ id: 'pol-test-now', premium: { amount: '5680.00' } });
    expect(codeOf(await g.gql(Q, { id: 'pol-test-now' }, as.customer('fin-stranger')))).toBe('NOT_FOUND');
    expect(codeOf(await g.gql(Q, { id: 'pol-missing' }, as.customer('fin-insured')))).toBe('NOT_FOUND');
    expect(codeOf(await g.gql(Q, { id: 'pol-test-now' }, null))).toBe('UNAUTHENTICATED');
  });
});

describe('mutations refuse bad callers and bad input before asking the orders subgraph', () => {
  const OPEN = `mutation O($input: OpenLoanInput!) { openLoan(input: $input) { id } }`;
  const BUY = `mutation B($input: BuyInsuranceInput!) { buyInsurance(input: $input) { id } }`;
  const okLoan = { orderId: 'ord-whatever', kind: 'LOAN', termMonths: 36, annualRateBps: 399 };

  test('openLoan: no token UNAUTHENTICATED; partner, analyst and admin FORBIDDEN', async () => {
    expect(codeOf(await g.gql(OPEN, { input: okLoan }, null))).toBe('UNAUTHENTICATED');
    // A partner does not get that far: openLoan is outside the partner contract, refused at the gateway like an unknown field.
    for (const who of [as.partner('p-1', 'gac-aion'), as.analyst(), as.admin()]) expect(codeOf(await g.gql(OPEN, { input: okLoan }, who))).toBe(who.role === 'partner' ? 'GRAPHQL_VALIDATION_FAILED' : 'FORBIDDEN');
  });

  test('openLoan: a term other than 12/24/36/48/60, a rate outside 0..3600 bps, a malformed order id or an unknown kind is BAD_USER_INPUT naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string | undefined]> = [
      [{ termMonths: 13 }, 'termMonths'],
      [{ termMonths: 0 }, 'termMonths'],
      [{ termMonths: -12 }, 'termMonths'],
      [{ annualRateBps: 3601 }, 'annualRateBps'],
      [{ annualRateBps: -1 }, 'annualRateBps'],
      [{ orderId: 'ord with space' }, 'orderId'],
      [{ orderId: '' }, 'orderId'],
    ];
    for (const [patch, field] of cases) {
      const r = await g.gql(OPEN, { input: { ...okLoan, ...patch } }, as.customer('fin-borrower'));
      expect([patch, codeOf(r), r.errors?.[0].extensions?.field]).toEqual([patch, 'BAD_USER_INPUT', field]);
    }
    for (const patch of [{ kind: 'MORTGAGE' }, { annualRateBps: 3.99 }, { termMonths: '36' }, { annualRateBps: 2 ** 40 }]) {
      expect(codeOf(await g.gql(OPEN, { input: { ...okLoan, ...patch } }, as.customer('fin-borrower')))).toBe('BAD_USER_INPUT');
    }
  });

  test('buyInsurance: no token UNAUTHENTICATED, non-customers FORBIDDEN, a malformed VIN BAD_USER_INPUT, an unknown product NOT_FOUND', async () => {
    const ok = { vin: 'LGBH52E05PY000001', productId: 'insp-pingan-compulsory' };
    expect(codeOf(await g.gql(BUY, { input: ok }, null))).toBe('UNAUTHENTICATED');
    // A partner does not get that far: buyInsurance is outside the partner contract, refused at the gateway like an unknown field.
    for (const who of [as.partner('p-1', 'pingan-insurance'), as.analyst(), as.admin()]) expect(codeOf(await g.gql(BUY, { input: ok }, who))).toBe(who.role === 'partner' ? 'GRAPHQL_VALIDATION_FAILED' : 'FORBIDDEN');
    for (const vin of ['SHORT', 'LGBH52E05PY00000I', 'LGBH52E05PY0000011', '']) {
      const r = await g.gql(BUY, { input: { ...ok, vin } }, as.customer('fin-buyer'));
      expect([vin, codeOf(r), r.errors?.[0].extensions?.field]).toEqual([vin, 'BAD_USER_INPUT', 'vin']);
    }
    expect(codeOf(await g.gql(BUY, { input: { ...ok, productId: 'insp-nope' } }, as.customer('fin-buyer')))).toBe('NOT_FOUND');
    expect(codeOf(await g.gql(BUY, { input: { ...ok, productId: 'insp nope' } }, as.customer('fin-buyer')))).toBe('BAD_USER_INPUT');
  });
});

describe('identity', () => {
  test('a direct call to the finance subgraph with a forged identity header is UNAUTHENTICATED', async () => {
    const forged = Buffer.from(JSON.stringify({ sub: 'fin-reader', role: 'admin', exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url') + '.bm90LWEtc2lnbmF0dXJl';
    const signedElsewhere = await tokenSignedByAnotherKey('finance', { sub: 'fin-reader', role: 'admin' }, { query: `{ insuranceProducts { edges { node { id } } } }`, variables: {} });
    for (const header of [forged, 'garbage', signedElsewhere]) {
      const r = await direct(`{ insuranceProducts { edges { node { id } } } }`, {}, null, header);
      expect(codeOf(r)).toBe('UNAUTHENTICATED');
      expect(r.data ?? null).toBeNull();
    }
  });

  test('an anonymous caller signed by the gateway cannot read loans', async () => {
    const r = await direct(`query($r: [_Any!]!) { _entities(representations: $r) { ... on User { loans { edges { node { id } } } } } }`, { r: [{ __typename: 'User', id: 'fin-reader' }] }, null);
    expect(codeOf(r)).toBe('UNAUTHENTICATED');
  });
});

describe('spending contribution', () => {
  test('each paid instalment and each premium is counted once: LOAN_INSTALMENT and INSURANCE totals equal what was paid, and lines link to what they paid for', async () => {
    const user = 'fin-spender';
    const loan = await addLoan({ userId: user, principalFen: 8_680_000n, annualRateBps: 299, termMonths: 36, paid: 5, kind: 'LEASE' });
    const now = Date.now();
    await addPolicies([
      { id: 'pol-spend-1', vin: 'LGBH52E05PY000777', userId: user, productId: 'insp-cpic-compulsory', premiumFen: 95_000n, startsAt: new Date(now - 3_600_000), endsAt: new Date(now + 365 * 86_400_000), purchasedAt: new Date(now - 3_600_000) },
      { id: 'pol-spend-2', vin: 'LGBH52E05PY000777', userId: user, productId: 'insp-cpic-commercial', premiumFen: 553_000n, startsAt: new Date(now - 3_600_000), endsAt: new Date(now + 365 * 86_400_000), purchasedAt: new Date(now - 3_500_000) },
    ]);
    // Pay the sixth instalment through the graph so a live payment is counted too.
    const sixth = loan.schedule[5];
    expect((await g.gql(PAY, { id: sixth.id, amount: formatFen(sixth.amountFen) }, as.customer(user))).errors).toBeUndefined();

    const paidFen = loan.schedule.slice(0, 6).reduce((s, i) => s + i.amountFen, 0n);
    const Q = `{ me { spending {
      total { amount }
      byCategory { category total { amount } }
      lineCount
      lines(first: 100) { edges { node { category description amount { amount } paidFor { __typename ... on Instalment { id sequence amount { amount } } ... on InsurancePolicy { id premium { amount } } } } } pageInfo { hasNextPage } }
    } } }`;
    const r = await g.gql(Q, {}, as.customer(user));
    expect(r.errors).toBeUndefined();
    const s = r.data.me.spending;
    const byCategory = Object.fromEntries(s.byCategory.map((c: any) => [c.category, c.total.amount]));
    expect(byCategory).toEqual({ LOAN_INSTALMENT: formatFen(paidFen), INSURANCE: '6480.00' });
    expect(s.total.amount).toBe(formatFen(paidFen + 648_000n));
    expect(s.lineCount).toBe(8);
    const lines = s.lines.edges.map((e: any) => e.node);
    expect(lines).toHaveLength(8);
    expect(lines.reduce((t: bigint, l: any) => t + fen(l.amount.amount), 0n)).toBe(paidFen + 648_000n);
    const instalmentLines = lines.filter((l: any) => l.category === 'LOAN_INSTALMENT');
    expect(instalmentLines.map((l: any) => l.paidFor.sequence).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    for (const l of instalmentLines) {
      expect(l.paidFor.__typename).toBe('Instalment');
      expect(l.amount.amount).toBe(l.paidFor.amount.amount);
      expect(l.description).toBe(`Lease instalment ${l.paidFor.sequence}/36`);
    }
    const premiumLines = lines.filter((l: any) => l.category === 'INSURANCE');
    expect(premiumLines.map((l: any) => [l.paidFor.id, l.amount.amount, l.paidFor.premium.amount]).sort()).toEqual([
      ['pol-spend-1', '950.00', '950.00'],
      ['pol-spend-2', '5530.00', '5530.00'],
    ]);
    // The principal itself is never a spending line: only what was repaid so far.
    expect(lines.some((l: any) => l.amount.amount === '86800.00')).toBe(false);
  });
});
