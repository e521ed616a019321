/**
 * Which ids exist is nobody's business. Seed ids are sequential (`ord-s000042`), so if "someone else's"
 * answered differently from "no such id", any customer or partner could map every order, loan and
 * vehicle of the graph. For every by-id field and every id a mutation takes, across every subgraph
 * (derived from the schema clients see, so a new folder is swept without an edit), asking about another
 * person's object must give exactly the error a missing id of the same shape gives: NOT_FOUND (or the
 * caller's role refused before any lookup), with the same message once the id itself is replaced.
 */
import type { GraphQLField, GraphQLSchema } from 'graphql';
import { startTestGraph, as, type GqlResult, type TestGraph } from '../testing/harness';
import type { Identity } from '../platform/identity';
import { seedAll } from './seeding';
import { DEMO_USER } from './kit/seed';
import { apiSchema, isPersonal, sampleGraph, sampleOf, type GraphSamples, WALKED_GRAPH } from '../testing/graph-walk';
import { argumentLeaves, callWith, candidatesFor, idTargetOf, reachingChoice, type ArgumentLeaf } from '../testing/operations';

let g: TestGraph;
let schema: GraphQLSchema;
/** The demo user's objects, every kind the graph has (the victim's), and the public ones. */
let samples: GraphSamples;

/** Who asks about the demo user's objects: another customer, and a partner of an organisation that owns none of them. */
const INTRUDERS: Array<[string, Identity]> = [
  ['another customer', as.customer('user-000001')],
  ['a partner of an unrelated organisation', as.partner('partner-1', 'unrelated-org')],
];

beforeAll(async () => {
  g = await startTestGraph({ ...WALKED_GRAPH });
  await seedAll(g.db, 6);
  schema = await apiSchema(g);
  samples = await sampleGraph(g, schema, as.customer(DEMO_USER));
});

afterAll(async () => {
  await g?.stop();
});

/** An id of the same shape that nobody has: every digit and hex letter changed, length and prefix kept. */
function missingLike(id: string): string {
  const dash = id.indexOf('-');
  const [prefix, rest] = dash > 0 && !/^[A-HJ-NPR-Z0-9]{17}$/.test(id) ? [id.slice(0, dash + 1), id.slice(dash + 1)] : ['', id];
  return prefix + rest.replace(/[0-9]/g, (d) => (d === '9' ? '8' : '9')).replace(/[a-f]/g, (c) => (c === 'f' ? 'e' : 'f'));
}

/** One id argument of one root field that names someone's own object: `payDeposit(orderId)`. */
interface Case {
  name: string;
  operation: 'query' | 'mutation';
  field: GraphQLField<unknown, unknown>;
  leaf: string;
  theirs: string;
}

/**
 * Every id argument (or input field) of every query and mutation of every subgraph whose object is a
 * person's own (a type only the demo user's walk met, never the anonymous one): derived from the schema,
 * so a new folder's by-id fields are swept without an edit.
 */
function personalIdArguments(): Case[] {
  const cases: Case[] = [];
  for (const [operation, root] of [['query', schema.getQueryType()!], ['mutation', schema.getMutationType()!]] as const) {
    for (const field of Object.values(root.getFields())) {
      for (const leaf of argumentLeaves(field)) {
        const target = idTargetOf(schema, samples, field, leaf);
        if (target && isPersonal(samples, target.type)) {
          cases.push({ name: `${field.name}(${leaf.path})`, operation, field, leaf: leaf.path, theirs: String(sampleOf(samples, target.type)![target.key]) });
        }
      }
    }
  }
  return cases;
}

/** What `who` is told for `c` with `id` in the swept argument, every other argument as `choose` picks it. */
async function answerTo(c: Case, id: string, who: Identity, choose: (leaf: ArgumentLeaf) => unknown) {
  const { query, variables } = callWith(schema, c.operation, c.field, (leaf) => (leaf.path === c.leaf ? id : choose(leaf)), includes(c));
  const res: GqlResult = await g.gql(query, variables, who);
  const e = res.errors?.[0];
  return { code: e?.extensions?.code ?? 'OK', message: e?.message.split(id).join('<id>') ?? null, data: res.data ? Object.values(res.data)[0] : null };
}

/** Takes the swept argument even when it is optional (`placeOrder(input.tradeInId)`). */
const includes = (c: Case) => (path: string) => c.leaf === path || c.leaf.startsWith(`${path}.`) || c.leaf.startsWith(`${path}[`);

/**
 * The other arguments of `c` aimed at the demo user's objects and chosen to pass the input checks `who`
 * meets with their id, so that what answers is the lookup of the id (a store that does modifications,
 * a swap in the past).
 */
const argumentsReaching = (c: Case, who: Identity) =>
  reachingChoice((call) => g.gql(call.query, call.variables, who), schema, c.operation, c.field, candidatesFor(schema, samples, c.field), (leaf) => (leaf.path === c.leaf ? c.theirs : undefined), includes(c));

describe("someone else's id answers exactly like an id nobody has", () => {
  test('for every id argument of every query and mutation that names a person\'s own object, as another customer and as an unrelated partner', async () => {
    const cases = personalIdArguments();
    const differs: unknown[] = [];
    const checked: string[] = [];
    for (const c of cases) {
      const missing = missingLike(c.theirs);
      expect([c.name, missing !== c.theirs && missing.length === c.theirs.length]).toEqual([c.name, true]);
      for (const [label, who] of INTRUDERS) {
        const choose = await argumentsReaching(c, who);
        const hidden = await answerTo(c, c.theirs, who, choose);
        const absent = await answerTo(c, missing, who, choose);
        // FORBIDDEN here is the caller's role refused before any id is looked at, and so is a field
        // outside a partner's contract (refused at the gateway as an unknown field); anything else (a bad
        // argument, an answer) would prove nothing about the id, so it fails the sweep.
        const outsideContract = who.role === 'partner' && hidden.code === 'GRAPHQL_VALIDATION_FAILED' && /^(Cannot query field|Unknown type) /.test(hidden.message ?? '');
        const proves = outsideContract || (hidden.data === null && (hidden.code === 'NOT_FOUND' || hidden.code === 'FORBIDDEN') && !/exists|belongs|your own|not yours/i.test(hidden.message ?? ''));
        if (!proves || JSON.stringify(hidden) !== JSON.stringify(absent)) differs.push({ case: c.name, as: label, hidden, absent });
        else if (hidden.code === 'NOT_FOUND') checked.push(`${c.name} as ${label}`);
      }
    }
    expect(differs).toEqual([]);
    // Not vacuous: most by-id fields reach their lookup, for one intruder or the other.
    expect(new Set(checked.map((x) => x.split(' as ')[0])).size).toBeGreaterThan(20);
  });

  test('the owner reads every one of their own objects another customer is told does not exist (the check is isolation, not a blanket NOT_FOUND)', async () => {
    const [, customer] = INTRUDERS[0];
    const reads = personalIdArguments().filter((c) => c.operation === 'query');
    let owned = 0;
    for (const c of reads) {
      const choose = await argumentsReaching(c, customer);
      if ((await answerTo(c, c.theirs, customer, choose)).code !== 'NOT_FOUND') continue;
      expect([c.name, await answerTo(c, c.theirs, as.customer(DEMO_USER), choose)]).toEqual([c.name, { code: 'OK', message: null, data: expect.anything() }]);
      owned += 1;
    }
    expect(owned).toBeGreaterThan(5);
  });
});
