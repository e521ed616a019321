/** The parts of a supergraph source that need no gateway: what a supergraph routes to, and the keeper's bookkeeping. */
import { captureLogs } from '../platform/logger';
import { readSupergraphConfig } from './composition';
import { staticSupergraph, subgraphsOf, supergraphId, SupergraphKeeper } from './supergraph-source';
import { composeForTests } from '../testing/harness';

test('subgraphsOf names every subgraph of a supergraph with its routing URL, as rover.yaml lists them', () => {
  const listed = readSupergraphConfig('rover.yaml').subgraphs.map((s) => ({ name: s.name, url: s.routingUrl }));
  expect(listed.length).toBeGreaterThan(1);
  expect(subgraphsOf(composeForTests()).sort((a, b) => a.name.localeCompare(b.name))).toEqual(listed.sort((a, b) => a.name.localeCompare(b.name)));
});

test("a supergraph's id is the sha-256 of its SDL (Apollo Gateway's composition id)", () => {
  expect(supergraphId('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

describe('SupergraphKeeper', () => {
  function keeperWith(accept: (sdl: string) => boolean) {
    const keeper = new SupergraphKeeper('test source');
    const offered: string[] = [];
    keeper.initial('first');
    keeper.attach((sdl) => {
      offered.push(sdl);
      if (!accept(sdl)) throw new Error(`cannot use ${sdl}`);
    });
    return { keeper, offered };
  }

  test('the first supergraph is current; the same SDL again is not handed to the gateway', () => {
    const { keeper, offered } = keeperWith(() => true);
    expect(keeper.status()).toEqual({ source: 'test source', current: { id: supergraphId('first'), loadedAt: expect.any(String) }, lastRefusal: null });
    expect(keeper.offer('first')).toBe(true);
    expect(offered).toEqual([]);
  });

  test('a supergraph the gateway takes becomes current and is logged', () => {
    const { keeper, offered } = keeperWith(() => true);
    const logs = captureLogs();
    try {
      expect(keeper.offer('second')).toBe(true);
    } finally {
      logs.stop();
    }
    expect(offered).toEqual(['second']);
    expect(keeper.status().current?.id).toBe(supergraphId('second'));
    expect(logs.lines()).toEqual([expect.objectContaining({ level: 30, msg: 'new supergraph served', supergraph: supergraphId('second'), previous: supergraphId('first') })]);
  });

  test('a supergraph the gateway refuses leaves the current one, and is recorded and logged with the reason', () => {
    const { keeper } = keeperWith((sdl) => sdl !== 'bad');
    const logs = captureLogs();
    try {
      expect(keeper.offer('bad')).toBe(false);
    } finally {
      logs.stop();
    }
    expect(keeper.status()).toEqual({
      source: 'test source',
      current: { id: supergraphId('first'), loadedAt: expect.any(String) },
      lastRefusal: { id: supergraphId('bad'), at: expect.any(String), reason: 'cannot use bad' },
    });
    expect(logs.lines()).toEqual([expect.objectContaining({ level: 40, supergraph: supergraphId('bad'), serving: supergraphId('first'), reason: 'cannot use bad' })]);
  });

  test('offering before the gateway initialised the source is a programming error, said plainly', () => {
    expect(() => new SupergraphKeeper('x').offer('sdl')).toThrow(/before the gateway initialised it/);
  });
});

test('a static source hands over its one supergraph and reports it', async () => {
  const source = staticSupergraph('the sdl');
  const result = await source.initialize({ update: () => undefined, healthCheck: async () => undefined, getDataSource: () => undefined as never });
  expect(result.supergraphSdl).toBe('the sdl');
  expect(source.status()).toMatchObject({ source: 'static', current: { id: supergraphId('the sdl') }, lastRefusal: null });
});
