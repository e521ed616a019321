/**
 * The analyst lifecycle-events view end to end, through the gateway on real PostgreSQL: after a
 * refresh it holds exactly the union of every contributor's `lifecycle_events` (recomputed here from
 * the base views), people only as pseudonyms; its filters, pages and partitions; who may read it;
 * and that the store follows new writes — including a transaction that commits after a later one.
 */
import { randomBytes } from 'node:crypto';
import { startTestGraph, as, type TestGraph } from '../../testing/harness';
import { codeOf, ok } from '../../testing/assertions';
import { seedAll } from '../../testing/seed';
import { pseudonym } from '../kit/auth';
import { formatFen } from '../../platform/money';
import { generateSigningKey } from '../../platform/signing-keys';
import { signServiceCall } from '../kit/caller';
import { IDENTITY_HEADER } from '../../platform/identity';

const EVENTS = `query($f: AnalystEventFilter, $first: Int, $after: String, $p: AnalyticsPartition) {
  analystLifecycleEvents(filter: $f, first: $first, after: $after, partition: $p) {
    asOf
    edges { cursor node { id source occurredAt stage kind amount { amount currency } category userId vin orderId modelId trimId city subjectType subjectId } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const REFRESH = `mutation { refreshAnalytics { asOf users sources } }`;
const ANALYST = as.analyst();
const ADMIN = as.admin();

interface Node {
  id: string;
  source: string;
  occurredAt: string;
  stage: string;
  kind: string;
  amount: { amount: string; currency: string } | null;
  category: string | null;
  userId: string;
  vin: string | null;
  orderId: string | null;
  modelId: string | null;
  trimId: string | null;
  city: string | null;
  subjectType: string;
  subjectId: string;
}

let g: TestGraph;

/** Every event of the view for this filter/partition, page by page (checking that pages are in order). */
async function readAll(filter: Record<string, unknown> | null = null, partition: { index: number; count: number } | null = null, first = 100): Promise<Node[]> {
  const all: Node[] = [];
  let after: string | null = null;
  for (let page = 0; page < 10_000; page++) {
    const c: any = ok(await g.gql(EVENTS, { f: filter, first, after, p: partition }, ANALYST)).analystLifecycleEvents;
    expect(c.edges.length).toBeLessThanOrEqual(first);
    all.push(...c.edges.map((e: any) => e.node));
    if (!c.pageInfo.hasNextPage) return all;
    after = c.pageInfo.endCursor;
  }
  throw new Error('too many pages');
}

/** The union of every contributor's base view, as analysts should see it. */
async function baseEvents() {
  // Every schema with a lifecycle_events view is a contributor (the analytics store is a table, not one).
  const contributors = (await g.db.query<{ s: string }>(`SELECT table_schema AS s FROM information_schema.views WHERE table_name = 'lifecycle_events'`)).map((r) => r.s);
  expect(contributors.length).toBeGreaterThanOrEqual(5);
  const rows: Array<{ source: string; event_id: string; user_id: string; vin: string | null; order_id: string | null; occurred_at: Date; stage: string; kind: string; amount_fen: string | null }> = [];
  for (const s of contributors) {
    rows.push(...(await g.db.query<any>(`SELECT $1::text AS source, event_id, user_id, vin, order_id, occurred_at, stage, kind, amount_fen::text AS amount_fen FROM ${s}.lifecycle_events`, [s])));
  }
  return rows;
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

beforeAll(async () => {
  g = await startTestGraph();
  await seedAll(g.db, 12);
  ok(await g.gql(REFRESH, {}, ADMIN));
}, 240_000);
afterAll(async () => g?.stop());

describe('after a refresh, the view holds every contributor’s events', () => {
  it('exactly the union of the base lifecycle_events views: same ids, times, stages, kinds, amounts, with each person as their pseudonym', async () => {
    const seen = await readAll();
    const base = await baseEvents();
    expect(base.length).toBeGreaterThan(50);
    expect(seen.length).toBe(base.length);
    const want = base.map((r) => ({ id: r.event_id, source: r.source, occurredAt: new Date(r.occurred_at).toISOString(), stage: r.stage, kind: r.kind, amount: r.amount_fen === null ? null : formatFen(BigInt(r.amount_fen)), userId: pseudonym(r.user_id), vin: r.vin, orderId: r.order_id })).sort(byId);
    const got = seen.map((n) => ({ id: n.id, source: n.source, occurredAt: n.occurredAt, stage: n.stage, kind: n.kind, amount: n.amount?.amount ?? null, userId: n.userId, vin: n.vin, orderId: n.orderId })).sort(byId);
    expect(got).toEqual(want);
    // Every source of the graph with events is in it.
    expect(new Set(seen.map((n) => n.source))).toEqual(new Set(base.map((r) => r.source)));
  });

  it('is oldest first (ties by id), and no real user id appears anywhere in it', async () => {
    const seen = await readAll(null, null, 37);
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1], seen[i]];
      expect(a.occurredAt < b.occurredAt || (a.occurredAt === b.occurredAt && Buffer.compare(Buffer.from(a.id), Buffer.from(b.id)) < 0)).toBe(true);
    }
    const realIds = (await g.db.query<{ id: string }>('SELECT id FROM orders.users')).map((r) => r.id);
    const text = JSON.stringify(seen);
    for (const id of realIds) expect(text).not.toContain(`"${id}"`);
    expect(seen.every((n) => n.userId.startsWith('anon-'))).toBe(true);
  });

  it('money events carry their spending category; the others none', async () => {
    const seen = await readAll();
    const money = seen.filter((n) => n.amount);
    expect(money.length).toBeGreaterThan(10);
    expect(money.every((n) => typeof n.category === 'string' && n.category.length > 0)).toBe(true);
    expect(seen.filter((n) => !n.amount).every((n) => n.category === null)).toBe(true);
  });
});

describe('filters', () => {
  let all: Node[];
  beforeAll(async () => {
    all = await readAll();
  });

  it('by stage, period, model, trim and city, each equal to filtering the whole view', async () => {
    const times = all.map((n) => n.occurredAt).sort();
    const from = times[Math.floor(times.length / 4)];
    const to = times[Math.floor((times.length * 3) / 4)];
    const withModel = all.find((n) => n.modelId)!;
    const withCity = all.find((n) => n.city)!;
    const cases: Array<[Record<string, unknown>, (n: Node) => boolean]> = [
      [{ stages: ['MAINTENANCE', 'USAGE'] }, (n) => ['MAINTENANCE', 'USAGE'].includes(n.stage)],
      [{ from, to }, (n) => n.occurredAt >= from && n.occurredAt < to],
      [{ modelIds: [withModel.modelId] }, (n) => n.modelId === withModel.modelId],
      [{ trimIds: [withModel.trimId] }, (n) => n.trimId === withModel.trimId],
      [{ cities: [withCity.city] }, (n) => n.city === withCity.city],
      [{ stages: ['PURCHASE'], modelIds: [withModel.modelId], from }, (n) => n.stage === 'PURCHASE' && n.modelId === withModel.modelId && n.occurredAt >= from],
    ];
    for (const [filter, keep] of cases) {
      const want = all.filter(keep).map((n) => n.id);
      expect(want.length).toBeGreaterThan(0);
      expect((await readAll(filter)).map((n) => n.id)).toEqual(want);
    }
  });

  it('refuses a bad filter, page size, cursor or partition with BAD_USER_INPUT', async () => {
    const bad = [
      { f: { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } },
      { f: { modelIds: [] } },
      { f: { cities: ['x'.repeat(101)] } },
      { first: 0 },
      { first: 1001 },
      { after: 'not-a-cursor' },
      { p: { index: 3, count: 3 } },
      { p: { index: 0, count: 65 } },
      { p: { index: -1, count: 2 } },
    ];
    for (const vars of bad) expect([vars, codeOf(await g.gql(EVENTS, vars, ANALYST))]).toEqual([vars, 'BAD_USER_INPUT']);
  });
});

describe('pages and partitions', () => {
  it('pages of any size neither drop nor repeat an event', async () => {
    const whole = (await readAll(null, null, 100)).map((n) => n.id);
    for (const first of [1, 7, 64]) {
      if (first === 1 && whole.length > 400) continue; // too many requests for a one-per-page read
      expect((await readAll(null, null, first)).map((n) => n.id)).toEqual(whole);
    }
  });

  it('the partitions of a count are disjoint and together are the whole view (with a filter too)', async () => {
    for (const filter of [null, { stages: ['PURCHASE'] }]) {
      const whole = (await readAll(filter)).map((n) => n.id);
      const parts = await Promise.all([0, 1, 2].map((index) => readAll(filter, { index, count: 3 })));
      const union = parts.flatMap((p) => p.map((n) => n.id));
      expect(new Set(union).size).toBe(union.length);
      expect(union.sort()).toEqual([...whole].sort());
      expect(parts.every((p) => p.length > 0)).toBe(true);
    }
  });
});

describe('who may read it', () => {
  it('an analyst and an admin may; a customer and a partner are FORBIDDEN; no token is UNAUTHENTICATED', async () => {
    ok(await g.gql(EVENTS, { first: 1 }, ANALYST));
    ok(await g.gql(EVENTS, { first: 1 }, ADMIN));
    expect(codeOf(await g.gql(EVENTS, { first: 1 }, as.customer('demo-user')))).toBe('FORBIDDEN');
    // Partners' graph (the partner contract) has no analyst views; called directly, analytics refuses a partner.
    expect(codeOf(await g.gql(EVENTS, { first: 1 }, as.partner('p1', 'gac-aion')))).toBe('GRAPHQL_VALIDATION_FAILED');
    const request = JSON.stringify({ query: '{ analystLifecycleEvents(first: 1) { asOf } }' });
    const res = await fetch(g.subgraphUrl('analytics'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: await g.identityToken('analytics', { sub: 'p1', role: 'partner', org: 'gac-aion' }, request) },
      body: request,
    });
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('FORBIDDEN');
    expect(codeOf(await g.gql(EVENTS, { first: 1 }, null))).toBe('UNAUTHENTICATED');
    expect(codeOf(await g.gqlRaw(EVENTS, { first: 1 }, { authorization: 'Bearer forged.token.here' }))).toBe('UNAUTHENTICATED');
  });

  it('only an admin may refresh; the feed fields answer only another subgraph', async () => {
    expect(codeOf(await g.gql(REFRESH, {}, ANALYST))).toBe('FORBIDDEN');
    expect(codeOf(await g.gql(REFRESH, {}, as.customer('demo-user')))).toBe('FORBIDDEN');
    // The feed is not in the client graph...
    expect(codeOf(await g.gql(`{ financeLifecycleChanges(since: "") { userIds } }`, {}, ADMIN))).toBe('GRAPHQL_VALIDATION_FAILED');
    // ...and, called directly, refuses an admin's signed identity and an unsigned call.
    const request = JSON.stringify({ query: '{ financeLifecycleEventsOf(userIds: ["demo-user"]) { id } }' });
    const direct = async (headers: Record<string, string>) => {
      const res = await fetch(g.subgraphUrl('finance'), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: request });
      return (await res.json()) as any;
    };
    expect((await direct({ [IDENTITY_HEADER]: await g.identityToken('finance', { sub: 'admin-1', role: 'admin' }, request) })).errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await direct({})).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    // A service token signed by a key no subgraph of this graph holds, naming a service that is not in it.
    const foreign = await signServiceCall('x', generateSigningKey(), 'finance', request);
    expect((await direct({ [IDENTITY_HEADER]: foreign })).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});

describe('the store follows new writes at the next refresh', () => {
  const user = as.customer(`an-${randomBytes(4).toString('hex')}`);
  const mine = async () => (await readAll()).filter((n) => n.userId === pseudonym(user.sub));
  const bookTestDrive = (city: string) =>
    g.gql(`mutation($at: DateTime!, $c: String!) { bookTestDrive(input: { trimId: "trim-ut-swap-420-rental", city: $c, at: $at }) { id } }`, { at: new Date(Date.now() + 86400_000).toISOString(), c: city }, user);

  it('a test drive booked through the gateway appears, with the city, after the refresh', async () => {
    const id = ok(await bookTestDrive('Shenzhen')).bookTestDrive.id;
    // (The periodic refresh may have taken it first: either way it is there after this one.)
    ok(await g.gql(REFRESH, {}, ADMIN));
    const events = await mine();
    expect(events.map((e) => [e.kind, e.subjectId, e.city])).toEqual([['TEST_DRIVE_BOOKED', id, 'Shenzhen']]);
  });

  it('the next round acknowledges the last: the change log drops what the store has read, and keeps what it has not', async () => {
    const first = ok(await bookTestDrive('Foshan')).bookTestDrive.id;
    const logged = async () => Number((await g.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM orders.lifecycle_changes WHERE user_id = $1`, [user.sub]))[0].n);
    expect(await logged()).toBeGreaterThan(0);
    ok(await g.gql(REFRESH, {}, ADMIN)); // reads the booking; the cursor moves past it
    ok(await g.gql(REFRESH, {}, ADMIN)); // asks from that cursor: the booking's rows are acknowledged
    expect(await logged()).toBe(0);
    const second = ok(await bookTestDrive('Foshan')).bookTestDrive.id;
    expect(await logged()).toBeGreaterThan(0); // not read yet: kept
    ok(await g.gql(REFRESH, {}, ADMIN));
    expect((await mine()).map((e) => e.subjectId)).toEqual(expect.arrayContaining([first, second]));
  });

  it('a transaction that commits after a later one is not skipped', async () => {
    // The person exists in orders first: the held transaction's insert would otherwise hold their new row in
    // orders' user index, and the later booking would wait on it.
    ok(await bookTestDrive('Shenzhen'));
    ok(await g.gql(REFRESH, {}, ADMIN));
    const before = (await mine()).length;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let inserted!: () => void;
    const started = new Promise<void>((r) => (inserted = r));
    // An older transaction writes a test drive and stays open...
    const older = g.db.tx(async (q) => {
      await q.query(`INSERT INTO orders.test_drives (id, user_id, trim_id, city, status, booked_at, scheduled_at) VALUES ($1, $2, 'trim-ut-swap-420-rental', 'Foshan', 'BOOKED', now(), now() + interval '1 day')`, [`td-held-${randomBytes(3).toString('hex')}`, user.sub]);
      inserted();
      await held;
    });
    await started;
    try {
      // ...while a later one commits, and the store refreshes: the later one is in, the open one not yet.
      ok(await bookTestDrive('Zhuhai'));
      ok(await g.gql(REFRESH, {}, ADMIN));
      const now = await mine();
      expect(now.length).toBe(before + 1);
      expect(new Set(now.map((e) => e.city))).toEqual(new Set(['Zhuhai'])); // the city is the latest drive's
    } finally {
      // The older one commits; the next refresh has it.
      release();
      await older;
    }
    ok(await g.gql(REFRESH, {}, ADMIN));
    const after = await mine();
    expect(after.length).toBe(before + 2);
    expect(after.some((e) => e.kind === 'TEST_DRIVE_BOOKED' && e.subjectId.startsWith('td-held-'))).toBe(true);
  });
});
