/** The file source on its own, with a stand-in for the gateway's update callback: what it reads, when, and what it says. */
import { mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureLogs } from '../platform/logger';
import { fileSupergraph, SupergraphFileError, type FileSupergraphOptions } from './file-supergraph';
import { supergraphId } from './supergraph-source';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(done: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(20);
  }
}

describe('fileSupergraph', () => {
  let dir: string;
  let path: string;
  const cleanups: Array<() => Promise<void>> = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'autograph-file-source-'));
    path = join(dir, 'supergraph.graphql');
    writeFileSync(path, 'v1');
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts the source as the gateway does; `offered` records each SDL handed to the gateway. */
  async function start(opts: FileSupergraphOptions, refuse: (sdl: string) => boolean = () => false) {
    const source = fileSupergraph(path, opts);
    const offered: string[] = [];
    const update = (sdl: string) => {
      offered.push(sdl);
      if (refuse(sdl)) throw new Error(`refused ${sdl}`);
    };
    const { supergraphSdl, cleanup } = await source.initialize({ update, healthCheck: async () => undefined, getDataSource: () => undefined as never });
    cleanups.push(cleanup!);
    return { source, offered, supergraphSdl, cleanup: cleanup! };
  }

  test('a file that cannot be read is refused at once, naming the path and what to do', () => {
    expect(() => fileSupergraph(join(dir, 'missing.graphql'))).toThrow(SupergraphFileError);
    expect(() => fileSupergraph(join(dir, 'missing.graphql'))).toThrow(/cannot read the supergraph at .*missing\.graphql \(ENOENT\): run `npm run compose` or pass --supergraph PATH/);
  });

  test('watched: a file replaced by a rename is offered once the events settle, once per change', async () => {
    const { source, offered, supergraphSdl } = await start({ debounceMs: 30, pollMs: 0 });
    expect(supergraphSdl).toBe('v1');
    expect(source.status()).toMatchObject({ source: `file ${path}`, current: { id: supergraphId('v1') } });
    writeFileSync(`${path}.tmp`, 'v2');
    renameSync(`${path}.tmp`, path);
    await until(() => offered.length > 0);
    await sleep(150);
    expect(offered).toEqual(['v2']);
    expect(source.status().current?.id).toBe(supergraphId('v2'));
    writeFileSync(path, 'v3');
    await until(() => offered.length > 1);
    expect(offered).toEqual(['v2', 'v3']);
  });

  test('polled: with watching off, a change is still picked up by the next poll', async () => {
    const { offered } = await start({ watch: false, pollMs: 50 });
    writeFileSync(path, 'v2');
    await until(() => offered.length > 0);
    expect(offered).toEqual(['v2']);
  });

  test('a refused file is offered once, not again at every poll; each later change is offered, a bad one again too', async () => {
    const { source, offered } = await start({ watch: false, pollMs: 30 }, (sdl) => sdl === 'bad');
    const logs = captureLogs();
    try {
      writeFileSync(path, 'bad');
      await until(() => offered.length > 0);
      await sleep(200);
      expect(offered).toEqual(['bad']);
      expect(source.status()).toMatchObject({ current: { id: supergraphId('v1') }, lastRefusal: { id: supergraphId('bad'), reason: 'refused bad' } });
      writeFileSync(path, 'v2');
      await until(() => offered.length > 1);
      expect(source.status().current?.id).toBe(supergraphId('v2'));
      // The same bad file once more is a new refusal, newer than what is served.
      writeFileSync(path, 'bad');
      await until(() => offered.length > 2);
      expect(offered).toEqual(['bad', 'v2', 'bad']);
      const { current, lastRefusal } = source.status();
      expect(lastRefusal!.at >= current!.loadedAt).toBe(true);
    } finally {
      logs.stop();
    }
    expect(logs.lines().filter((l) => l.level === 40)).toHaveLength(2);
  });

  test('a file that disappears keeps the current supergraph, logged once; it is read again when it is back', async () => {
    const { source, offered } = await start({ watch: false, pollMs: 30 });
    const logs = captureLogs();
    try {
      unlinkSync(path);
      await sleep(200);
      expect(offered).toEqual([]);
      expect(source.status().current?.id).toBe(supergraphId('v1'));
      writeFileSync(path, 'v2');
      await until(() => offered.length > 0);
    } finally {
      logs.stop();
    }
    const warnings = logs.lines().filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].msg).toMatch(/cannot read the supergraph at .* \(ENOENT\).*the current supergraph keeps serving/);
  });

  test('after cleanup (the gateway stopped) nothing more is offered', async () => {
    const { offered, cleanup } = await start({ debounceMs: 10, pollMs: 20 });
    await cleanup();
    writeFileSync(path, 'v2');
    await sleep(200);
    expect(offered).toEqual([]);
  });
});
