/**
 * `npm run migrate` as the process a deploy runs, and the servers that in production only check their
 * schema: `--check` lists what is pending and exits 1, a run migrates every schema with a line per file,
 * `--only` narrows it, an edited applied migration is refused by file name, a database the earlier runner
 * migrated is adopted, bad flags and an unreachable database get clear errors; a subgraph and the
 * registry in production refuse an unmigrated database naming `npm run migrate`, and start once it ran.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { openTestDb, TEST_JWT } from '../testing/harness';
import { asEarlierNames, earlierRunner } from '../testing/earlier-migrations';
import type { Db } from '../platform/db';

const root = resolve(__dirname, '..');

interface Ran {
  code: number | null;
  out: string;
}

/** Runs a script under tsx to its end (bounded: a hung process fails the test instead of the suite). */
function run(script: string, args: string[], env: Record<string, string> = {}): Promise<Ran> {
  const child = spawn(process.execPath, ['--import=tsx', script, ...args], { cwd: root, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`${script} ${args.join(' ')} did not finish in 90 s: ${out}`));
    }, 90_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      ok({ code, out });
    });
  });
}

const migrate = (args: string[], env: Record<string, string> = {}) => run('scripts/migrate.ts', args, env);

/** Every server a test started; stopped after each test, also when it failed before stopping them. */
const servers: ChildProcess[] = [];

/** Starts a server process and resolves once it printed its URL, or with how it ended. */
function serve(script: string, args: string[], env: Record<string, string>): Promise<{ child?: ChildProcess } & Ran> {
  const child = spawn(process.execPath, ['--import=tsx', script, ...args], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env } });
  servers.push(child);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`${script} neither started nor exited in 90 s: ${out}`));
    }, 90_000);
    const poll = setInterval(() => {
      if (/http:\/\/127\.0\.0\.1:\d+/.test(out)) {
        clearInterval(poll);
        clearTimeout(timer);
        ok({ child, code: null, out });
      }
    }, 100);
    child.on('exit', (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      ok({ code, out });
    });
  });
}

