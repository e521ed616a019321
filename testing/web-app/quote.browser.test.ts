/**
 * The quote page in a real Chromium: two ownership options compared, and every number it shows (each
 * option's total, the break-even month) is the graph's `ownershipQuote` for the very input the page sent.
 */
import { DEMO_USER } from '../../platform/demo';
import { openBrowser, type BrowserSession } from '../browser';
import { signIn, startWebStack, webManifest, WEB_CLIENT, type WebStack } from '../web-stack';
import { decodeOperation, graphOperations } from './app-requests';

const OPTION_TOTAL = '[data-testid="quote-option-total"]';
const BREAK_EVEN = '[data-testid="quote-break-even"]';

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

const QUOTE = `query($input: OwnershipQuoteInput!) { ownershipQuote(input: $input) {
  options { option label total { amount } } comparisons { option against difference { amount } cheaperOption breakEvenMonth } } }`;

test("Compare shows each option's total and the break-even month exactly as ownershipQuote answers for the same input", async () => {
  const { page } = browser;
  await page.goto(`${stack.appUrl}quote`);
  const compare = page.getByRole('button', { name: 'Compare' });
  await compare.waitFor({ timeout: 60_000 });
  // Configured through the form's labelled controls; the options keep the page's defaults (cash vs a loan).
  await page.getByLabel('Years', { exact: true }).fill('3');
  await page.getByLabel('Distance a year (km)').fill('20000');
  const sent = page.waitForRequest((r) => decodeOperation(stack, r)?.variables.input !== undefined, { timeout: 60_000 });
  await compare.click();
  const request = await sent;
  await request.response();
  const input = decodeOperation(stack, request)!.variables.input as { years: number; annualDistanceKm: number; options: unknown[] };
  expect([input.years, input.annualDistanceKm, input.options.length]).toEqual([3, 20000, 2]);

  // The public quote needs no token: asked anonymously, as the page may.
  const r = await stack.graph.gql(QUOTE, { input });
  expect(r.errors).toBeUndefined();
  const quote = r.data.ownershipQuote;
  const totals = page.locator(OPTION_TOTAL);
  await totals.nth(quote.options.length - 1).waitFor({ timeout: 60_000 });
  const shown = await totals.evaluateAll((els) => els.map((e) => e.getAttribute('data-amount')));
  expect(shown).toEqual(quote.options.map((o: any) => o.total.amount));
  for (const [i, o] of quote.options.entries()) expect((await totals.nth(i).innerText()).replace(/,/g, '')).toContain(o.total.amount);

  // The page's defaults (an owned battery for cash against a rental on a loan) do break even: the owned car,
  // dearer to buy, has cost less in total by the end.
  const comparison = quote.comparisons.find((c: any) => c.option === 2 && c.against === 1);
  expect(comparison.breakEvenMonth).toEqual(expect.any(Number));
  const breakEvenText = await page.locator(BREAK_EVEN).first().innerText();
  expect(breakEvenText).toContain(`month ${comparison.breakEvenMonth}:`);
  expect(breakEvenText).toContain(quote.options.find((o: any) => o.option === comparison.cheaperOption).label);
  await browser.screenshot('quote');
}, 180_000);

test("the quote page sent only trusted documents' hashes as client web, and nothing left the stack", async () => {
  const trusted = new Set(webManifest().map((o) => o.id));
  const ops = graphOperations(stack, browser.requests);
  for (const op of ops) {
    expect({ query: op.query, client: op.headers['apollographql-client-name'] }).toEqual({ query: undefined, client: WEB_CLIENT });
    expect(trusted.has(op.hash ?? '(no hash)')).toBe(true);
  }
  expect(browser.blocked).toEqual([]);
  expect(browser.errors).toEqual([]);
});

test('someone who never signed in gets the quote page (no redirect to sign-in) and a quote asked with no token', async () => {
  const visitor = await openBrowser({ allowedOrigins: [stack.origin] });
  try {
    const { page } = visitor;
    await page.goto(`${stack.appUrl}quote`);
    const compare = page.getByRole('button', { name: 'Compare' });
    await compare.waitFor({ timeout: 60_000 });
    expect(new URL(page.url()).pathname).toBe('/app/quote');
    await page.getByRole('link', { name: 'Sign in' }).waitFor({ timeout: 30_000 });
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    const sent = page.waitForRequest((r) => decodeOperation(stack, r)?.variables.input !== undefined, { timeout: 60_000 });
    await compare.click();
    const request = await sent;
    expect((await request.allHeaders()).authorization).toBeUndefined();
    await page.locator(OPTION_TOTAL).nth(1).waitFor({ timeout: 60_000 });
    // The dashboard is still signed-in only.
    await page.goto(`${stack.appUrl}spending`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 60_000 });
    expect(new URL(page.url()).pathname).toBe('/app/sign-in');
    expect(visitor.blocked).toEqual([]);
  } finally {
    await visitor.close();
  }
}, 180_000);
