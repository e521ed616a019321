/**
 * The "paid for" pages in a real Chromium: a line's link opens what it paid for, and a customer who edits
 * the URL to another customer's order or invoice gets "Not found" and nothing of theirs — the graph's
 * NOT_FOUND shown as such, never their data.
 */
import { DEMO_USER } from '../../platform/demo';
import { as } from '../harness';
import { openBrowser, type BrowserSession } from '../browser';
import { signIn, startWebStack, type WebStack } from '../web-stack';
import { decodeOperation, grouped } from './app-requests';

let stack: WebStack;
let browser: BrowserSession;

beforeAll(async () => {
  stack = await startWebStack();
  browser = await openBrowser({ allowedOrigins: [stack.origin] });
  await signIn(browser.page, stack, DEMO_USER);
}, 600_000); // a first run builds the app (codegen and vite) before the graph starts
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** What another customer has: one of their orders and one of their service invoices, with what identifies them. */
async function someoneElses() {
  for (const user of ['user-000001', 'user-000002', 'user-000003', 'user-000004']) {
    const r = await stack.graph.gql(
      `{ me { spending { lines(first: 100) { edges { node { paidFor { __typename
          ... on Order { id totalPrice { amount } balance { amount } orderVehicle: vehicle { vin } }
          ... on ServiceInvoice { id total { amount } ownerPaid { amount } invoiceVehicle: vehicle { vin } } } } } } } } }`,
      {},
      as.customer(user),
    );
    if (r.errors) throw new Error(`the graph refused ${user}'s lines: ${JSON.stringify(r.errors)}`);
    const subjects = r.data.me.spending.lines.edges.map((e: any) => e.node.paidFor).filter(Boolean);
    const order = subjects.find((s: any) => s.__typename === 'Order');
    const invoice = subjects.find((s: any) => s.__typename === 'ServiceInvoice');
    if (order && invoice) return { user, order, invoice };
  }
  throw new Error('no seeded customer besides the demo user has both an order and a service invoice: seed more users');
}

/** Text on the page that would be the other customer's data: their id, VINs and amounts (as sent and as shown). */
function theirs(user: string, subject: Record<string, any>): string[] {
  const amounts = Object.values(subject).filter((v) => v && typeof v === 'object' && 'amount' in v).map((v) => v.amount as string);
  return [user, (subject.orderVehicle ?? subject.invoiceVehicle)?.vin, ...amounts.flatMap((a) => [a, grouped(a)])].filter((s): s is string => Boolean(s) && !/^0\.00$/.test(s));
}

test("a line's link on the dashboard opens what it paid for, under a heading naming its type", async () => {
  const { page } = browser;
  await page.goto(`${stack.appUrl}spending`);
  // The orders are the user's oldest lines: page on until one is shown.
  const link = page.locator('[data-testid="spending-line"] a[href^="/app/paid/Order/"]').first();
  const lines = page.locator('[data-testid="spending-line"]');
  const allShown = page.getByText('All lines shown');
  await lines.first().waitFor({ timeout: 60_000 });
  while (!(await link.isVisible()) && !(await allShown.isVisible())) {
    const count = await lines.count();
    await lines.last().scrollIntoViewIfNeeded();
    await page.mouse.wheel(0, 5_000);
    await lines.nth(count).or(allShown).first().waitFor({ timeout: 60_000 });
  }
  const href = (await link.getAttribute('href'))!;
  await link.click();
  await page.waitForURL((u) => u.pathname === href);
  await page.getByRole('heading', { name: /Order/ }).first().waitFor({ timeout: 60_000 });
  expect(await page.getByText('Not found').count()).toBe(0);
  const id = decodeURIComponent(href.split('/').pop()!);
  const own = await stack.graph.gql('query($id: ID!) { order(id: $id) { id trim { name model { name } } } }', { id }, as.customer(DEMO_USER));
  expect(own.data.order.id).toBe(id);
  // What the order paid for, as the graph has it: its trim and model.
  const text = await page.locator('body').innerText();
  expect(text).toContain(own.data.order.trim.name);
  expect(text).toContain(own.data.order.trim.model.name);
}, 120_000);

for (const kind of ['order', 'invoice'] as const) {
  test(`editing the URL to another customer's ${kind} id shows "Not found" and none of their data`, async () => {
    const other = await someoneElses();
    const subject = other[kind];
    const { page } = browser;
    // Their id is real: the graph gives it to them.
    expect(subject.id).toBeTruthy();
    const answered = page.waitForResponse((r) => decodeOperation(stack, r.request())?.variables.id === subject.id, { timeout: 60_000 });
    await page.goto(`${stack.appUrl}paid/${subject.__typename}/${encodeURIComponent(subject.id)}`);
    await answered;
    // Rendered after the graph's answer; if it never says "Not found", what it shows instead is checked first.
    await page.getByText('Not found').first().waitFor({ timeout: 30_000 }).catch(() => undefined);
    await page.getByRole('heading', { name: kind === 'order' ? /Order/ : /invoice/i }).first().waitFor();
    const text = await page.locator('body').innerText();
    for (const value of theirs(other.user, subject)) expect([value, text.includes(value)]).toEqual([value, false]);
    expect(await page.getByText('Not found').count()).toBeGreaterThan(0);
    await browser.screenshot(`paid-for-not-found-${kind}`);
  }, 120_000);
}

test('no request left the stack and the pages raised no errors', () => {
  expect(browser.blocked).toEqual([]);
  expect(browser.errors).toEqual([]);
});
