/**
 * The catalog through the gateway: public reads, the price quote the orders subgraph relies on,
 * co-creation preferences, the manufacturer's demand view, and statement counts that prove batching.
 */
import { pseudonym } from '../kit/auth';
import { as, startTestGraph, type GqlResult, type TestGraph } from '../../testing/harness';
import { codeOf } from '../../testing/assertions';
import { IDENTITY_HEADER, type Identity } from '../../platform/identity';
import { Rng, seedUsers, DEMO_USER, SeedWorld } from '../kit/seed';
import { createServiceClient } from '../kit/subgraph';
import { seedCatalog } from './seed';
import { SEED_ACCESSORIES } from './seed/fixed-catalog';

let g: TestGraph;

/** A cheap, odd-priced accessory so exactness is tested beyond whole yuan. */
const CENT_ACCESSORY = { id: 'acc-test-polish', name: 'Test polish', price: '33.33' };

beforeAll(async () => {
  g = await startTestGraph();
  // Only the demo user responds in this world (they prefer the Aion UT), so the Nammi 01 demand
  // starts empty and the demand test controls every number in it.
  await seedCatalog(g.db, new SeedWorld({ rng: new Rng(1), users: seedUsers(1) }));
  await g.db.query(`INSERT INTO catalog.accessories (id, name, category, price_fen) VALUES ($1, $2, 'CARE', 3333)`, [CENT_ACCESSORY.id, CENT_ACCESSORY.name]);
});

afterAll(async () => {
  await g?.stop();
});


/** Calls the catalog subgraph directly, signed as the gateway signs `identity` (null: an anonymous caller), for `_entities`, which clients cannot send. */
async function direct(query: string, variables: Record<string, unknown>, identity: Identity | null = null): Promise<GqlResult> {
  const body = JSON.stringify({ query, variables });
  const headers: Record<string, string> = { 'content-type': 'application/json', [IDENTITY_HEADER]: await g.identityToken('catalog', identity, body) };
  const res = await fetch(g.subgraphUrl('catalog'), { method: 'POST', headers, body });
  return { ...((await res.json()) as GqlResult), status: res.status };
}

/** Statements one operation ran on the (shared) database. */
async function statementsOf<T>(run: () => Promise<T>): Promise<{ result: T; statements: number }> {
  const before = g.db.statementCount;
  const result = await run();
  return { result, statements: g.db.statementCount - before };
}

const QUOTE = `
  query Q($trimId: ID!, $colourId: ID, $packageId: ID, $accessoryIds: [ID!]) {
    quote(trimId: $trimId, colourId: $colourId, packageId: $packageId, accessoryIds: $accessoryIds) {
      trimId batteryRental manufacturerOrg
      trim { id name guidePrice { amount } model { id } }
      lines { kind refId description amount { amount currency } }
      total { amount currency }
    }
  }`;

const STATE = `
  mutation S($input: PreferenceInput!) {
    statePreference(input: $input) {
      id minRangeKm batteryOption features createdAt updatedAt
      model { id } colour { id name } priceExpectation { amount currency }
    }
  }`;

const DEMAND = `
  query D($modelId: ID!) {
    demand(modelId: $modelId) {
      model { id manufacturerOrg }
      respondents
      byColour { colour { id } respondents }
      byBatteryOption { batteryOption respondents }
      byRange { label minKm maxKm respondents }
      priceExpectation { min { amount } median { amount } max { amount } }
      topFeatures(first: 3) { feature respondents }
    }
  }`;

const validInput = (over: Record<string, unknown> = {}) => ({ modelId: 'model-aion-ut', priceExpectation: '75000.00', ...over });

