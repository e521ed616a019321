/**
 * The owner's spending dashboard in a real Chromium against the whole graph: what it shows is what the
 * graph answers for the same user (the total, every line exactly once and in the graph's order, a period),
 * the app sends nothing but trusted documents' hashes as client `web`, and nothing leaves the machine.
 */
import type { Page } from 'playwright-core';
import { DEMO_USER } from '../../platform/demo';
import { openBrowser, type BrowserSession } from '../browser';
import { signIn, startWebStack, webManifest, WEB_CLIENT, type WebStack } from '../web-stack';
import { appToken, decodeOperation, graphOperations } from './app-requests';

const TOTAL = '[data-testid="spending-total"]';
const LINE = '[data-testid="spending-line"]';

let stack: WebStack;
let browser: BrowserSession;

beforeAll(async () => {
  stack = await startWebStack();
  browser = await openBrowser({ allowedOrigins: [stack.origin] });
}, 600_000); // a first run builds the app (codegen and vite) before the graph starts
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Asks the graph directly, with the token the app holds, as the app's own user. */
async function graphAs<T = any>(token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const r = await stack.graph.gqlRaw<T>(query, variables, { authorization: `Bearer ${token}` });
  if (r.errors) throw new Error(`the graph refused ${query}: ${JSON.stringify(r.errors)}`);
  return r.data!;
}

/** Every line id of the user's spending (optionally of a period), paged straight from the graph. */
async function graphLineIds(token: string, period: { from?: unknown; to?: unknown } = {}): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const d: any = await graphAs(token, 'query($from: DateTime, $to: DateTime, $after: String) { me { spending(from: $from, to: $to) { lines(first: 7, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } } } }', { ...period, after });
    const lines = d.me.spending.lines;
    ids.push(...lines.edges.map((e: any) => e.node.id));
    if (!lines.pageInfo.hasNextPage) return ids;
    after = lines.pageInfo.endCursor;
  }
}

/** The line ids a page shows, in order. */
const shownLineIds = (page: Page = browser.page) => page.locator(LINE).evaluateAll((els) => els.map((e) => e.getAttribute('data-line-id') ?? ''));

/** Loads every page of lines, by the "Load more" button from the keyboard or by scrolling to the end. */
async function loadEveryLine(how: 'keyboard' | 'scroll', page: Page = browser.page): Promise<void> {
  const allShown = page.getByText('All lines shown');
  await page.locator(LINE).first().or(allShown).first().waitFor({ timeout: 60_000 });
  while (!(await allShown.isVisible())) {
    const count = await page.locator(LINE).count();
    if (how === 'keyboard') {
      await page.getByRole('button', { name: 'Load more' }).focus();
      await page.keyboard.press('Enter');
    } else {
      // Scrolled past the last line: the infinite scroll asks for the next page by itself.
      await page.locator(LINE).last().scrollIntoViewIfNeeded();
      await page.mouse.wheel(0, 5_000);
    }
    // More lines than before, or the end said.
    await page.locator(LINE).nth(count).or(allShown).first().waitFor({ timeout: 60_000 });
  }
}

/**
 * A page on which scrolling loads nothing (IntersectionObserver never reports), so only the button can
 * page: what a keyboard user without the infinite scroll relies on.
 */
const WITHOUT_INFINITE_SCROLL = `window.IntersectionObserver = class { observe() {} unobserve() {} disconnect() {} takeRecords() { return []; } };`;

