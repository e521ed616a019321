/**
 * What an order says is still owed, through the gateway: `depositDue`, `balanceDue` and `amountDue`
 * fall to 0.00 as they are paid, while `deposit`, `balance` and the other original amounts keep what
 * the order was priced at.
 */
import { appraisedTradeIn, buyCar, DELIVER, PAY_BALANCE, PAY_DEPOSIT, placeOrder, startOrdersGraph, type OrdersTestGraph } from '../../testing/orders';
import { formatFen } from '../../platform/money';
import { as } from '../../testing/harness';
import { fen, ok } from '../../testing/assertions';
import { freshUser, testVin } from '../../testing/fresh-ids';

let t: OrdersTestGraph;
beforeAll(async () => {
  t = await startOrdersGraph();
});
afterAll(async () => {
  await t?.g.stop();
});

const OWED = `totalPrice { amount } deposit { amount } tradeInCredit { amount } financedAmount { amount } balance { amount }
  depositDue { amount } balanceDue { amount } amountDue { amount } amountPaid { amount } status`;
const READ = `query($id: ID!) { order(id: $id) { ${OWED} } }`;

const read = async (id: string, userId: string) => ok(await t.g.gql(READ, { id }, as.customer(userId))).order;

test('balanceDue, depositDue and amountDue fall to 0.00 as they are paid (with a trade-in credit); the original amounts stay', async () => {
  const buyer = freshUser('owed');
  const tradeInId = await appraisedTradeIn(t.g, buyer, '8000.00');
  const placed = await placeOrder(t.g, buyer, { trimId: t.trim.id, financedAmount: '20000.00', tradeInId });
  const total = fen(placed.totalPrice);
  const balance = total - 500_000n - 800_000n - 2_000_000n;
  const original = {
    totalPrice: { amount: formatFen(total) },
    deposit: { amount: '5000.00' },
    tradeInCredit: { amount: '8000.00' },
    financedAmount: { amount: '20000.00' },
    balance: { amount: formatFen(balance) },
  };

  // Before the deposit: both are owed.
  expect(await read(placed.id, buyer)).toEqual({
    ...original,
    status: 'PLACED',
    depositDue: { amount: '5000.00' },
    balanceDue: { amount: formatFen(balance) },
    amountDue: { amount: formatFen(500_000n + balance) },
    amountPaid: { amount: '0.00' },
  });

  // After the deposit: only the balance is owed.
  ok(await t.g.gql(PAY_DEPOSIT, { id: placed.id, amount: '5000.00' }, as.customer(buyer)));
  expect(await read(placed.id, buyer)).toEqual({
    ...original,
    status: 'DEPOSIT_PAID',
    depositDue: { amount: '0.00' },
    balanceDue: { amount: formatFen(balance) },
    amountDue: { amount: formatFen(balance) },
    amountPaid: { amount: '5000.00' },
  });

  // After the balance, and after delivery: nothing is owed.
  const paid = ok(await t.g.gql(PAY_BALANCE, { id: placed.id, amount: formatFen(balance) }, as.customer(buyer))).payBalance;
  expect(paid).toMatchObject({ status: 'BALANCE_PAID', balanceDue: { amount: '0.00' }, amountPaid: { amount: formatFen(500_000n + balance) } });
  const settled = { ...original, depositDue: { amount: '0.00' }, balanceDue: { amount: '0.00' }, amountDue: { amount: '0.00' }, amountPaid: { amount: formatFen(500_000n + balance) } };
  expect(await read(placed.id, buyer)).toEqual({ ...settled, status: 'BALANCE_PAID' });

  ok(await t.g.gql(DELIVER, { id: placed.id, vin: testVin() }, as.partner('p-owed', t.org)));
  expect(await read(placed.id, buyer)).toEqual({ ...settled, status: 'DELIVERED' });
});

test('a delivered cash order owes 0.00 and its balance still says what was paid with payBalance', async () => {
  const buyer = freshUser('cash');
  const order = await buyCar(t, buyer);
  const o = await read(order.id, buyer);
  expect(o).toMatchObject({ status: 'DELIVERED', depositDue: { amount: '0.00' }, balanceDue: { amount: '0.00' }, amountDue: { amount: '0.00' } });
  expect(fen(o.deposit) + fen(o.tradeInCredit) + fen(o.financedAmount) + fen(o.balance)).toBe(fen(o.totalPrice));
  expect(fen(o.amountPaid)).toBe(fen(o.deposit) + fen(o.balance));
});

test('a cancelled order owes nothing', async () => {
  const buyer = freshUser('cancel');
  const placed = await placeOrder(t.g, buyer, { trimId: t.trim.id });
  ok(await t.g.gql(`mutation($id: ID!) { cancelOrder(orderId: $id) { id } }`, { id: placed.id }, as.customer(buyer)));
  expect(await read(placed.id, buyer)).toMatchObject({ status: 'CANCELLED', depositDue: { amount: '0.00' }, balanceDue: { amount: '0.00' }, amountDue: { amount: '0.00' }, amountPaid: { amount: '0.00' } });
});
