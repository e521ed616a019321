/**
 * What a client sees when its input is refused or the server fails, through the gateway over HTTP:
 * refused input names the argument path and the rule, however it was sent (literal or variable); an
 * unexpected failure is INTERNAL_SERVER_ERROR with a generic message and a request id, never the
 * database's own text, in development as in production; the server logs it under the same id.
 */
import { gatewayPublicKeys } from './subgraph-tokens';
import { IDENTITY_HEADER } from '../platform/identity';
import { captureLogs } from '../platform/logger';
import { startStack, type RunningStack } from '../stack/stack';
import { as, composeForTests, startTestGraph, testGatewayConfig, TEST_JWT, type GqlResult, type TestGraph } from '../testing/harness';
import { codeOf, fieldOf, messageOf } from '../testing/assertions';
import { gatewayFeatures } from './features';
import { staticSupergraph } from './supergraph-source';
import { mintToken } from './auth';

let g: TestGraph;
beforeAll(async () => {
  g = await startTestGraph();
});
afterAll(async () => {
  await g?.stop();
});


const PREFERENCE = `mutation($input: PreferenceInput!) { statePreference(input: $input) { id } }`;
const SPENDING_FROM = `query($from: DateTime) { me { spending(from: $from) { total { amount } } } }`;
const ISSUE = `mutation($input: IssueInvoiceInput!) { issueInvoice(input: $input) { id } }`;
const line = (unitPrice: unknown) => ({ kind: 'PART', description: 'Filter', quantity: 1, unitPrice, warrantyCovered: false });
const literalLine = (unitPrice: string) => `{ kind: PART, description: "Filter", quantity: 1, unitPrice: ${unitPrice}, warrantyCovered: false }`;
const literalIssue = (thirdPrice: string) =>
  `mutation { issueInvoice(input: { appointmentId: "appt-x", lines: [${literalLine('"1.00"')}, ${literalLine('"2.50"')}, ${literalLine(thirdPrice)}] }) { id } }`;

describe('text input never carries a NUL byte (U+0000) towards the database', () => {
  test('a NUL in an ID argument literal is BAD_USER_INPUT naming the argument', async () => {
    const r = await g.gql('{ model(id: "model-\\u0000aion") { id } }');
    expect({ code: codeOf(r), field: fieldOf(r) }).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
    expect(messageOf(r)).toMatch(/^id: .*NUL/);
    expect(r.data ?? null).toBeNull();
  });

  test('a NUL in an input-object field literal is BAD_USER_INPUT naming input.modelId', async () => {
    const r = await g.gql('mutation { statePreference(input: { modelId: "model-aion-ut\\u0000", priceExpectation: "1.00" }) { id } }', undefined, as.customer('nul-1'));
    expect({ code: codeOf(r), field: fieldOf(r) }).toEqual({ code: 'BAD_USER_INPUT', field: 'input.modelId' });
    expect(messageOf(r)).toContain('input.modelId');
  });

  test('a NUL deep inside a variable is BAD_USER_INPUT naming the argument path, not the variable', async () => {
    const r = await g.gql(PREFERENCE, { input: { modelId: 'model-aion-ut', priceExpectation: '1.00', features: ['heated seats', 'tow\u0000bar'] } }, as.customer('nul-2'));
    expect({ code: codeOf(r), field: fieldOf(r) }).toEqual({ code: 'BAD_USER_INPUT', field: 'input.features[1]' });
    // A variable placed inside a literal object is named by where it is used.
    const placed = await g.gql('mutation($f: String!) { statePreference(input: { modelId: "model-aion-ut", priceExpectation: "1.00", features: ["x", $f] }) { id } }', { f: '\u0000' }, as.customer('nul-2'));
    expect({ code: codeOf(placed), field: fieldOf(placed) }).toEqual({ code: 'BAD_USER_INPUT', field: 'input.features[1]' });
    const plain = await g.gql('query($id: ID!) { model(id: $id) { id } }', { id: 'a\u0000b' });
    expect({ code: codeOf(plain), field: fieldOf(plain) }).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
  });
});

