/**
 * A trade-in is asked of one dealer (the manufacturer whose car the customer means to buy), through the
 * gateway: only that organisation sees the request and may appraise it. Any other partner finds nothing
 * (NOT_FOUND, as for a trade-in that does not exist), so it can neither read the owner's free text nor
 * block the trade-in with a token appraisal.
 */
import { randomUUID } from 'node:crypto';
import { APPRAISE, PLACE_ORDER, REQUEST_TRADE_IN, startOrdersGraph, type OrdersTestGraph } from '../../testing/orders';
import { as } from '../../testing/harness';
import { codeOf, ok } from '../../testing/assertions';
import { freshUser } from '../../testing/fresh-ids';

let t: OrdersTestGraph;
beforeAll(async () => {
  t = await startOrdersGraph();
});
afterAll(async () => {
  await t?.g.stop();
});

const READ = `query($id: ID!) { tradeIn(id: $id) { id status description dealerOrg } }`;
const QUEUE = `{ tradeInsAwaitingAppraisal(first: 100) { edges { node { id description } } } }`;
const queueIds = async (who: ReturnType<typeof as.partner>) => ok(await t.g.gql(QUEUE, {}, who)).tradeInsAwaitingAppraisal.edges.map((e: any) => e.node.id);

/** A new customer's trade-in asked of `dealerOrg`. */
async function requested(dealerOrg: string): Promise<{ owner: string; id: string }> {
  const owner = freshUser('trader');
  const input = { description: '2017 VW Golf 1.4T, white, Huacheng Avenue 12', year: 2017, mileageKm: 88000, dealerOrg };
  const id = ok(await t.g.gql(REQUEST_TRADE_IN, { input }, as.customer(owner))).requestTradeIn.id;
  return { owner, id };
}

describe('a trade-in asked of gac-aion', () => {
  const others = [
    ['a charging network', as.partner('grid-1', 'state-grid')],
    ['another manufacturer', as.partner('nammi-1', 'dongfeng-nammi')],
    ['a store chain', as.partner('store-1', 'jd-auto-care')],
  ] as const;

  test.each(others)('is invisible to %s: not in its queue, NOT_FOUND by id', async (_label, partner) => {
    const { id } = await requested(t.org);
    expect(await queueIds(partner)).not.toContain(id);
    const r = await t.g.gql(READ, { id }, partner);
    expect(codeOf(r)).toBe('NOT_FOUND');
    expect(JSON.stringify(r)).not.toContain('Golf');
  });

  test.each(others)('cannot be appraised by %s (NOT_FOUND), and stays waiting for its dealer', async (_label, partner) => {
    const { owner, id } = await requested(t.org);
    expect(codeOf(await t.g.gql(APPRAISE, { id, amount: '1.00' }, partner))).toBe('NOT_FOUND');
    const mine = ok(await t.g.gql(READ, { id }, as.customer(owner))).tradeIn;
    expect(mine).toMatchObject({ status: 'REQUESTED', dealerOrg: t.org });
  });

  test('its dealer sees it in the queue, appraises it, and the customer credits it to a gac-aion order', async () => {
    const { owner, id } = await requested(t.org);
    const dealer = as.partner('dealer-1', t.org);
    expect(await queueIds(dealer)).toContain(id);
    expect(ok(await t.g.gql(READ, { id }, dealer)).tradeIn.description).toMatch(/Golf/);
    expect(ok(await t.g.gql(APPRAISE, { id, amount: '23000.00' }, dealer)).appraiseTradeIn).toMatchObject({ status: 'APPRAISED', appraisedValue: { amount: '23000.00' } });
    const order = ok(await t.g.gql(PLACE_ORDER, { input: { trimId: t.trim.id, tradeInId: id, idempotencyKey: randomUUID() } }, as.customer(owner))).placeOrder;
    expect(order).toMatchObject({ tradeInCredit: { amount: '23000.00' }, tradeIn: { id, status: 'CREDITED' } });
  });

  test('an admin (the platform) still appraises any trade-in', async () => {
    const { id } = await requested(t.org);
    expect(ok(await t.g.gql(APPRAISE, { id, amount: '5000.00' }, as.admin())).appraiseTradeIn.status).toBe('APPRAISED');
  });
});

test('a trade-in must be asked of a manufacturer of the catalog', async () => {
  for (const dealerOrg of ['state-grid', 'no-such-dealer', 'Not An Org']) {
    const r = await t.g.gql(REQUEST_TRADE_IN, { input: { description: 'car', year: 2015, mileageKm: 1, dealerOrg } }, as.customer(freshUser('x')));
    expect([dealerOrg, codeOf(r), r.errors?.[0].extensions?.field]).toEqual([dealerOrg, 'BAD_USER_INPUT', 'dealerOrg']);
  }
});

test('a manufacturer is recognised however many models the catalog has (its only model sorts after the first 100)', async () => {
  // 120 models of one maker sort before "Zz…", the only model of `zz-motors`.
  await t.g.db.query(
    `INSERT INTO catalog.vehicle_models (id, name, manufacturer_org, segment, description)
     SELECT 'model-bulk-' || n, 'Aa Bulk ' || lpad(n::text, 3, '0'), 'bulk-motors', 'SUV', 'test model'
       FROM generate_series(1, 120) AS n`,
  );
  await t.g.db.query(`INSERT INTO catalog.vehicle_models (id, name, manufacturer_org, segment, description) VALUES ('model-zz-last', 'Zz Last', 'zz-motors', 'SUV', 'test model')`);
  const owner = as.customer(freshUser('zz'));
  const r = await t.g.gql(REQUEST_TRADE_IN, { input: { description: 'car', year: 2015, mileageKm: 1, dealerOrg: 'zz-motors' } }, owner);
  expect(ok(r).requestTradeIn.id).toBeTruthy();
  // And an organisation that makes none of them is still refused.
  const none = await t.g.gql(REQUEST_TRADE_IN, { input: { description: 'car', year: 2015, mileageKm: 1, dealerOrg: 'zz-motorz' } }, owner);
  expect([codeOf(none), none.errors?.[0].extensions?.field]).toEqual(['BAD_USER_INPUT', 'dealerOrg']);
});
