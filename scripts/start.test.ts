/**
 * `npm start` as a new user runs it: on the embedded database, in a fresh data directory, it seeds,
 * serves the whole graph, prints a request for demo-driver that works when pasted, and stops cleanly.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEMO_USER } from '../subgraphs/kit/seed';
import { subgraphs } from '../subgraphs';

const root = resolve(__dirname, '..');
// tsx as a loader in the same process (not its CLI, which runs the script in a child that a SIGKILL
// of the CLI would leave running): killing the spawned process kills the server.
const tsx = '--import=tsx';
const env = (extra: Record<string, string>) => {
  const { DATABASE_URL: _d, REDIS_URL: _r, ...rest } = process.env;
  // PORT=0 puts the gateway and every subgraph on a free port.
  return { ...rest, NODE_ENV: 'development', PORT: '0', ...extra };
};

describe('npm start on the embedded database', () => {
  let child: ChildProcess;
  let output = '';
  afterAll(() => child?.kill('SIGKILL'));

  test('comes up, prints a working request for demo-driver, and stops on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'autograph-start-'));
    child = spawn(process.execPath, [tsx, 'scripts/start.ts', '--users', '5'], { cwd: root, env: env({ PGLITE_DIR: dataDir }) });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const deadline = Date.now() + 90_000;
    while (!/Other tokens/.test(output)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`npm start did not come up:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(output).toMatch(/Seeding 5 demo users/);
    const url = /gateway\s+(http:\/\/\S+)/.exec(output)![1];
    expect((await fetch(url.replace('/graphql', '/health'))).status).toBe(200);

    // The printed curl command, run as printed.
    const auth = /-H '(authorization: Bearer [^']+)'/.exec(output)![1].split(': ')[1];
    const body = /-d '(\{.*\})'/.exec(output)![1];
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body });
    const json = (await res.json()) as { data: { me: { id: string; spending: { total: { amount: string }; lines: { edges: unknown[] } } } } };
    expect(json.data.me.id).toBe('demo-driver');
    expect(Number(json.data.me.spending.total.amount)).toBeGreaterThan(0);
    expect(json.data.me.spending.lines.edges).toHaveLength(5);

    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 120_000);

  test.each([
    [['--port', 'eighty'], {}, /--port must be a whole number/],
    [['--supergraph', '/no/such/file.graphql'], {}, /cannot read the supergraph at \/no\/such\/file.graphql/],
    [[], { DATABASE_URL: 'mysql://nope' }, /DATABASE_URL="mysql:\/\/nope" is not a postgres/],
    [[], { JWT_SECRET: 'short', MAX_BODY_BYTES: 'lots' }, /JWT_SECRET must be at least 16[\s\S]*MAX_BODY_BYTES="lots"/],
  ])('refuses %p %p with a clear message and no stack trace', (args, extra, message) => {
    const r = spawnSync(process.execPath, [tsx, 'scripts/start.ts', ...(args as string[])], { cwd: root, env: env(extra as Record<string, string>), encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr + r.stdout).toMatch(message);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('npm start when its environment is not ready', () => {
  test("a subgraph's own bad setting (ANALYTICS_REFRESH_SECONDS) stops start-up before any database opens or port listens", () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'autograph-start-bad-'));
    const r = spawnSync(process.execPath, [tsx, 'scripts/start.ts', '--users', '5'], { cwd: root, env: env({ PGLITE_DIR: join(dataDir, 'db'), ANALYTICS_REFRESH_SECONDS: 'soon' }), encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toMatch(/ANALYTICS_REFRESH_SECONDS/);
    expect(r.status).toBe(2);
    expect(r.stdout).not.toMatch(/Seeding|gateway\s+http/);
    expect(existsSync(join(dataDir, 'db'))).toBe(false);
  });

  test('a port already in use and an unreachable database are reported plainly, exit 1', async () => {
    // The gateway's port is taken; its subgraphs' ports are free (a block below the ephemeral range, where
    // another test's connection could otherwise take one of them and be named instead).
    const busy = (await import('node:http')).createServer();
    const base = await freePortBlock();
    await new Promise<void>((r) => busy.listen(base, '127.0.0.1', r));
    const port = String(base);
    try {
      const inUse = spawnSync(process.execPath, [tsx, 'scripts/start.ts', '--no-seed'], {
        cwd: root,
        env: env({ PORT: port, PGLITE_DIR: mkdtempSync(join(tmpdir(), 'autograph-busy-')) }),
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(inUse.status).toBe(1);
      expect(inUse.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
    } finally {
      busy.close();
    }
    const noDb = spawnSync(process.execPath, [tsx, 'scripts/start.ts'], { cwd: root, env: env({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' }), encoding: 'utf8', timeout: 30_000 });
    expect(noDb.status).toBe(1);
    expect(noDb.stderr).toMatch(/cannot reach 127.0.0.1:1 \(ECONNREFUSED\)/);
    expect(noDb.stderr).not.toMatch(/\n\s+at /);
  }, 90_000);
});

/** Waits until the spawned process has printed `marker`, failing with its output if it exits or times out. */
async function until(child: ChildProcess, read: () => string, marker: RegExp, ms = 90_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!marker.test(read())) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`npm start did not print ${marker}:\n${read()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function spawnStart(args: string[], extra: Record<string, string>, base: NodeJS.ProcessEnv = env({})) {
  const child = spawn(process.execPath, [tsx, 'scripts/start.ts', ...args], { cwd: root, env: { ...base, ...extra } });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return { child, output: () => output };
}

async function stopped(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  return exited;
}

describe('npm start with NODE_ENV=production', () => {
  const secret = 'a-production-jwt-secret-value';
  const production = { NODE_ENV: 'production', JWT_SECRET: secret, AUTOGRAPH_PSEUDONYM_KEY: 'k'.repeat(40), PARTNER_TOKEN_SIGNING_KEY: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string };
  let started: ReturnType<typeof spawnStart> | undefined;
  afterAll(() => started?.child.kill('SIGKILL'));

  test('seeds no demo users, prints no token, refuses introspection and tokens that live longer than an hour', async () => {
    started = spawnStart([], { ...production, PGLITE_DIR: mkdtempSync(join(tmpdir(), 'autograph-prod-')) });
    await until(started.child, started.output, /Clients sign in with tokens/);
    const output = started.output();
    expect(output).toContain('NODE_ENV=production: no demo data is seeded and no token is printed');
    expect(output).not.toMatch(/Seeding/);
    expect(output).not.toMatch(/Bearer|eyJ/);
    expect(output).toMatch(/at most 3600 s long \(JWT_MAX_TTL_SECONDS\)\. Introspection is off \(INTROSPECTION\)/);
    const url = /gateway\s+(http:\/\/\S+)/.exec(output)![1];

    const ask = async (query: string, token?: string) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify({ query }) });
      return { status: res.status, body: (await res.json()) as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> } };
    };
    const introspection = await ask('{ __schema { queryType { name } } }');
    expect(introspection.body.errors?.[0].message).toMatch(/introspection is not allowed/i);

    const { mintToken } = await import('../gateway/auth');
    const settings = { issuer: 'autograph-local', audience: 'autograph', secret };
    const tooLong = await ask('{ me { id } }', await mintToken(settings, { sub: DEMO_USER, role: 'customer' }, 7200));
    expect(tooLong.status).toBe(401);
    expect(tooLong.body.errors?.[0].message).toMatch(/exp - iat is 7200 s, this graph accepts at most 3600 s/);
    // The demo user does not exist here: its spending is empty.
    const me = await ask('{ me { id spending { lines(first: 5) { edges { cursor } } } } }', await mintToken(settings, { sub: DEMO_USER, role: 'customer' }, 1800));
    expect(me.status).toBe(200);
    expect(me.body.data.me).toEqual({ id: DEMO_USER, spending: { lines: { edges: [] } } });

    expect(await stopped(started.child)).toBe(0);
  }, 120_000);

  test('--users is refused: the demo seed never runs in production', () => {
    const r = spawnSync(process.execPath, [tsx, 'scripts/start.ts', '--users', '5'], { cwd: root, env: { ...env({}), ...production }, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--users sizes the demo seed, which never runs with NODE_ENV=production/);
  });
});

/** A gateway port N with N … N+WIDTH all free on 127.0.0.1, clear of `avoid`. */
/** How far past the gateway's port the subgraphs reach (from their folders' default ports). */
const WIDTH = Math.max(...subgraphs().map((m) => m.port - 4000));

async function freePortBlock(avoid: number[] = []): Promise<number> {
  const { createServer } = await import('node:net');
  const free = (port: number) => new Promise<boolean>((r) => {
    const s = createServer();
    s.once('error', () => r(false));
    s.listen(port, '127.0.0.1', () => s.close(() => r(true)));
  });
  for (;;) {
    // Below Linux's ephemeral range (32768+), where other processes' port-0 servers and outgoing
    // connections would otherwise take a port between this check and npm start binding it.
    const base = 12_000 + Math.floor(Math.random() * 20_000);
    if (avoid.some((a) => Math.abs(a - base) <= WIDTH)) continue;
    const checks = await Promise.all(Array.from({ length: WIDTH + 1 }, (_, i) => free(base + i)));
    if (checks.every(Boolean)) return base;
  }
}

describe('two copies of npm start on one machine', () => {
  const copies: Array<ReturnType<typeof spawnStart>> = [];
  afterAll(() => copies.forEach((c) => c.child.kill('SIGKILL')));

  test('only --port differs: each puts every subgraph at its distance from N (4001 → N+1), prints every port, and both answer', async () => {
    // No port variables at all: the flag alone must move the whole stack.
    const { PORT: _p, ...base } = env({});
    const first = await freePortBlock();
    const second = await freePortBlock([first]);
    for (const port of [first, second]) copies.push(spawnStart(['--port', String(port), '--no-seed'], { PGLITE_DIR: mkdtempSync(join(tmpdir(), 'autograph-copy-')) }, base));
    await Promise.all(copies.map((c) => until(c.child, c.output, /Other tokens/, 110_000)));
    for (const [i, port] of [first, second].entries()) {
      const output = copies[i].output();
      expect(output).toContain(`gateway     http://127.0.0.1:${port}/graphql`);
      for (const m of subgraphs()) expect(output).toContain(`${m.name.padEnd(11)} http://127.0.0.1:${port + m.port - 4000}/graphql`);
      const health = await fetch(`http://127.0.0.1:${port}/health/subgraphs`);
      expect(health.status).toBe(200);
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ models(first: 1) { edges { cursor } } }' }) });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { errors?: unknown }).errors).toBeUndefined();
    }
    expect(await Promise.all(copies.map((c) => stopped(c.child)))).toEqual([0, 0]);
  }, 150_000);
});
