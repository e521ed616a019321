/**
 * The README's walk through a car's whole life, run as a new user runs it: every ```sh block between
 * `<!-- walk:begin -->` and `<!-- walk:end -->`, in order, in one bash, against `npm start` on a fresh
 * embedded database. A block that no longer matches the graph fails here, so the README cannot drift.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..');

/** The walk's shell blocks, in README order. */
export function walkBlocks(readme: string): string[] {
  const begin = readme.indexOf('<!-- walk:begin -->');
  const end = readme.indexOf('<!-- walk:end -->');
  if (begin < 0 || end < begin) throw new Error('README has no <!-- walk:begin --> … <!-- walk:end --> section');
  return [...readme.slice(begin, end).matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
}

/** Runs a shell script to its end; resolves with its exit code and output. */
function bash(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], { cwd: root, env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => done({ code, out }));
  });
}

describe("the README's walk through a car's whole life", () => {
  let server: ChildProcess | undefined;
  let gateway = '';
  const { DATABASE_URL: _d, REDIS_URL: _r, JWT_SECRET: _j, ...inherited } = process.env;
  const env = { ...inherited, NODE_ENV: 'development', PORT: '0' };

  beforeAll(async () => {
    // tsx as a loader in this process, so that killing it kills the server (its CLI would leave a child).
    server = spawn(process.execPath, ['--import=tsx', 'scripts/start.ts', '--users', '5'], { cwd: root, env: { ...env, PGLITE_DIR: mkdtempSync(join(tmpdir(), 'autograph-walk-')) } });
    let output = '';
    server.stdout!.on('data', (d) => (output += d));
    server.stderr!.on('data', (d) => (output += d));
    const deadline = Date.now() + 240_000;
    while (!/Other tokens/.test(output)) {
      if (Date.now() > deadline || server.exitCode !== null) throw new Error(`npm start did not come up:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    gateway = /gateway\s+(http:\/\/\S+)/.exec(output)![1];
  }, 300_000);
  afterAll(() => server?.kill('SIGKILL'));

  test('the walk has its blocks: helpers, trade-in, purchase, delivery, finance, maintenance, energy, headline', () => {
    const all = walkBlocks(readFileSync(join(root, 'README.md'), 'utf8')).join('\n');
    for (const step of ['requestTradeIn', 'appraiseTradeIn', 'placeOrder', 'payDeposit', 'payBalance', 'deliverOrder', 'openLoan', 'payInstalment', 'buyInsurance', 'bookService', 'issueInvoice', 'subscribeBatteryPlan', 'recordSwap', 'recordCharging', 'spending']) {
      expect(all).toContain(step);
    }
  });

  test('every block runs as written, in order, and the owner ends up with the total the README states', async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const { code, out } = await bash(walkBlocks(readme).join('\n'), { ...env, G: gateway });
    if (code !== 0) throw new Error(`the walk stopped (exit ${code}):\n${out}`);
    const stated = /And the headline question again — `([0-9.]+)` in all/.exec(readme)?.[1];
    expect(stated).toBeDefined();
    const last = JSON.parse(out.trim().split('\n').pop()!);
    expect(last.me.spending.total.amount).toBe(stated);
    // The prepaid service is in the walk and costs the owner nothing.
    expect(out).toContain('"ownerPaid":{"amount":"0.00"}');
    expect(out).toContain('"balanceDue":{"amount":"0.00"}');
  }, 240_000);
});