describe('DateTime accepts 1900-01-01T00:00:00.000Z up to 9999-12-31T23:59:59.999Z (UTC), and says so', () => {
  test.each(['0000-01-01', '10000-01-01', '1899-12-31', '1899-12-31T23:59:59.999Z', '1900-01-01T00:30:00+01:00', '9999-12-31T23:00:00-05:00'])(
    '%s in a variable is BAD_USER_INPUT naming the argument and the range',
    async (from) => {
      const r = await g.gql(SPENDING_FROM, { from }, as.customer('dt-1'));
      expect({ code: codeOf(r), field: fieldOf(r) }).toEqual({ code: 'BAD_USER_INPUT', field: 'from' });
      expect(messageOf(r)).toContain('1900-01-01T00:00:00.000Z');
      expect(messageOf(r)).toContain('9999-12-31T23:59:59.999Z');
      expect(JSON.stringify(r)).not.toMatch(/out of range|date\/time field/);
    },
  );

  test('an out-of-range literal is BAD_USER_INPUT naming the argument and the range too', async () => {
    const r = await g.gql('{ me { spending(from: "0000-01-01") { total { amount } } } }', undefined, as.customer('dt-2'));
    expect({ code: codeOf(r), field: fieldOf(r) }).toEqual({ code: 'BAD_USER_INPUT', field: 'from' });
    expect(messageOf(r)).toMatch(/^from: .*1900-01-01T00:00:00\.000Z.*9999-12-31T23:59:59\.999Z/);
  });

  test('a day that is not in the calendar (February 30th) is refused, not rolled over into March', async () => {
    const r = await g.gql(SPENDING_FROM, { from: '2025-02-30' }, as.customer('dt-3'));
    expect({ code: codeOf(r), field: fieldOf(r) }).toEqual({ code: 'BAD_USER_INPUT', field: 'from' });
  });

  test('both ends of the range are accepted', async () => {
    const r = await g.gql(`{ me { spending(from: "1900-01-01", to: "9999-12-31T23:59:59.999Z") { total { amount } } } }`, undefined, as.customer('dt-4'));
    expect(r.errors).toBeUndefined();
    expect(r.data.me.spending.total.amount).toBe('0.00');
  });
});

describe('a bad Decimal names the argument path and the rule, as a literal or in variables', () => {
  test('a third decimal in a literal invoice line: input.lines[2].unitPrice, "at most two decimals"', async () => {
    const r = await g.gql(literalIssue('"1.234"'), undefined, as.admin());
    expect({ code: codeOf(r), field: fieldOf(r) }).toEqual({ code: 'BAD_USER_INPUT', field: 'input.lines[2].unitPrice' });
    expect(messageOf(r)).toMatch(/^input\.lines\[2\]\.unitPrice: .*at most two decimals/);
  });

  test('the same line in variables: the same path and rule', async () => {
    const r = await g.gql(ISSUE, { input: { appointmentId: 'appt-x', lines: [line('1.00'), line('2.50'), line('1.234')] } }, as.admin());
    expect({ code: codeOf(r), field: fieldOf(r) }).toEqual({ code: 'BAD_USER_INPUT', field: 'input.lines[2].unitPrice' });
    expect(messageOf(r)).toMatch(/^input\.lines\[2\]\.unitPrice: .*at most two decimals/);
    // Only the lines in a variable: still named from the argument.
    const lines = await g.gql('mutation($lines: [InvoiceLineInput!]!) { issueInvoice(input: { appointmentId: "appt-x", lines: $lines }) { id } }', { lines: [line('1.00'), line('abc')] }, as.admin());
    expect(fieldOf(lines)).toBe('input.lines[1].unitPrice');
    expect(messageOf(lines)).toContain('must be a decimal string like "123.45"');
  });

  test('a JSON number is refused with the rule "must be a decimal string like \\"123.45\\""', async () => {
    const r = await g.gql(ISSUE, { input: { appointmentId: 'appt-x', lines: [line(12.5)] } }, as.admin());
    expect({ code: codeOf(r), field: fieldOf(r) }).toEqual({ code: 'BAD_USER_INPUT', field: 'input.lines[0].unitPrice' });
    expect(messageOf(r)).toContain('must be a decimal string like "123.45"');
  });

  test('a float literal stays a document error (GRAPHQL_VALIDATION_FAILED) but names the path and the rule too', async () => {
    const r = await g.gql(literalIssue('1.5'), undefined, as.admin());
    expect(codeOf(r)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(messageOf(r)).toMatch(/^input\.lines\[2\]\.unitPrice: .*must be a decimal string like "123\.45"/);
  });

  test('the aftermarket subgraph itself names the path and the rule, for a literal and for variables', async () => {
    const direct = async (query: string, variables?: Record<string, unknown>) => {
      const body = JSON.stringify({ query, variables });
      const res = await fetch(g.subgraphUrl('aftermarket'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: await g.identityToken('aftermarket', as.admin(), body) },
        body,
      });
      return (await res.json()) as GqlResult;
    };
    const literal = await direct(literalIssue('"1.234"'));
    expect({ code: codeOf(literal), field: fieldOf(literal) }).toEqual({ code: 'BAD_USER_INPUT', field: 'input.lines[2].unitPrice' });
    expect(messageOf(literal)).toContain('at most two decimals');
    const variables = await direct(ISSUE, { input: { appointmentId: 'appt-x', lines: [line('1.00'), line('2.50'), line('1.234')] } });
    expect({ code: codeOf(variables), field: fieldOf(variables) }).toEqual({ code: 'BAD_USER_INPUT', field: 'input.lines[2].unitPrice' });
    const nul = await direct('query($id: ID!) { store(id: $id) { id } }', { id: 'x\u0000' });
    expect({ code: codeOf(nul), field: fieldOf(nul) }).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
  });
});