describe('public catalog reads', () => {
  it('lets an anonymous caller read models with trims, exact guide prices, and a rental fee only on RENTAL trims', async () => {
    const r = await g.gql(`{
      models(first: 10) { edges { node { id name manufacturerOrg segment guidePriceFrom { amount } guidePriceTo { amount }
        trims { id name guidePrice { amount currency } rangeKm batteryKwh batteryOption swapCapable batteryRentalMonthlyFee { amount } available model { id } } } }
        pageInfo { hasNextPage } }
    }`);
    expect(r.errors).toBeUndefined();
    const models = r.data.models.edges.map((e: any) => e.node);
    expect(models.map((m: any) => m.id)).toEqual(['model-aion-ut', 'model-nammi-01']);
    const ut = models[0];
    expect(ut).toMatchObject({ name: 'Aion UT', manufacturerOrg: 'gac-aion', guidePriceFrom: { amount: '69800.00' }, guidePriceTo: { amount: '101800.00' } });
    expect(ut.trims).toHaveLength(6);
    for (const t of ut.trims) {
      expect(t.model.id).toBe('model-aion-ut');
      expect(t.guidePrice.currency).toBe('CNY');
      expect(t.guidePrice.amount).toMatch(/^\d+\.\d{2}$/);
      expect(t.batteryRentalMonthlyFee === null).toBe(t.batteryOption === 'OWNED');
      if (t.batteryOption === 'RENTAL') expect(t.swapCapable).toBe(true);
    }
    expect(ut.trims.find((t: any) => t.id === 'trim-ut-swap-420')).toMatchObject({ batteryKwh: '44.12', rangeKm: 420, swapCapable: true, batteryOption: 'OWNED' });
    expect(ut.trims.find((t: any) => t.id === 'trim-ut-swap-420-rental')).toMatchObject({ batteryOption: 'RENTAL', batteryRentalMonthlyFee: { amount: '399.00' } });
    // The discontinued Nammi trim is listed but not counted in the price range.
    expect(models[1]).toMatchObject({ guidePriceFrom: { amount: '75900.00' }, guidePriceTo: { amount: '75900.00' } });
    expect(models[1].trims.find((t: any) => t.id === 'trim-nammi-430-launch').available).toBe(false);
  });

  it('filters models by manufacturer organisation: only its models, an empty page for an organisation that makes none, BAD_USER_INPUT for a malformed one', async () => {
    const ids = async (org: string) => {
      const r = await g.gql(`query($o: String) { models(manufacturerOrg: $o, first: 10) { edges { node { id manufacturerOrg } } pageInfo { hasNextPage } } }`, { o: org });
      expect(r.errors).toBeUndefined();
      expect(r.data.models.pageInfo.hasNextPage).toBe(false);
      return r.data.models.edges.map((e: any) => [e.node.id, e.node.manufacturerOrg]);
    };
    expect(await ids('gac-aion')).toEqual([['model-aion-ut', 'gac-aion']]);
    expect(await ids('dongfeng-nammi')).toEqual([['model-nammi-01', 'dongfeng-nammi']]);
    expect(await ids('state-grid')).toEqual([]);
    const bad = await g.gql(`{ models(manufacturerOrg: "Not An Org") { edges { cursor } } }`);
    expect([codeOf(bad), bad.errors?.[0].extensions?.field]).toEqual(['BAD_USER_INPUT', 'manufacturerOrg']);
  });

  it('lists six colours and the four packages with their codes, prices and contents', async () => {
    const r = await g.gql(`{ colours { id name hex surcharge { amount } } packages { id code name price { amount } includes } }`);
    expect(r.errors).toBeUndefined();
    expect(r.data.colours).toHaveLength(6);
    expect(r.data.colours.find((c: any) => c.id === 'colour-lake-blue')).toEqual({ id: 'colour-lake-blue', name: 'Lake Blue', hex: '#3A78B5', surcharge: { amount: '1500.00' } });
    expect(r.data.packages.map((p: any) => p.code)).toEqual(['STANDARD', 'CUSTOM_CAR_COVER', 'ACCESSORY_ASSEMBLY', 'MAINTENANCE_ENHANCED']);
    expect(r.data.packages[0].price.amount).toBe('0.00');
    for (const p of r.data.packages) expect(p.includes.length).toBeGreaterThan(0);
  });

  it('pages through every accessory with cursors, without repeats, and filters by category', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const r: GqlResult = await g.gql(`query A($after: String) { accessories(first: 5, after: $after) { edges { cursor node { id category price { amount } } } pageInfo { hasNextPage endCursor } } }`, { after });
      expect(r.errors).toBeUndefined();
      seen.push(...r.data.accessories.edges.map((e: any) => e.node.id));
      if (!r.data.accessories.pageInfo.hasNextPage) break;
      after = r.data.accessories.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(SEED_ACCESSORIES.length + 1);
    expect(new Set(seen).size).toBe(seen.length);
    const charging = await g.gql(`{ accessories(category: CHARGING, first: 100) { edges { node { id category } } } }`);
    expect(charging.data.accessories.edges.map((e: any) => e.node.category)).toEqual(['CHARGING', 'CHARGING', 'CHARGING']);
  });

  it('refuses a forged cursor and a page size above 100 with BAD_USER_INPUT', async () => {
    const forged = Buffer.from(JSON.stringify([1, 2])).toString('base64url');
    for (const q of [
      `{ models(after: "${forged}") { edges { cursor } } }`,
      `{ models(after: "not-a-cursor") { edges { cursor } } }`,
      `{ accessories(after: "${Buffer.from(JSON.stringify(['NOPE', 'a', 'b'])).toString('base64url')}") { edges { cursor } } }`,
      `{ accessories(first: 101) { edges { cursor } } }`,
      `{ models(first: 0) { edges { cursor } } }`,
    ]) {
      expect(codeOf(await g.gql(q))).toBe('BAD_USER_INPUT');
    }
  });

  it('answers null for an unknown or malformed model / trim id', async () => {
    const r = await g.gql(`{ a: model(id: "model-nope") { id } b: trim(id: "trim-nope") { id } c: trim(id: "x y; drop") { id } d: trim(id: "trim-ut-330") { name } }`);
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({ a: null, b: null, c: null, d: { name: '330 Standard' } });
  });
});

