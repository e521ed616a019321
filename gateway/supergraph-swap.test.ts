/**
 * The supergraph is swapped while the gateway runs, through the real path: the graph serves a
 * supergraph file (`fileSupergraph`, as `npm start` does); the test replaces the file with a supergraph
 * composed from modified subgraph SDL, and the gateway serves it without a restart, while a request
 * already in flight finishes on the supergraph it was planned on. A file that does not parse, or is not
 * a valid supergraph, is refused: the last good one keeps serving, and the refusal is logged and shown
 * in `/health/supergraph`.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { visit } from 'graphql';
import { captureLogs, currentRequestId } from '../platform/logger';
import { compose, formatProblems, readSupergraphConfig } from './composition';
import type { GatewayFeature } from './feature';
import { fileSupergraph } from './file-supergraph';
import { supergraphId, type SupergraphStatus } from './supergraph-source';
import { composeForTests, startTestGraph, type TestGraph } from '../testing/harness';

const MODELS = '{ models(first: 1) { edges { cursor } } }';

/** The graph composed as rover.yaml says, but with the catalog's `Query.models` taken out. */
function composeWithoutModels(): string {
  const sources = readSupergraphConfig('rover.yaml').subgraphs.map((s) => {
    if (s.name !== 'catalog') return s;
    const typeDefs = visit(s.typeDefs, {
      ObjectTypeDefinition: (node) => (node.name.value === 'Query' ? { ...node, fields: node.fields?.filter((f) => f.name.value !== 'models') } : undefined),
    });
    return { ...s, typeDefs };
  });
  const outcome = compose(sources);
  if (!outcome.ok) throw new Error(`composition failed:\n${formatProblems(outcome.problems)}`);
  return outcome.supergraphSdl;
}

