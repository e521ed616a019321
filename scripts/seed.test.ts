/** `npm run seed` as a user runs it, on a throwaway PostgreSQL database. */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { openTestDb } from '../testing/harness';
import type { Db } from '../platform/db';

const root = resolve(__dirname, '..');
let db: Db;
let url: string;
let drop: () => Promise<void>;

beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('set DATABASE_URL (npm test does)');
  const t = await openTestDb();
  ({ db, drop } = t);
  url = t.url!;
});
afterAll(async () => drop());

function seed(...args: string[]) {
  const res = spawnSync(process.execPath, [require.resolve('tsx/cli'), join(root, 'scripts/seed.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: url },
    timeout: 60_000,
  });
  return { code: res.status, out: res.stdout, err: res.stderr };
}

describe('npm run seed', () => {
  test('seeds N users with demo-driver first, refuses to seed twice, and --reset replaces the data identically', async () => {
    const first = seed('--users', '12');
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/seeded 12 users into PostgreSQL/);
    const count = async () => (await db.query<{ n: string }>(`SELECT count(DISTINCT user_id)::text AS n FROM orders.orders`))[0].n;
    const snapshot = async () => (await db.query<{ s: string }>(`SELECT string_agg(line_id || ':' || amount_fen, ',' ORDER BY line_id) AS s FROM energy.spending_lines`))[0].s;
    expect(Number(await count())).toBeGreaterThan(0);
    expect((await db.query(`SELECT 1 FROM orders.orders WHERE user_id = 'demo-driver'`)).length).toBeGreaterThan(0);
    const before = await snapshot();

    const again = seed('--users', '12');
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already holds a seed of 12 users[\s\S]*--reset/);

    const reset = seed('--users', '12', '--reset');
    expect(reset.code).toBe(0);
    expect(await snapshot()).toBe(before); // deterministic
  }, 120_000);

  test.each([
    [['--users', '0'], /--users must be from 1/],
    [['--users', 'many'], /--users must be a whole number/],
    [['--users'], /--users needs a value/],
    [['--fast'], /unknown flag --fast/],
  ])('refuses %p with a clear message', (args, message) => {
    const r = seed(...(args as string[]));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });
});