describe('an unexpected error is logged with a request id and answered without internals', () => {
  /** The same subgraphs' code on the same database, run with the development settings. */
  let dev: RunningStack;
  /** Development with INCLUDE_STACKTRACE=true. */
  let traced: RunningStack;
  const start = async (development: boolean, includeStacktrace: boolean) =>
    startStack({
      db: g.db,
      supergraph: staticSupergraph(composeForTests()),
      features: await gatewayFeatures(testGatewayConfig({ includeStacktrace, explorer: development, demoTokens: development })),
      gatewayKeys: gatewayPublicKeys(testGatewayConfig().partnerTokens),
      gatewayPort: 0,
      subgraphPorts: {},
      maxBodyBytes: 262_144,
      includeStacktrace,
    });
  beforeAll(async () => {
    dev = await start(true, false);
    traced = await start(true, true);
    // A forced database failure: the models table is gone (put back after the tests).
    await g.db.query('ALTER TABLE catalog.vehicle_models RENAME TO vehicle_models_gone');
  });
  afterAll(async () => {
    await g.db.query('ALTER TABLE catalog.vehicle_models_gone RENAME TO vehicle_models');
    await dev?.stop();
    await traced?.stop();
  });

  async function post(url: string, query: string, headers: Record<string, string> = {}) {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
    return { header: res.headers.get('x-request-id'), text: await res.text() };
  }
  const MODELS = '{ models { edges { node { id name } } } }';

  test.each([
    ['production', () => g.url],
    ['development', () => dev.gateway.url],
  ])('%s: INTERNAL_SERVER_ERROR, a generic message, a request id; no SQL, PostgreSQL text or stack in the body', async (_setting, url) => {
    const logs = captureLogs();
    let res: Awaited<ReturnType<typeof post>>;
    try {
      res = await post(url(), MODELS);
    } finally {
      logs.stop();
    }
    const body = JSON.parse(res.text) as GqlResult;
    expect(body.errors).toHaveLength(1);
    const [error] = body.errors!;
    expect(error.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(error.message).toMatch(/^Internal server error/);
    const requestId = error.extensions?.requestId as string;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(error.message).toContain(requestId);
    expect(res.header).toBe(requestId);
    expect(res.text).not.toMatch(/vehicle_models|relation|does not exist|SELECT|FROM|stacktrace|\.ts:\d|catalog\./i);
    // Both the subgraph that failed and the gateway logged it under the client's request id; the subgraph's line has the real cause.
    const lines = logs.lines().filter((l) => l.requestId === requestId);
    const cause = lines.find((l) => l.service === 'catalog');
    expect(cause).toMatchObject({ level: 50, requestId });
    expect(JSON.stringify(cause)).toContain('vehicle_models');
    expect(lines.some((l) => l.service === 'gateway')).toBe(true);
  });

  test("a client's short, plain x-request-id is kept end to end; anything else is replaced", async () => {
    const logs = captureLogs();
    let kept: Awaited<ReturnType<typeof post>>;
    let replaced: Awaited<ReturnType<typeof post>>;
    try {
      kept = await post(g.url, MODELS, { 'x-request-id': 'client-req.42' });
      replaced = await post(g.url, MODELS, { 'x-request-id': `spaces and "quotes" ${'x'.repeat(80)}` });
    } finally {
      logs.stop();
    }
    expect(JSON.parse(kept.text).errors[0].extensions.requestId).toBe('client-req.42');
    expect(kept.header).toBe('client-req.42');
    expect(logs.lines().filter((l) => l.requestId === 'client-req.42').map((l) => l.service)).toEqual(expect.arrayContaining(['catalog', 'gateway']));
    expect(JSON.parse(replaced.text).errors[0].extensions.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('stack traces appear only with INCLUDE_STACKTRACE, in extensions.stacktrace, never in the message', async () => {
    const token = await mintToken(TEST_JWT, as.customer('trace-1'));
    const bad = `{ me { spending(from: "0000-01-01") { total { amount } } } }`;
    for (const url of [g.url, dev.gateway.url]) {
      const res = await post(url, bad, { authorization: `Bearer ${token}` });
      expect(res.text).not.toContain('stacktrace');
      expect(JSON.parse(res.text).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    }
    const tracedInput = JSON.parse((await post(traced.gateway.url, bad, { authorization: `Bearer ${token}` })).text) as GqlResult;
    expect(tracedInput.errors![0].extensions?.stacktrace).toEqual(expect.arrayContaining([expect.any(String)]));
    expect(tracedInput.errors![0].message).not.toMatch(/\n|\s+at /);
    const tracedFailure = JSON.parse((await post(traced.gateway.url, MODELS)).text) as GqlResult;
    expect(tracedFailure.errors![0].message).toMatch(/^Internal server error/);
    expect(tracedFailure.errors![0].extensions?.stacktrace).toEqual(expect.arrayContaining([expect.any(String)]));
  });
});