/** Replaces the file the way `npm run compose` does: written beside it, renamed into place. */
function replaceFile(path: string, content: string): void {
  writeFileSync(`${path}.tmp`, content);
  renameSync(`${path}.tmp`, path);
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const HELD_REQUEST_ID = 'held-across-the-swap';
/** Holds the subgraph fetches of one request (by its id) until released: a request in flight during a swap. */
function holdingFeature() {
  const hold = { arrived: deferred(), release: deferred() };
  const feature: GatewayFeature = {
    name: 'test-hold',
    wrapFetch: (next) => async (call) => {
      if (currentRequestId() === HELD_REQUEST_ID) {
        hold.arrived.resolve();
        await hold.release.promise;
      }
      return next(call);
    },
  };
  return { hold, feature };
}

describe('the supergraph swapped while the gateway runs', () => {
  const REAL = composeForTests();
  const WITHOUT_MODELS = composeWithoutModels();
  const dir = mkdtempSync(join(tmpdir(), 'autograph-supergraph-'));
  const path = join(dir, 'supergraph.graphql');
  const { hold, feature } = holdingFeature();
  let g: TestGraph;

  beforeAll(async () => {
    writeFileSync(path, REAL);
    // Polled once a second as well, but the directory watch is what picks changes up here.
    g = await startTestGraph({ supergraph: fileSupergraph(path, { debounceMs: 50, pollMs: 1000 }), extraFeatures: [feature] });
  });
  afterAll(async () => {
    hold.release.resolve();
    await g?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const health = async () => (await (await fetch(new URL('/health/supergraph', g.url))).json()) as SupergraphStatus & { status: string };
  /** Waits until /health/supergraph satisfies `done`. */
  async function healthUntil(done: (h: SupergraphStatus & { status: string }) => boolean): Promise<SupergraphStatus & { status: string }> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const h = await health();
      if (done(h)) return h;
      if (Date.now() > deadline) throw new Error(`/health/supergraph did not change as expected: ${JSON.stringify(h)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const serving = (sdl: string) => healthUntil((h) => h.current?.id === supergraphId(sdl));

  test('without a restart, a new supergraph is served as soon as the file changes; a request in flight finishes on the old one', async () => {
    expect((await health()).current?.id).toBe(supergraphId(REAL));
    const before = await g.gql(MODELS);
    expect(before.errors).toBeUndefined();

    // Planned on the real supergraph, then held in its catalog fetch while the file changes under it.
    const inFlight = fetch(g.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': HELD_REQUEST_ID }, body: JSON.stringify({ query: MODELS }) });
    await hold.arrived.promise;

    replaceFile(path, WITHOUT_MODELS);
    const swapped = await serving(WITHOUT_MODELS);
    expect(swapped).toMatchObject({ status: 'ok', source: `file ${path}`, lastRefusal: null });
    expect(Date.parse(swapped.current!.loadedAt)).toBeGreaterThan(Date.now() - 10_000);
    const gone = await g.gql(MODELS);
    expect(gone.status).toBe(400);
    expect(gone.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(gone.errors?.[0].message).toMatch(/Cannot query field "models" on type "Query"/);

    hold.release.resolve();
    const finished = await inFlight;
    expect(finished.status).toBe(200);
    expect(await finished.json()).toEqual({ data: { models: { edges: expect.any(Array) } } });

    // The field comes back with the next file, served by the same gateway.
    replaceFile(path, REAL);
    await serving(REAL);
    const back = await g.gql(MODELS);
    expect([back.status, back.errors]).toEqual([200, undefined]);
    expect(back.data.models.edges).toEqual(expect.any(Array));
  });

  test('a file that does not parse, or is not a valid supergraph, is refused: the last good one keeps serving, and the refusal is logged and in /health/supergraph', async () => {
    replaceFile(path, REAL);
    await serving(REAL);
    const garbage = 'this is not a supergraph {';
    // Parses as GraphQL, but a field's type exists nowhere: Apollo's gateway refuses it as a supergraph.
    const queryStart = REAL.indexOf('{', REAL.indexOf('\ntype Query\n'));
    const invalid = `${REAL.slice(0, queryStart + 1)}\n  broken: NoSuchType${REAL.slice(queryStart + 1)}`;
    expect(REAL.indexOf('\ntype Query\n')).toBeGreaterThan(0);
    // A field joined to a subgraph the supergraph does not have: only full supergraph validation sees it,
    // which Apollo skips under NODE_ENV=production unless told otherwise; so it is offered as production runs.
    const unjoined = REAL.replace('@join__field(graph: CATALOG)', '@join__field(graph: NO_SUCH_SUBGRAPH)');
    expect(unjoined).not.toBe(REAL);

    const logs = captureLogs();
    const nodeEnv = process.env.NODE_ENV;
    try {
      for (const [sdl, reason, env] of [
        [garbage, /Syntax Error/, nodeEnv],
        [invalid, /Unknown type NoSuchType/, nodeEnv],
        [unjoined, /Invalid value for "@join__field\(graph:\)"/, 'production'],
      ] as const) {
        process.env.NODE_ENV = env;
        replaceFile(path, sdl);
        const refused = await healthUntil((h) => h.lastRefusal?.id === supergraphId(sdl));
        process.env.NODE_ENV = nodeEnv;
        expect(refused).toMatchObject({ status: 'refused', current: { id: supergraphId(REAL) } });
        expect(refused.lastRefusal?.reason).toMatch(reason);
        // Still the real supergraph: models answers.
        const res = await g.gql(MODELS);
        expect([res.status, res.errors]).toEqual([200, undefined]);
      }
    } finally {
      process.env.NODE_ENV = nodeEnv;
      logs.stop();
    }
    const refusals = logs.lines().filter((l) => l.level === 40 && typeof l.msg === 'string' && l.msg.startsWith('supergraph refused'));
    expect(refusals.map((l) => [l.supergraph, l.serving])).toEqual([garbage, invalid, unjoined].map((sdl) => [supergraphId(sdl), supergraphId(REAL)]));
    expect(refusals[1].reason).toMatch(/NoSuchType/);

    // A refusal is not sticky: the next good supergraph is served, and the health detail says ok again.
    replaceFile(path, WITHOUT_MODELS);
    const recovered = await serving(WITHOUT_MODELS);
    expect(recovered.status).toBe('ok');
    expect(recovered.lastRefusal?.id).toBe(supergraphId(unjoined));
    expect((await g.gql(MODELS)).errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

