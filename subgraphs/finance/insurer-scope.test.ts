/**
 * An insurer is party to the policies it underwrote, through the gateway: its partners read them one
 * by one and list them page by page, and never see another insurer's. Policies are written straight
 * into finance's tables (buying one through orders is in `orders-flow.test.ts`).
 */
import { as, startTestGraph, type TestGraph } from '../../testing/harness';
import { codeOf, ok } from '../../testing/assertions';
import { writeFinanceRows } from './seed';

let g: TestGraph;

const PINGAN = as.partner('underwriter-1', 'pingan-insurance');
const PICC = as.partner('underwriter-2', 'picc-insurance');
const day = 86_400_000;
const now = Date.now();
/** Three Ping An policies (two holders) and one PICC policy, bought a day apart, newest last. */
const POLICIES = [
  { id: 'pol-ins-1', userId: 'ins-holder-a', productId: 'insp-pingan-compulsory', premiumFen: 95_000n },
  { id: 'pol-ins-2', userId: 'ins-holder-a', productId: 'insp-pingan-commercial', premiumFen: 568_000n },
  { id: 'pol-ins-3', userId: 'ins-holder-b', productId: 'insp-pingan-compulsory', premiumFen: 95_000n },
  { id: 'pol-ins-4', userId: 'ins-holder-b', productId: 'insp-picc-commercial', premiumFen: 542_000n },
].map((p, i) => ({ ...p, vin: 'LGBH52E05PY000999', startsAt: new Date(now - (10 - i) * day), endsAt: new Date(now + 300 * day), purchasedAt: new Date(now - (10 - i) * day) }));

beforeAll(async () => {
  g = await startTestGraph();
  await writeFinanceRows(g.db, { loans: [], instalments: [], policies: POLICIES });
});
afterAll(async () => {
  await g?.stop();
});

const ONE = `query($id: ID!) { insurancePolicy(id: $id) { id insurerOrg userId premium { amount } vehicle { vin } } }`;
const LIST = `query($first: Int, $after: String, $org: String) {
  underwrittenPolicies(first: $first, after: $after, insurerOrg: $org) { edges { node { id insurerOrg } } pageInfo { hasNextPage endCursor } }
}`;

test('an insurer reads a policy it underwrote', async () => {
  const p = ok(await g.gql(ONE, { id: 'pol-ins-2' }, PINGAN)).insurancePolicy;
  expect(p).toEqual({ id: 'pol-ins-2', insurerOrg: 'pingan-insurance', userId: 'ins-holder-a', premium: { amount: '5680.00' }, vehicle: { vin: 'LGBH52E05PY000999' } });
});

test("an insurer may not read another insurer's policy, nor may a partner of any other organisation", async () => {
  expect(codeOf(await g.gql(ONE, { id: 'pol-ins-4' }, PINGAN))).toBe('NOT_FOUND');
  expect(codeOf(await g.gql(ONE, { id: 'pol-ins-1' }, PICC))).toBe('NOT_FOUND');
  expect(codeOf(await g.gql(ONE, { id: 'pol-ins-1' }, as.partner('store-1', 'jd-auto-care')))).toBe('NOT_FOUND');
  expect(ok(await g.gql(ONE, { id: 'pol-ins-4' }, PICC)).insurancePolicy.insurerOrg).toBe('picc-insurance');
});

test('an insurer lists its own policies, newest purchase first, page by page, and none of the others', async () => {
  const page1 = ok(await g.gql(LIST, { first: 2 }, PINGAN)).underwrittenPolicies;
  expect(page1.edges.map((e: any) => e.node.id)).toEqual(['pol-ins-3', 'pol-ins-2']);
  expect(page1.pageInfo.hasNextPage).toBe(true);
  const page2 = ok(await g.gql(LIST, { first: 2, after: page1.pageInfo.endCursor }, PINGAN)).underwrittenPolicies;
  expect(page2.edges.map((e: any) => e.node.id)).toEqual(['pol-ins-1']);
  expect(page2.pageInfo.hasNextPage).toBe(false);
  expect(ok(await g.gql(LIST, {}, PICC)).underwrittenPolicies.edges.map((e: any) => e.node.id)).toEqual(['pol-ins-4']);
});

test("the list is refused for another insurer's name, customers and anonymous callers; an admin names the insurer", async () => {
  expect(codeOf(await g.gql(LIST, { org: 'picc-insurance' }, PINGAN))).toBe('FORBIDDEN');
  expect(codeOf(await g.gql(LIST, {}, as.customer('ins-holder-a')))).toBe('FORBIDDEN');
  expect(codeOf(await g.gql(LIST, {}, null))).toBe('UNAUTHENTICATED');
  expect(ok(await g.gql(LIST, { org: 'pingan-insurance' }, as.admin())).underwrittenPolicies.edges).toHaveLength(3);
  const r = await g.gql(LIST, {}, as.admin());
  expect([codeOf(r), r.errors?.[0].extensions?.field]).toEqual(['BAD_USER_INPUT', 'insurerOrg']);
});

