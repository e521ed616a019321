/**
 * `npm run bench` works end to end at a tiny size: the stack as processes on PostgreSQL, targets (a) bare
 * Apollo and (d) ours, both workloads for 1 s each, and every answer of the timed runs compared with the
 * reference's — all of them checked, none mismatched. A peer whose identity glue is wrong answers the
 * headline request for nobody, and this test fails.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Measurement } from './bench/measure';

const root = resolve(__dirname, '..');
const bench = (args: string[], timeout = 240_000) =>
  spawnSync(process.execPath, ['--import=tsx', 'scripts/bench.ts', ...args], { cwd: root, env: process.env, encoding: 'utf8', timeout });

describe('npm run bench', () => {
  test('a tiny bench of targets a and d checks every answer of both workloads and finds each the expected one', () => {
    if (!process.env.DATABASE_URL) throw new Error('set DATABASE_URL (npm test does)');
    const dir = mkdtempSync(join(tmpdir(), 'bench-test-'));
    try {
      const out = join(dir, 'bench.json');
      const r = bench(['--users', '20', '--duration', '1', '--connections', '4', '--only', 'a,d', '--json', out]);
      expect({ status: r.status, tail: r.status === 0 ? '' : `${r.stdout}\n${r.stderr}`.slice(-3000) }).toEqual({ status: 0, tail: '' });
      const { results } = JSON.parse(readFileSync(out, 'utf8')) as { results: Measurement[] };
      expect(results.map((m) => `${m.target}/${m.workload}`)).toEqual(['a/headline', 'a/catalog', 'd/headline', 'd/catalog']);
      for (const m of results) {
        expect({ run: `${m.target}/${m.workload}`, mismatches: m.mismatches, non200: m.non200, errors: m.errors, failed: m.failed, examples: m.examples }).toEqual({
          run: `${m.target}/${m.workload}`,
          mismatches: 0,
          non200: 0,
          errors: 0,
          failed: false,
          examples: [],
        });
        expect(m.responses).toBeGreaterThan(0);
        expect(m.checked).toBe(m.responses);
        expect(m.cpuMsPerRequest).toBeGreaterThan(0);
        expect(m.peakRssMb).toBeGreaterThan(0);
      }
      // The table the README takes, with the machine.
      expect(r.stdout).toMatch(/\| target \| workload \| req\/s \|/);
      expect(r.stdout).toMatch(/Node v\d+/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  test.each([
    [['--only', 'z'], /--only "z": unknown target z; the targets are a, b, c, d, e, d-nodedup, e-nonear/],
    [['--duration', '0'], /--duration must be 1 to 600 seconds, not 0/],
    [['--connections', 'x'], /--connections must be a whole number, not "x"/],
    [['--users', '0'], /--users must be 1 to 100000, not 0/],
    [['--bogus'], /unknown flag --bogus/],
  ])('%p is refused before anything starts', (args, message) => {
    const r = bench(args as string[], 60_000);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message as RegExp);
  });
});