describe(`the spending dashboard, signed in as ${DEMO_USER}`, () => {
  let token: string;

  beforeAll(async () => {
    await signIn(browser.page, stack, DEMO_USER);
    await browser.page.locator(TOTAL).waitFor({ timeout: 60_000 });
    token = appToken(graphOperations(stack, browser.requests));
  }, 120_000);

  test("the app holds a customer token for the demo user it signed in as", async () => {
    const d = await graphAs(token, '{ me { id } }');
    expect(d.me.id).toBe(DEMO_USER);
  });

  test("the total shown is exactly the headline query's total over HTTP with the same user's token", async () => {
    const d = await graphAs(token, '{ me { spending { total { amount currency } } } }');
    const shown = browser.page.locator(TOTAL);
    expect(await shown.getAttribute('data-amount')).toBe(d.me.spending.total.amount);
    // And it is the number on the screen, not only an attribute.
    expect((await shown.innerText()).replace(/,/g, '')).toContain(d.me.spending.total.amount);
    await browser.screenshot('spending-dashboard');
  });

  test('every line shown links to what it paid for under /app/paid/<Type>/<id>', async () => {
    const lines = browser.page.locator(LINE);
    const hrefs = await lines.evaluateAll((els) => els.map((e) => e.querySelector('a')?.getAttribute('href') ?? ''));
    expect(hrefs.length).toBeGreaterThan(0);
    for (const href of hrefs) expect(href).toMatch(/^\/app\/paid\/[A-Za-z]+\/[^/]+$/);
  });

  test('"Load more" pressed from the keyboard until "All lines shown" shows every line exactly once, in the order the graph pages them', async () => {
    // A tab of its own (and its own sign-in: the token is kept per tab) where only the button pages.
    const page = await browser.context.newPage();
    try {
      await page.addInitScript(WITHOUT_INFINITE_SCROLL);
      await signIn(page, stack, DEMO_USER);
      await loadEveryLine('keyboard', page);
      const shown = await shownLineIds(page);
      const graph = await graphLineIds(token);
      expect(graph.length).toBeGreaterThan(20); // more than one page, or paging proves nothing
      expect(new Set(shown).size).toBe(shown.length);
      expect(shown).toEqual(graph);
      expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
    } finally {
      await page.close();
    }
  }, 180_000);

  test("scrolling to the end (infinite scroll) shows every line exactly once, in the graph's order", async () => {
    await loadEveryLine('scroll');
    const shown = await shownLineIds();
    expect(new Set(shown).size).toBe(shown.length);
    expect(shown).toEqual(await graphLineIds(token));
  }, 180_000);

  test("a period picked with From, To and Apply shows that period's total and lines, as the graph answers for it", async () => {
    const { page } = browser;
    // A period holding some of the user's lines but not all: from the middle line's day to the day after the newest.
    const days = (await graphAs(token, '{ me { spending { lines(first: 100) { edges { node { occurredAt } } } } } }')).me.spending.lines.edges.map((e: any) => e.node.occurredAt.slice(0, 10));
    const from = days[Math.floor(days.length / 2)];
    const to = new Date(Date.parse(days[0]) + 86_400_000).toISOString().slice(0, 10);
    // The app's request for the period, and the variables it sent: the graph is asked the same.
    const sent = page.waitForRequest((r) => String(decodeOperation(stack, r)?.variables.from ?? '').startsWith(from), { timeout: 60_000 });
    await page.getByLabel('From').fill(from);
    await page.getByLabel('To').fill(to);
    await page.getByRole('button', { name: 'Apply' }).click();
    const request = await sent;
    await request.response();
    const op = decodeOperation(stack, request)!;
    expect(String(op.variables.to)).toMatch(new RegExp(`^${to}`));
    const period = { from: op.variables.from, to: op.variables.to };
    const d = await graphAs(token, 'query($from: DateTime, $to: DateTime) { me { spending(from: $from, to: $to) { total { amount } } } }', period);
    const expected = d.me.spending.total.amount;
    // Waits for the new total to be rendered; a wrong one is then reported by the assertion, not as a timeout.
    await page.locator(`${TOTAL}[data-amount="${expected}"]`).waitFor({ timeout: 60_000 }).catch(() => undefined);
    expect(await page.locator(TOTAL).getAttribute('data-amount')).toBe(expected);
    await loadEveryLine('keyboard');
    const inPeriod = await graphLineIds(token, period);
    expect(inPeriod.length).toBeGreaterThan(0);
    expect(inPeriod.length).toBeLessThan(days.length);
    expect(await shownLineIds()).toEqual(inPeriod);
  }, 180_000);

  test("the app sent only trusted documents' hashes, as client web, and no request left the stack", async () => {
    const ops = graphOperations(stack, browser.requests);
    const trusted = new Set(webManifest().map((o) => o.id));
    expect(ops.length).toBeGreaterThan(0);
    for (const op of ops) {
      expect({ query: op.query, client: op.headers['apollographql-client-name'] }).toEqual({ query: undefined, client: WEB_CLIENT });
      expect(trusted.has(op.hash ?? '(no hash)')).toBe(true);
    }
    expect(browser.blocked).toEqual([]);
    expect(browser.errors).toEqual([]);
  });

  test('this stack holds client web to its manifest as npm start does: free text sent as web is refused', async () => {
    const r = await stack.graph.gqlRaw('{ me { id } }', undefined, { authorization: `Bearer ${token}`, 'apollographql-client-name': WEB_CLIENT });
    expect([r.status, r.errors?.[0]?.extensions?.code]).toEqual([403, 'PERSISTED_QUERY_NOT_IN_LIST']);
  });
});