async function stopped(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return; // already ended (a killed child has a signal, no code)
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

const databases: Array<() => Promise<void>> = [];
async function freshDatabase(): Promise<{ db: Db; url: string }> {
  const t = await openTestDb();
  databases.push(t.drop);
  return { db: t.db, url: t.url! };
}

beforeAll(() => {
  if (!process.env.DATABASE_URL) throw new Error('set DATABASE_URL (npm test does)');
});
afterEach(async () => {
  for (const child of servers.splice(0)) await stopped(child);
});
afterAll(async () => {
  for (const drop of databases) await drop();
});

test('--check lists every pending file and exits 1; a run migrates every schema, a line per file; then --check exits 0', async () => {
  const { db, url } = await freshDatabase();
  const before = await migrate(['--check', '--database-url', url]);
  expect(before.code).toBe(1);
  expect(before.out).toMatch(/checking 7 schemas of postgres:\/\/.*\n/);
  expect(before.out).toMatch(/orders +version 0 of 9: pending 001\.do\.init\.sql, .*009\.do\.lifecycle_events\.sql/);
  expect(before.out).toMatch(/registry +version 0 of 4: pending/);
  expect(before.out).toMatch(/\d+ migration\(s\) pending: run `npm run migrate`/);
  expect(await db.query(`SELECT to_regnamespace('orders') AS s`)).toEqual([{ s: null }]);

  const ran = await migrate([], { DATABASE_URL: url });
  expect(ran.code).toBe(0);
  expect(ran.out).toMatch(/orders +applying 001\.do\.init\.sql/);
  expect(ran.out).toMatch(/orders +version 9 \(applied 9\)/);
  expect(ran.out).toMatch(/registry +version 4 \(applied 4\)/);
  // The kit's own step ran with the files: the lifecycle change log's triggers are in place.
  expect(await db.query(`SELECT to_regclass('orders.lifecycle_changes') IS NOT NULL AS present`)).toEqual([{ present: true }]);

  const after = await migrate(['--check', `--database-url=${url}`]);
  expect(after.code).toBe(0);
  expect(after.out).toMatch(/catalog +version 5, up to date/);
  expect(after.out).not.toMatch(/pending/);
}, 300_000);

test('--only migrates the named schemas and no other', async () => {
  const { db, url } = await freshDatabase();
  const ran = await migrate(['--only', 'catalog,registry', '--database-url', url]);
  expect(ran.code).toBe(0);
  expect(ran.out).toMatch(/migrating 2 schemas/);
  const present = await db.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE nspname IN ('catalog', 'orders', 'registry') ORDER BY 1`);
  expect(present.map((r) => r.nspname)).toEqual(['catalog', 'registry']);
}, 300_000);

test('an edited, already-applied migration is refused by file name, by a run and by --check', async () => {
  const { db, url } = await freshDatabase();
  expect((await migrate(['--only', 'orders', '--database-url', url])).code).toBe(0);
  // What an edit of the file does to the checksum comparison, without editing the tree's file.
  await db.query(`UPDATE orders.schemaversion SET md5 = md5('as it was applied') WHERE version = 3`);
  for (const args of [[], ['--check']]) {
    const refused = await migrate([...args, '--only', 'orders', '--database-url', url]);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('error: subgraphs/orders/migrations/003.do.trade_in_appraiser_org.sql was edited after it was applied to the orders schema');
    expect(refused.out).toContain('put the change in a new migration');
  }
}, 300_000);

test('a database the earlier runner migrated is adopted: its files recorded, none run again', async () => {
  const { db, url } = await freshDatabase();
  await earlierRunner(db, 'energy', asEarlierNames(join(root, 'subgraphs', 'energy', 'migrations')));
  const check = await migrate(['--check', '--only', 'energy', '--database-url', url]);
  expect(check.code).toBe(1);
  expect(check.out).toMatch(/energy +migrated by the earlier runner: 5 applied file\(s\) to record \(not run again\)/);
  expect(check.out).toContain('5 applied file(s) of the earlier runner to record: run `npm run migrate`');
  expect(check.out).not.toMatch(/migration\(s\) pending/);
  const ran = await migrate(['--only', 'energy', '--database-url', url]);
  expect(ran.code).toBe(0);
  expect(ran.out).toMatch(/energy +version 5 \(recorded 5 file\(s\) the earlier runner applied\)/);
  expect(ran.out).not.toMatch(/applying/);
}, 300_000);

test('bad flags, bad values and an unreachable database get clear errors', async () => {
  const help = await migrate(['--help']);
  expect(help.code).toBe(0);
  expect(help.out).toContain('usage: npm run migrate -- [--database-url URL] [--only NAME,NAME] [--check]');
  const unknown = await migrate(['--bogus']);
  expect(unknown.code).toBe(2);
  expect(unknown.out).toMatch(/error: Unknown option '--bogus'[\s\S]*usage: npm run migrate/);
  const positional = await migrate(['orders']);
  expect(positional.code).toBe(2);
  const noValue = await migrate(['--only']);
  expect(noValue.code).toBe(2);
  expect(noValue.out).toMatch(/error: Option '--only <value>' argument missing/);
  const badName = await migrate(['--only', 'orders,nope', '--database-url', 'postgres://postgres@127.0.0.1:9/x']);
  expect(badName.code).toBe(2);
  expect(badName.out).toMatch(/--only: no schema with migrations named nope \(there are: catalog, orders, .*registry\)/);
  const badUrl = await migrate(['--database-url', 'mysql://db/x']);
  expect(badUrl.code).toBe(2);
  expect(badUrl.out).toContain('--database-url="mysql://db/x" is not a postgres:// or postgresql:// URL');
  const down = await migrate(['--database-url', 'postgres://postgres:hunter2hunter2@127.0.0.1:9/x']);
  expect(down.code).toBe(1);
  expect(down.out).toContain('error: cannot open postgres://postgres:***@127.0.0.1:9/x (ECONNREFUSED: is the server running and the URL right?)');
  expect(down.out).not.toContain('hunter2');
}, 300_000);

describe('servers in production check their schema instead of migrating it', () => {
  const ecKey = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  const production = () => ({
    NODE_ENV: 'production',
    AUTOGRAPH_PSEUDONYM_KEY: randomBytes(32).toString('hex'),
    PARTNER_TOKEN_SIGNING_KEY: ecKey(),
    // A subgraph verifies the gateway's tokens with its JWKS and signs its own calls with a key of its own.
    GATEWAY_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
    SERVICE_TOKEN_SIGNING_KEY: ecKey(),
    JWT_SECRET: TEST_JWT.secret,
  });

  test('a subgraph refuses an unmigrated database naming `npm run migrate`, and starts once it ran', async () => {
    const { db, url } = await freshDatabase();
    const env = { ...production(), DATABASE_URL: url };
    const refused = await serve('scripts/subgraph.ts', ['catalog', '--port', '0'], env);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('error: the catalog schema is at version 0, and this code needs 5 (5 pending: 001.do.init.sql, 002.do.package_entitlements.sql, 003.do.maintenance_allowance.sql, 004.do.lifecycle_events.sql, 005.do.trim_packages.sql): run `npm run migrate`');
    expect(await db.query(`SELECT to_regnamespace('catalog') AS s`)).toEqual([{ s: null }]);
    expect((await migrate(['--only', 'catalog'], { DATABASE_URL: url })).code).toBe(0);
    const started = await serve('scripts/subgraph.ts', ['catalog', '--port', '0'], env);
    try {
      expect(started.out).toMatch(/catalog http:\/\/127\.0\.0\.1:\d+\/graphql/);
    } finally {
      await stopped(started.child);
    }
    // MIGRATE_ON_START=true: production migrates at start again.
    const other = await freshDatabase();
    const migrating = await serve('scripts/subgraph.ts', ['energy', '--port', '0'], { ...env, DATABASE_URL: other.url, MIGRATE_ON_START: 'true' });
    try {
      expect(migrating.out).toMatch(/energy http:\/\/127\.0\.0\.1:\d+\/graphql/);
    } finally {
      await stopped(migrating.child);
    }
  }, 300_000);

  test('the registry refuses an unmigrated PostgreSQL database, and starts once it ran', async () => {
    const { url } = await freshDatabase();
    const env = { ...production(), DATABASE_URL: url };
    const refused = await serve('scripts/registry.ts', ['--port', '0'], env);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('error: the registry schema is at version 0, and this code needs 4');
    expect(refused.out).toContain('run `npm run migrate`');
    expect((await migrate(['--only', 'registry'], { DATABASE_URL: url })).code).toBe(0);
    const started = await serve('scripts/registry.ts', ['--port', '0'], env);
    try {
      expect(started.out).toMatch(/schema registry http:\/\/127\.0\.0\.1:\d+ on PostgreSQL/);
    } finally {
      await stopped(started.child);
    }
  }, 300_000);
});
