/**
 * The containers as real processes: each role started with the image's entry point and the container's
 * arguments and environment from the base manifests (the image cannot be built here), answers its readiness
 * probe, and on SIGTERM answers 503 `stopping` and exits 0 within the pod's grace period. What differs from a
 * cluster, and only that: the database (a fresh test database), ports (0: any free one), HOST (loopback),
 * REDIS_URL (the test Redis) and where the mounted Secret files are.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestDb } from '../../testing/harness';
import { dockerfileStages, ROOT, words } from './image';
import { build } from './kustomize';
import { BASE_DIR } from './manifests';
import { containerEnv, workloads, type Workload } from './pods';

const objects = build(join(ROOT, BASE_DIR));
const pods = workloads(objects);
const entrypoint = words(dockerfileStages(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')).at(-1)!.instructions.filter((i) => i.getKeyword() === 'ENTRYPOINT').at(-1)!);
const byName = (name: string) => pods.find((w) => w.object.metadata.name === name)!;

interface Running {
  child: ChildProcess;
  url: string;
  output(): string;
}

let database: Awaited<ReturnType<typeof openTestDb>>;
const files = mkdtempSync(join(tmpdir(), 'autograph-container-'));
const started: ChildProcess[] = [];

beforeAll(async () => {
  database = await openTestDb();
  // As a deploy does: the migration Job first (servers in production only check their schema's version).
  const job = spawnContainer(byName('autograph-migrate'));
  const code = await new Promise<number | null>((r) => job.child.once('exit', (c) => r(c)));
  if (code !== 0) throw new Error(`the migration Job exited ${code}:\n${job.output()}`);
}, 300_000);
afterAll(async () => {
  // Its own process group each: whatever it left running (a child a shell did not pass the signal to) ends too.
  for (const c of started) {
    try {
      process.kill(-c.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await database?.drop();
  rmSync(files, { recursive: true, force: true });
});

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, output: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms; it printed:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function health(url: string): Promise<{ code: number; status?: string } | undefined> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) });
    return { code: res.status, status: ((await res.json()) as { status?: string }).status };
  } catch {
    return undefined;
  }
}

/** Spawns the workload's container command as the image would run it (its own process group). */
function spawnContainer(w: Workload): { child: ChildProcess; output(): string; all(): string } {
  const c = w.pod.containers[0];
  const env = {
    ...containerEnv(objects, w.pod, c, files),
    PATH: process.env.PATH ?? '',
    PORT: '0',
    REGISTRY_PORT: '0',
    HOST: '127.0.0.1',
    ...(database.url ? { DATABASE_URL: database.url } : {}),
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
  };
  const [command, ...flags] = entrypoint;
  const child = spawn(command === 'node' ? process.execPath : command, [...flags, ...(c.args ?? [])], { cwd: ROOT, env, detached: true });
  started.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, output: () => out.slice(-4000), all: () => out };
}

/** Starts a server's container and waits for the address it prints. */
async function startContainer(w: Workload): Promise<Running> {
  const { child, output, all } = spawnContainer(w);
  const url = await waitFor(`${w.object.metadata.name} did not print its address`, () => (child.exitCode !== null ? Promise.reject(new Error(`${w.object.metadata.name} exited ${child.exitCode}:\n${output()}`)) : /(http:\/\/127\.0\.0\.1:\d+)/.exec(all())?.[1]), 120_000, output);
  return { child, url, output };
}

describe.each(['autograph-gateway', 'autograph-orders', 'autograph-spending'])('the %s container', (name) => {
  it('is ready on its readiness probe, then on SIGTERM answers 503 stopping and exits 0 within its grace period', async () => {
    const w = byName(name);
    const probe = w.pod.containers[0].readinessProbe!.httpGet!.path;
    expect(probe).toBe('/health');
    const running = await startContainer(w);
    await waitFor(`${name} was not ready`, async () => ((await health(running.url))?.code === 200 ? true : undefined), 120_000, running.output);
    const exited = new Promise<number | null>((r) => running.child.once('exit', (code) => r(code)));
    const stoppedAt = Date.now();
    running.child.kill('SIGTERM');
    const during = await waitFor(`${name} did not say it is stopping`, async () => {
      const h = await health(running.url);
      return h && h.code !== 200 ? h : undefined;
    }, 4_000, running.output);
    expect(during).toEqual({ code: 503, status: 'stopping' });
    const code = await exited;
    expect([code, Date.now() - stoppedAt < (w.pod.terminationGracePeriodSeconds ?? 30) * 1000]).toEqual([0, true]);
  }, 300_000);
});

describe('the registry container', () => {
  it('is ready on its readiness probe and exits 0 on SIGTERM', async () => {
    const w = byName('autograph-registry');
    const running = await startContainer(w);
    await waitFor('the registry was not ready', async () => ((await health(running.url))?.code === 200 ? true : undefined), 120_000, running.output);
    const exited = new Promise<number | null>((r) => running.child.once('exit', (code) => r(code)));
    running.child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 300_000);
});
