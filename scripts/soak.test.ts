/**
 * `npm run soak` at a small size, as a process: it starts its own PostgreSQL and Redis, runs every phase
 * (a subgraph killed and back, Redis stopped and back, PostgreSQL restarted, a supergraph published),
 * prints a row per phase and exits 0 with every invariant holding; bad flags are refused with exit 2.
 */
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(__dirname, '..');
const env = { ...process.env, NODE_ENV: 'test' };

function soak(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import=tsx', 'scripts/soak.ts', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((ok) => child.once('exit', (code) => ok({ code, out })));
}

test('a short soak run passes every phase and every invariant', async () => {
  const { code, out } = await soak(['--minutes', '0.25', '--users', '3', '--buyers', '3', '--rate', '6', '--json']);
  const json = out.slice(out.indexOf('{\n'), out.lastIndexOf('}') + 1);
  let report: { phases: Array<{ phase: string; requests: number; ok: number }>; checks: Array<{ name: string; ok: boolean; detail: string }>; acknowledged: number };
  try {
    report = JSON.parse(json);
  } catch {
    throw new Error(`no JSON report (exit ${code}):\n${out.slice(-4000)}`);
  }
  expect(report.phases.map((p) => p.phase)).toEqual(['warm', 'subgraph killed (energy)', 'subgraph back', 'Redis stopped', 'Redis back', 'PostgreSQL restarting', 'PostgreSQL back', 'supergraph published']);
  expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  expect(report.checks.map((c) => c.name)).toEqual(
    expect.arrayContaining(['every acknowledged placeOrder is one order row', 'every acknowledged payDeposit is one DEPOSIT_PAID change', 'the published supergraph is served without a restart', 'no process crashed']),
  );
  expect(report.acknowledged).toBeGreaterThan(0);
  expect(code).toBe(0);
}, 300_000);

test.each([
  [['--minutes', '0.05'], /--minutes must be a number from 0.1 to 60/],
  [['--minutes', '61'], /--minutes must be a number from 0.1 to 60/],
  [['--minutes', 'ten'], /--minutes must be a number from 0.1 to 60/],
  [['--rate', '0'], /--rate must be 1 to 1000/],
  [['--users', 'x'], /--users must be a whole number/],
  [['--seconds', '3'], /unknown flag --seconds/],
])('%p is refused with a clear message', (args, message) => {
  const r = spawnSync(process.execPath, ['--import=tsx', 'scripts/soak.ts', ...args], { cwd: root, env, encoding: 'utf8', timeout: 30_000 });
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(message);
});
