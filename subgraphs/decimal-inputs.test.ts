/**
 * Every `Decimal` input of the graph — each mutation argument or input field of that type, found in the
 * schema clients see, so a new folder's amounts are covered without an edit — refuses what is not an
 * exact amount (a JSON number, a third decimal, an exponent, an oversized amount, a non-decimal), sent
 * as a variable or written inline; refuses a negative amount naming the field; and changes nothing.
 */
import type { GraphQLField, GraphQLSchema } from 'graphql';
import { startTestGraph, as, type GqlResult, type TestGraph } from '../testing/harness';
import { codeOf, fieldOf } from '../testing/assertions';
import { apiSchema, sampleGraph, type GraphSamples, WALKED_GRAPH } from '../testing/graph-walk';
import { argumentLeaves, callWith, candidatesFor, reachingChoice, type ArgumentLeaf, type Call } from '../testing/operations';
import type { Identity } from '../platform/identity';
import { seedAll } from './seeding';
import { DEMO_USER } from './kit/seed';
import { subgraphs } from '.';

/** Values a client might send that are not exact amounts. */
const REFUSED: unknown[] = [12.5, 1, 0.1, '12.345', '0.001', '1e3', '1.2e2', '', ' 12.00', '12,00', '+12.00', '12.', '.5', 'NaN', 'Infinity', '0x10', '１２.００', '99999999999999999', '100000000000000.00', true, null, { amount: '1.00' }];

/** Who may call a mutation with money in it: the demo user for their own payments, an admin for the rest. */
const CALLERS: Identity[] = [as.customer(DEMO_USER), as.admin()];

let g: TestGraph;
let schema: GraphQLSchema;
/** The demo user's objects, for the other arguments to aim at (their order, appointment, vehicle). */
let samples: GraphSamples;

/** One Decimal leaf of one mutation's arguments: `issueInvoice(input.lines[0].unitPrice)`. */
interface DecimalInput {
  name: string;
  field: GraphQLField<unknown, unknown>;
  leaf: string;
  /** Null is "no amount" for an optional one (`placeOrder(input.financedAmount)`: paid in cash). */
  nullable: boolean;
}

/** A call of `input`'s mutation as `who` reached its amount check with, and the amount to put there. */
interface Reaching {
  who: Identity;
  call: (amount: unknown) => Call;
}

/** Row counts of every table of every subgraph folder. */
async function tableCounts(): Promise<Record<string, string>> {
  const schemas = subgraphs().filter((m) => !m.stateless).map((m) => m.name);
  const tables = await g.db.query<{ name: string }>(`SELECT schemaname || '.' || tablename AS name FROM pg_tables WHERE schemaname = ANY($1::text[]) ORDER BY 1`, [schemas]);
  const counts: Record<string, string> = {};
  for (const t of tables) counts[t.name] = (await g.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${t.name}`))[0].n;
  return counts;
}

let before: Record<string, string>;
let inputs: DecimalInput[];
const reached = new Map<string, Reaching>();

beforeAll(async () => {
  g = await startTestGraph({ ...WALKED_GRAPH });
  await seedAll(g.db, 3);
  schema = await apiSchema(g);
  samples = await sampleGraph(g, schema, as.customer(DEMO_USER));
  inputs = Object.values(schema.getMutationType()!.getFields()).flatMap((field) =>
    argumentLeaves(field).filter((leaf) => leaf.type.name === 'Decimal').map((leaf) => ({ name: `${field.name}(${leaf.path})`, field, leaf: leaf.path, nullable: leaf.nullable })),
  );
  before = await tableCounts();
});

afterAll(async () => {
  await g?.stop();
});

const send = (who: Identity) => (call: Call) => g.gql(call.query, call.variables, who);
/** Takes the probed leaf even when it is optional (`placeOrder(input.financedAmount)`). */
const includes = (input: DecimalInput) => (path: string) => input.leaf === path || input.leaf.startsWith(`${path}.`) || input.leaf.startsWith(`${path}[`);

/**
 * The first caller that may call `input`'s mutation, with the other arguments aimed at the demo user's
 * objects and chosen so that a negative amount meets the amount check (not a bad time or a closed store).
 */
async function reaching(input: DecimalInput): Promise<Reaching> {
  const known = reached.get(input.name);
  if (known) return known;
  for (const who of CALLERS) {
    const negative = (leaf: ArgumentLeaf) => (leaf.path === input.leaf ? '-1.00' : undefined);
    const choose = await reachingChoice(send(who), schema, 'mutation', input.field, candidatesFor(schema, samples, input.field), negative, includes(input));
    const call = (amount: unknown) => callWith(schema, 'mutation', input.field, (leaf) => (leaf.path === input.leaf ? amount : choose(leaf)), includes(input));
    if (codeOf(await send(who)(call('-1.00'))) !== 'FORBIDDEN') {
      reached.set(input.name, { who, call });
      return { who, call };
    }
  }
  throw new Error(`${input.name}: every caller the sweep tries is FORBIDDEN; add one who may call it to CALLERS`);
}

describe('every Decimal input refuses what is not an exact amount, and changes nothing', () => {
  test('there are Decimal inputs in every kind of payment: the sweep is not vacuous', () => {
    expect(inputs.length).toBeGreaterThan(6);
  });

  test('a negative amount is BAD_USER_INPUT naming the field (an input field by its path inside `input`)', async () => {
    const wrong: unknown[] = [];
    for (const input of inputs) {
      const { who, call } = await reaching(input);
      const res: GqlResult = await send(who)(call('-1.00'));
      const named = { code: codeOf(res), field: fieldOf(res) };
      if (JSON.stringify(named) !== JSON.stringify({ code: 'BAD_USER_INPUT', field: input.leaf.replace(/^input\./, '') })) wrong.push({ input: input.name, ...named });
    }
    expect(wrong).toEqual([]);
  });

  test('a JSON number, a third decimal, an exponent, an oversized amount or a non-decimal is BAD_USER_INPUT; a number written inline fails validation', async () => {
    const wrong: unknown[] = [];
    for (const input of inputs) {
      const { who, call } = await reaching(input);
      for (const value of REFUSED.filter((v) => v !== null || !input.nullable)) {
        const res = await send(who)(call(value));
        if (codeOf(res) !== 'BAD_USER_INPUT' || res.data != null) wrong.push({ input: input.name, value, code: codeOf(res), data: res.data });
      }
      // An inline literal must be a string too.
      const inline = await g.gql(call(12.5).inline(), {}, who);
      if (codeOf(inline) !== 'GRAPHQL_VALIDATION_FAILED') wrong.push({ input: input.name, inline: 12.5, code: codeOf(inline) });
    }
    expect(wrong).toEqual([]);
  });

  test('the refused inputs left every table of every subgraph as it was', async () => {
    expect(await tableCounts()).toEqual(before);
  });
});
