/**
 * `npm start` as a new user runs it: on the embedded database, in a fresh data directory, it seeds,
 * serves the whole graph, prints a request for demo-driver that works when pasted, and stops cleanly.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..');
const tsx = require.resolve('tsx/cli');
const env = (extra: Record<string, string>) => {
  const { DATABASE_URL: _d, REDIS_URL: _r, ...rest } = process.env;
  return { ...rest, NODE_ENV: 'development', PORT: '0', CATALOG_PORT: '0', ORDERS_PORT: '0', FINANCE_PORT: '0', AFTERMARKET_PORT: '0', ENERGY_PORT: '0', ...extra };
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
  test('a port already in use and an unreachable database are reported plainly, exit 1', async () => {
    const busy = (await import('node:http')).createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = String((busy.address() as import('node:net').AddressInfo).port);
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