describe('quote (the price contract orders calls)', () => {
  it('sums trim + colour + package + accessories exactly, line by line, in that order', async () => {
    const r = await g.gql(QUOTE, {
      trimId: 'trim-ut-swap-420',
      colourId: 'colour-lake-blue',
      packageId: 'pkg-maintenance-enhanced',
      accessoryIds: ['acc-dashcam', CENT_ACCESSORY.id, 'acc-floor-mats'],
    });
    expect(r.errors).toBeUndefined();
    const q = r.data.quote;
    expect(q).toMatchObject({ trimId: 'trim-ut-swap-420', batteryRental: false, manufacturerOrg: 'gac-aion', trim: { id: 'trim-ut-swap-420', model: { id: 'model-aion-ut' } } });
    expect(q.lines.map((l: any) => [l.kind, l.refId, l.amount.amount])).toEqual([
      ['TRIM', 'trim-ut-swap-420', '86800.00'],
      ['COLOUR', 'colour-lake-blue', '1500.00'],
      ['PACKAGE', 'pkg-maintenance-enhanced', '3999.00'],
      ['ACCESSORY', 'acc-dashcam', '799.00'],
      ['ACCESSORY', CENT_ACCESSORY.id, '33.33'],
      ['ACCESSORY', 'acc-floor-mats', '399.00'],
    ]);
    // 86800 + 1500 + 3999 + 799 + 33.33 + 399
    expect(q.total).toEqual({ amount: '93530.33', currency: 'CNY' });
    expect(q.lines[0].description).toBe('Aion UT 420 Swap');
    expect(q.lines[1].description).toBe('Colour: Lake Blue');
  });

  it('quotes the STANDARD package at 0.00 when no package is given, and no colour line without a colour', async () => {
    const r = await g.gql(QUOTE, { trimId: 'trim-ut-330' });
    expect(r.errors).toBeUndefined();
    expect(r.data.quote.lines.map((l: any) => [l.kind, l.refId, l.amount.amount])).toEqual([
      ['TRIM', 'trim-ut-330', '69800.00'],
      ['PACKAGE', 'pkg-standard', '0.00'],
    ]);
    expect(r.data.quote.total.amount).toBe('69800.00');
  });

  it('marks a battery-rental trim and names its manufacturer', async () => {
    const r = await g.gql(QUOTE, { trimId: 'trim-ut-swap-500-rental', colourId: 'colour-polar-white', accessoryIds: [] });
    expect(r.errors).toBeUndefined();
    expect(r.data.quote).toMatchObject({ batteryRental: true, manufacturerOrg: 'gac-aion', total: { amount: '79800.00' } });
  });

  it('answers the orders subgraph calling as the service role, directly', async () => {
    const client = createServiceClient('orders', g.identityFor('orders').serviceKey, { catalog: g.subgraphUrl('catalog') } as never);
    const data = await client.call<{ quote: { total: { amount: string }; batteryRental: boolean; lines: unknown[] } }>('catalog', QUOTE, {
      trimId: 'trim-nammi-330',
      packageId: 'pkg-custom-car-cover',
    });
    expect(data.quote.total.amount).toBe('77199.00');
    expect(data.quote.batteryRental).toBe(false);
    expect(data.quote.lines).toHaveLength(2);
  });

  it('is NOT_FOUND for an unknown trim, colour, package or accessory, naming the id', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ trimId: 'trim-x' }, 'unknown trim "trim-x"'],
      [{ trimId: 'trim-ut-330', colourId: 'colour-x' }, 'unknown colour "colour-x"'],
      [{ trimId: 'trim-ut-330', packageId: 'pkg-x' }, 'unknown package "pkg-x"'],
      [{ trimId: 'trim-ut-330', accessoryIds: ['acc-dashcam', 'acc-x'] }, 'unknown accessory "acc-x"'],
    ];
    for (const [vars, message] of cases) {
      const r = await g.gql(QUOTE, vars);
      expect(codeOf(r)).toBe('NOT_FOUND');
      expect(r.errors![0].message).toBe(message);
    }
  });

  it('refuses a discontinued trim, repeated accessories, more than 20 accessories and malformed ids with BAD_USER_INPUT', async () => {
    const unavailable = await g.gql(QUOTE, { trimId: 'trim-nammi-430-launch' });
    expect(codeOf(unavailable)).toBe('BAD_USER_INPUT');
    expect(unavailable.errors![0].message).toContain('no longer available');

    const twice = await g.gql(QUOTE, { trimId: 'trim-ut-330', accessoryIds: ['acc-dashcam', 'acc-hud', 'acc-dashcam'] });
    expect(codeOf(twice)).toBe('BAD_USER_INPUT');
    expect(twice.errors![0].message).toContain('acc-dashcam');

    const many = await g.gql(QUOTE, { trimId: 'trim-ut-330', accessoryIds: Array.from({ length: 21 }, (_, i) => `acc-${i}`) });
    expect(codeOf(many)).toBe('BAD_USER_INPUT');

    for (const vars of [{ trimId: 'trim ut 330' }, { trimId: 'x'.repeat(65) }, { trimId: 'trim-ut-330', colourId: "'; DROP TABLE x" }, { trimId: 'trim-ut-330', accessoryIds: [''] }]) {
      expect(codeOf(await g.gql(QUOTE, vars))).toBe('BAD_USER_INPUT');
    }
    // GraphQL coerces a single string to a one-item list; the comma makes it an id that can never exist.
    expect(codeOf(await g.gql(QUOTE, { trimId: 'trim-ut-330', accessoryIds: 'acc-dashcam,acc-hud' as unknown as string[] }))).toBe('BAD_USER_INPUT');
  });
});

