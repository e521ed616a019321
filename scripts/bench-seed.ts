/**
 * `npm run bench:seed -- [--users N] [--baseline REF]` — how long `npm run seed -- --users N` takes on
 * PostgreSQL and how much memory it needs, against a baseline in the same run: the seed of the git
 * revision REF (default `HEAD~1`; pass the revision before the change you measure), extracted to a
 * temporary folder and run the same way. Each run seeds a throwaway database (created on the server
 * of DATABASE_URL, dropped afterwards) in its own process; prints wall time, rows, rows/s, peak RSS
 * (from GNU `time`, when it is installed) and per-stage times, then the ratios baseline / this tree.
 * The machine's load average is printed too: on a shared machine the figures move with it.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openPostgres } from '../platform/db';
import { fail, parseFlags } from './cli';

const root = resolve(__dirname, '..');

interface SeedRun {
  label: string;
  seconds: number;
  rows: number;
  peakRssMb: number | null;
  stages: string;
}

/** Runs `scripts/seed.ts` of the tree at `tree` for `users` users into a fresh database on `serverUrl`. */
async function runSeed(label: string, tree: string, users: number, serverUrl: string): Promise<SeedRun> {
  const name = `autograph_bench_seed_${randomBytes(4).toString('hex')}`;
  const admin = await openPostgres(serverUrl, 1);
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  try {
    const seed = [process.execPath, '--import=tsx', join(tree, 'scripts/seed.ts'), '--users', String(users)];
    const hasTime = spawnSync('time', ['-f', '%M', 'true'], { encoding: 'utf8' }).status === 0;
    const started = process.hrtime.bigint();
    const res = hasTime
      ? spawnSync('time', ['-f', 'peak-rss-kb %M', ...seed], { cwd: tree, encoding: 'utf8', env: { ...process.env, DATABASE_URL: url.toString() }, maxBuffer: 64 << 20 })
      : spawnSync(seed[0], seed.slice(1), { cwd: tree, encoding: 'utf8', env: { ...process.env, DATABASE_URL: url.toString() }, maxBuffer: 64 << 20 });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (res.status !== 0) throw new Error(`${label}: the seed failed (exit ${res.status}):\n${res.stderr}`);
    const rss = /peak-rss-kb (\d+)/.exec(res.stderr);
    const stages = /ms \(([^)]*)\)\s*$/m.exec(res.stdout)?.[1] ?? '';
    const db = await openPostgres(url.toString(), 1);
    try {
      const tables = await db.query<{ name: string }>(
        `SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) AS name FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema', 'public')`,
      );
      let rows = 0;
      for (const t of tables) rows += Number((await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${t.name}`))[0].n);
      return { label, seconds, rows, peakRssMb: rss ? Math.round(Number(rss[1]) / 1024) : null, stages };
    } finally {
      await db.close();
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.close();
  }
}

/** The tree of git revision `ref`, extracted to a temporary folder that shares this tree's node_modules. */
function extractRevision(ref: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'autograph-seed-baseline-'));
  const archive = spawnSync('sh', ['-c', `git -C "$0" archive "$1" | tar -x -C "$2"`, root, ref, dir], { encoding: 'utf8' });
  if (archive.status !== 0) fail(`could not extract revision ${ref}: ${archive.stderr.trim()}`);
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function line(r: SeedRun): string {
  const rss = r.peakRssMb === null ? 'n/a' : `${r.peakRssMb} MB`;
  return `${r.label.padEnd(10)} ${r.seconds.toFixed(1).padStart(7)} s  ${r.rows.toLocaleString('en-US').padStart(11)} rows  ${Math.round(r.rows / r.seconds).toLocaleString('en-US').padStart(8)} rows/s  peak RSS ${rss.padStart(8)}  (${r.stages})`;
}

async function main() {
  const flags = parseFlags(process.argv.slice(2), { users: 'int', baseline: 'string' });
  const users = (flags.users as number | undefined) ?? 10_000;
  if (users < 1 || users > 1_000_000) fail('--users must be from 1 to 1000000');
  const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  if (!/^postgres(ql)?:\/\//.test(serverUrl)) fail('DATABASE_URL must be a postgres:// URL: the benchmark creates and drops its own databases there');
  const ref = (flags.baseline as string | undefined) ?? 'HEAD~1';
  console.log(`seed benchmark: ${users.toLocaleString('en-US')} users on PostgreSQL; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const baseline = extractRevision(ref);
  try {
    const before = await runSeed(`baseline`, baseline.dir, users, serverUrl);
    console.log(line(before));
    const after = await runSeed('this tree', root, users, serverUrl);
    console.log(line(after));
    const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
    console.log(
      `ratios (baseline ${ref} / this tree): time ${ratio(before.seconds, after.seconds)}` +
        (before.peakRssMb && after.peakRssMb ? `, peak RSS ${ratio(before.peakRssMb, after.peakRssMb)}` : '') +
        (before.rows === after.rows ? ', same row count' : `, ROW COUNTS DIFFER (${before.rows} vs ${after.rows})`),
    );
    console.log(`load average now ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    baseline.remove();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