describe('statePreference (co-creation)', () => {
  it('stores a customer preference with normalised features, and restating replaces it (same id)', async () => {
    const first = await g.gql(
      STATE,
      { input: validInput({ colourId: 'colour-mint-green', minRangeKm: 420, batteryOption: 'RENTAL', priceExpectation: '72000.50', features: ['  Battery   Swap ', 'battery swap', 'Heat Pump'] }) },
      as.customer('pref-alice'),
    );
    expect(first.errors).toBeUndefined();
    const p = first.data.statePreference;
    expect(p).toMatchObject({
      model: { id: 'model-aion-ut' },
      colour: { id: 'colour-mint-green', name: 'Mint Green' },
      minRangeKm: 420,
      batteryOption: 'RENTAL',
      priceExpectation: { amount: '72000.50', currency: 'CNY' },
      features: ['battery swap', 'heat pump'],
    });
    expect(p.createdAt).toBe(p.updatedAt);

    const again = await g.gql(STATE, { input: validInput({ priceExpectation: '70000' }) }, as.customer('pref-alice'));
    expect(again.errors).toBeUndefined();
    expect(again.data.statePreference).toMatchObject({ id: p.id, colour: null, minRangeKm: null, batteryOption: null, features: [], priceExpectation: { amount: '70000.00' }, createdAt: p.createdAt });

    const mine = await g.gql(`{ me { preferences { edges { node { id model { id } priceExpectation { amount } } } } } }`, {}, as.customer('pref-alice'));
    expect(mine.errors).toBeUndefined();
    expect(mine.data.me.preferences.edges.map((e: any) => e.node)).toEqual([{ id: p.id, model: { id: 'model-aion-ut' }, priceExpectation: { amount: '70000.00' } }]);
  });

  it('keeps one preference per user and model when the same customer states it concurrently', async () => {
    const who = as.customer('pref-racer');
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => g.gql(STATE, { input: validInput({ modelId: 'model-aion-ut', priceExpectation: `${70000 + i}.00` }) }, who)),
    );
    for (const r of results) expect(r.errors).toBeUndefined();
    expect(new Set(results.map((r) => r.data.statePreference.id)).size).toBe(1);
    const [row] = await g.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM catalog.preferences WHERE user_id = 'pref-racer'`);
    expect(row.n).toBe('1');
  });

  it('needs a token (UNAUTHENTICATED) and the customer role (partner, analyst, admin: FORBIDDEN)', async () => {
    expect(codeOf(await g.gql(STATE, { input: validInput() }))).toBe('UNAUTHENTICATED');
    for (const who of [as.partner('p-1', 'gac-aion'), as.analyst(), as.admin()]) {
      // A partner does not get that far: statePreference is outside the partner contract, refused at the gateway like an unknown field.
      expect(codeOf(await g.gql(STATE, { input: validInput() }, who))).toBe(who.role === 'partner' ? 'GRAPHQL_VALIDATION_FAILED' : 'FORBIDDEN');
    }
  });

  it('refuses negative, zero, oversized, float, non-numeric and over-precise price expectations', async () => {
    for (const priceExpectation of ['-1.00', '0', '0.00', '1000000.01', '99999999999', 'abc', '75000.123', '7.5e4', ' 75000', 75000.5, 75000]) {
      const r = await g.gql(STATE, { input: validInput({ priceExpectation }) }, as.customer('pref-bob'));
      expect([priceExpectation, codeOf(r)]).toEqual([priceExpectation, 'BAD_USER_INPUT']);
    }
    // The upper bound itself is accepted.
    const max = await g.gql(STATE, { input: validInput({ priceExpectation: '1000000.00' }) }, as.customer('pref-bob'));
    expect(max.errors).toBeUndefined();
  });

  it('refuses too many, empty or too long features, and a range outside 0..2000, naming the field', async () => {
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ features: Array.from({ length: 11 }, (_, i) => `feature ${i}`) }, 'features'],
      [{ features: ['   '] }, 'features'],
      [{ features: ['x'.repeat(41)] }, 'features'],
      [{ features: ['line\u0007bell'] }, 'features'],
      [{ minRangeKm: -1 }, 'minRangeKm'],
      [{ minRangeKm: 2001 }, 'minRangeKm'],
      [{ modelId: 'model nope' }, 'modelId'],
    ];
    for (const [over, field] of bad) {
      const r = await g.gql(STATE, { input: validInput(over) }, as.customer('pref-bob'));
      expect([over, codeOf(r), r.errors?.[0]?.extensions?.field]).toEqual([over, 'BAD_USER_INPUT', field]);
    }
    // Wrong GraphQL types are refused before any resolver runs.
    for (const over of [{ minRangeKm: 1.5 }, { minRangeKm: '400' }, { batteryOption: 'LEASED' }, { features: [1, 2] }, { modelId: null }]) {
      const r = await g.gql(STATE, { input: validInput(over) }, as.customer('pref-bob'));
      expect(r.errors?.length).toBeGreaterThan(0);
      expect(r.data?.statePreference).toBeUndefined();
    }
    // Exactly 10 features of 40 characters are fine.
    const edge = await g.gql(STATE, { input: validInput({ features: Array.from({ length: 10 }, (_, i) => `${i}`.padEnd(40, 'x')) }) }, as.customer('pref-bob'));
    expect(edge.errors).toBeUndefined();
  });

  it('is NOT_FOUND for an unknown model or colour', async () => {
    const model = await g.gql(STATE, { input: validInput({ modelId: 'model-x' }) }, as.customer('pref-bob'));
    expect([codeOf(model), model.errors![0].message]).toEqual(['NOT_FOUND', 'unknown model "model-x"']);
    const colour = await g.gql(STATE, { input: validInput({ colourId: 'colour-x' }) }, as.customer('pref-bob'));
    expect([codeOf(colour), colour.errors![0].message]).toEqual(['NOT_FOUND', 'unknown colour "colour-x"']);
  });

  it('lets the user, an analyst and an admin read User.preferences; another customer and a partner get FORBIDDEN', async () => {
    const query = `query E($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { id preferences(first: 5) { edges { node { id } } } } } }`;
    // As the gateway sends it: `internalId` is the real id (from orders); an analyst's `id` is the pseudonym.
    const reps = [{ __typename: 'User', id: DEMO_USER, internalId: DEMO_USER }];
    for (const who of [as.customer(DEMO_USER), as.analyst(), as.admin()]) {
      const r = await direct(query, { reps: who.role === 'analyst' ? [{ ...reps[0], id: pseudonym(DEMO_USER) }] : reps }, who);
      expect(r.errors).toBeUndefined();
      expect(r.data._entities[0].preferences.edges).toHaveLength(1);
    }
    for (const who of [as.customer('someone-else'), as.partner('p-1', 'gac-aion'), null]) {
      const r = await direct(query, { reps }, who);
      expect(codeOf(r)).toBe(who ? 'FORBIDDEN' : 'UNAUTHENTICATED');
    }
  });

  it('pages a user’s preferences newest first with cursors', async () => {
    const who = as.customer('pref-carol');
    expect((await g.gql(STATE, { input: validInput({ modelId: 'model-aion-ut' }) }, who)).errors).toBeUndefined();
    expect((await g.gql(STATE, { input: validInput({ modelId: 'model-nammi-01' }) }, who)).errors).toBeUndefined();
    const page = `query P($after: String) { me { preferences(first: 1, after: $after) { edges { node { model { id } } } pageInfo { hasNextPage endCursor } } } }`;
    const p1 = await g.gql(page, {}, who);
    expect(p1.data.me.preferences.edges[0].node.model.id).toBe('model-nammi-01');
    expect(p1.data.me.preferences.pageInfo.hasNextPage).toBe(true);
    const p2 = await g.gql(page, { after: p1.data.me.preferences.pageInfo.endCursor }, who);
    expect(p2.data.me.preferences.edges[0].node.model.id).toBe('model-aion-ut');
    expect(p2.data.me.preferences.pageInfo.hasNextPage).toBe(false);
    expect(codeOf(await g.gql(page, { after: Buffer.from('["nope","x"]').toString('base64url') }, who))).toBe('BAD_USER_INPUT');
  });
});

test('someone who has only stated a preference is not yet a user of the graph: user(id:) is NOT_FOUND (orders does not read the catalog)', async () => {
  const person = 'prefs-only-1';
  expect((await g.gql(STATE, { input: validInput() }, as.customer(person))).errors).toBeUndefined();
  const mine = await g.gql(`{ me { preferences { edges { node { model { id } } } } } }`, {}, as.customer(person));
  expect(mine.data?.me.preferences.edges.map((e: any) => e.node.model.id)).toEqual(['model-aion-ut']);
  const r = await g.gql(`query($id: ID!) { user(id: $id) { id } }`, { id: person }, as.admin());
  expect([codeOf(r), r.data?.user ?? null]).toEqual(['NOT_FOUND', null]);
});

describe('demand view (for the manufacturer)', () => {
  it('is for a partner of the model’s manufacturer, analysts and admins; others get FORBIDDEN, no token UNAUTHENTICATED', async () => {
    for (const who of [as.partner('gac-1', 'gac-aion'), as.analyst(), as.admin()]) {
      const r = await g.gql(DEMAND, { modelId: 'model-aion-ut' }, who);
      expect(r.errors).toBeUndefined();
      expect(r.data.demand.respondents).toBeGreaterThan(0);
    }
    for (const who of [as.partner('nammi-1', 'dongfeng-nammi'), as.customer(DEMO_USER)]) {
      expect(codeOf(await g.gql(DEMAND, { modelId: 'model-aion-ut' }, who))).toBe('FORBIDDEN');
    }
    expect(codeOf(await g.gql(DEMAND, { modelId: 'model-aion-ut' }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await g.gql(DEMAND, { modelId: 'model-x' }, as.analyst()))).toBe('NOT_FOUND');
    expect(codeOf(await g.gql(DEMAND, { modelId: 'model x' }, as.analyst()))).toBe('BAD_USER_INPUT');
  });

  it('aggregates known preferences exactly: counts, range buckets, lower median, top features — and no user ids', async () => {
    const nammi = as.partner('nammi-1', 'dongfeng-nammi');
    const empty = await g.gql(DEMAND, { modelId: 'model-nammi-01' }, nammi);
    expect(empty.errors).toBeUndefined();
    // pref-carol (previous test) is the only respondent so far.
    expect(empty.data.demand.respondents).toBe(1);

    const state = (user: string, input: Record<string, unknown>) => g.gql(STATE, { input: { modelId: 'model-nammi-01', ...input } }, as.customer(user));
    for (const [user, input] of [
      ['dem-1', { colourId: 'colour-lake-blue', minRangeKm: 300, batteryOption: 'OWNED', priceExpectation: '80000.00', features: ['Heated seats', 'large boot'] }],
      ['dem-2', { colourId: 'colour-lake-blue', minRangeKm: 450, batteryOption: 'RENTAL', priceExpectation: '85000.50', features: ['heated seats'] }],
      ['dem-3', { colourId: 'colour-polar-white', minRangeKm: 650, priceExpectation: '90000', features: ['heated seats', 'large boot', 'heat pump'] }],
      ['dem-4', { priceExpectation: '64999.99', features: ['360 camera'] }],
      // dem-1 restates: only the latest statement counts.
      ['dem-1', { colourId: 'colour-lake-blue', minRangeKm: 300, batteryOption: 'OWNED', priceExpectation: '120000.00', features: ['heated seats', 'large boot'] }],
    ] as Array<[string, Record<string, unknown>]>) {
      expect((await state(user, input)).errors).toBeUndefined();
    }

    const r = await g.gql(DEMAND, { modelId: 'model-nammi-01' }, nammi);
    expect(r.errors).toBeUndefined();
    const d = r.data.demand;
    // Respondents: carol (75000.00, nothing else stated) + dem-1..4.
    expect(d.respondents).toBe(5);
    expect(d.byColour).toEqual([
      { colour: { id: 'colour-lake-blue' }, respondents: 2 },
      { colour: { id: 'colour-polar-white' }, respondents: 1 },
    ]);
    expect(d.byBatteryOption).toEqual([
      { batteryOption: 'OWNED', respondents: 1 },
      { batteryOption: 'RENTAL', respondents: 1 },
    ]);
    expect(d.byRange).toEqual([
      { label: '0-299 km', minKm: 0, maxKm: 299, respondents: 0 },
      { label: '300-399 km', minKm: 300, maxKm: 399, respondents: 1 },
      { label: '400-499 km', minKm: 400, maxKm: 499, respondents: 1 },
      { label: '500-599 km', minKm: 500, maxKm: 599, respondents: 0 },
      { label: '600+ km', minKm: 600, maxKm: null, respondents: 1 },
    ]);
    // Sorted: 64999.99, 75000.00, 85000.50, 90000.00, 120000.00 → median 85000.50.
    expect(d.priceExpectation).toEqual({ min: { amount: '64999.99' }, median: { amount: '85000.50' }, max: { amount: '120000.00' } });
    expect(d.topFeatures).toEqual([
      { feature: 'heated seats', respondents: 3 },
      { feature: 'large boot', respondents: 2 },
      { feature: '360 camera', respondents: 1 },
    ]);
    // Even count: lower middle. A sixth respondent at 70000.00 → 64999.99, 70000, 75000, 85000.50, 90000, 120000 → 75000.00.
    expect((await state('dem-5', { priceExpectation: '70000.00' })).errors).toBeUndefined();
    const even = await g.gql(DEMAND, { modelId: 'model-nammi-01' }, as.analyst());
    expect(even.data.demand.priceExpectation.median.amount).toBe('75000.00');

    const text = JSON.stringify([r, even]);
    for (const user of ['dem-1', 'dem-2', 'dem-3', 'dem-4', 'dem-5', 'pref-carol']) expect(text).not.toContain(user);
  });

  it('refuses topFeatures first outside 1..50', async () => {
    const r = await g.gql(`{ demand(modelId: "model-aion-ut") { topFeatures(first: 51) { feature } } }`, {}, as.analyst());
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
  });
});

describe('batching: statements per request do not grow with rows', () => {
  it('a quote costs the same statements with 1 and with 15 accessories', async () => {
    const one = await statementsOf(() => g.gql(QUOTE, { trimId: 'trim-ut-330', colourId: 'colour-mist-grey', accessoryIds: ['acc-hud'] }));
    const many = await statementsOf(() => g.gql(QUOTE, { trimId: 'trim-ut-330', colourId: 'colour-mist-grey', accessoryIds: SEED_ACCESSORIES.map((a) => a.id) }));
    expect(one.result.errors).toBeUndefined();
    expect(many.result.errors).toBeUndefined();
    expect(many.result.data.quote.lines).toHaveLength(3 + SEED_ACCESSORIES.length);
    expect(many.statements).toBe(one.statements);
  });

  it('__resolveReference of 1 and of 15 accessories (and trims with their models) is one statement per type', async () => {
    const query = `query E($reps: [_Any!]!) { _entities(representations: $reps) {
      ... on Accessory { id price { amount } } ... on Trim { id model { id } } ... on Colour { id } ... on Package { code } ... on VehicleModel { name } } }`;
    const one = await statementsOf(() => direct(query, { reps: [{ __typename: 'Accessory', id: 'acc-hud' }] }));
    const many = await statementsOf(() => direct(query, { reps: SEED_ACCESSORIES.map((a) => ({ __typename: 'Accessory', id: a.id })) }));
    expect(one.result.errors).toBeUndefined();
    expect(many.result.data._entities).toHaveLength(SEED_ACCESSORIES.length);
    expect(many.result.data._entities.map((e: any) => e.id)).toEqual(SEED_ACCESSORIES.map((a) => a.id));
    expect(many.statements).toBe(one.statements);
    expect(one.statements).toBe(1);

    // Every entity type at once, with a nested reference (Trim.model): still one statement per type
    // and nesting level, whether one trim or four (and a missing one) are asked for.
    const mixedReps = (trimIds: string[]) => [
      ...trimIds.map((id) => ({ __typename: 'Trim', id })),
      { __typename: 'Colour', id: 'colour-mint-green' },
      { __typename: 'Package', id: 'pkg-standard' },
      { __typename: 'VehicleModel', id: 'model-aion-ut' },
    ];
    const oneTrim = await statementsOf(() => direct(query, { reps: mixedReps(['trim-nammi-330']) }));
    const fourTrims = await statementsOf(() => direct(query, { reps: mixedReps(['trim-ut-330', 'trim-ut-420', 'trim-nammi-330', 'trim-missing', 'trim-ut-swap-420']) }));
    expect(fourTrims.result.errors).toBeUndefined();
    expect(fourTrims.result.data._entities[3]).toBeNull();
    expect(fourTrims.result.data._entities[2]).toEqual({ id: 'trim-nammi-330', model: { id: 'model-nammi-01' } });
    expect(fourTrims.statements).toBe(oneTrim.statements);
  });

  it('models with trims, and preferences of many users, are one statement per list', async () => {
    const nested = await statementsOf(() => g.gql(`{ models(first: 10) { edges { node { trims { model { trims { id } } } } } } }`));
    expect(nested.result.errors).toBeUndefined();
    // models page + trims of every model (the models themselves are primed by the page).
    expect(nested.statements).toBe(2);

    const query = `query E($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { preferences(first: 3) { edges { node { model { id } colour { id } } } } } } }`;
    const one = await statementsOf(() => direct(query, { reps: [{ __typename: 'User', id: pseudonym('dem-1'), internalId: 'dem-1' }] }, as.analyst()));
    const users = ['dem-1', 'dem-2', 'dem-3', 'dem-4', 'dem-5', 'pref-carol', DEMO_USER];
    const many = await statementsOf(() => direct(query, { reps: users.map((id) => ({ __typename: 'User', id: pseudonym(id), internalId: id })) }, as.analyst()));
    expect(many.result.errors).toBeUndefined();
    expect(many.result.data._entities.every((u: any) => u.preferences.edges.length >= 1)).toBe(true);
    expect(many.statements).toBe(one.statements);
  });
});
