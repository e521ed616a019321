/**
 * `npm run bench:export -- [--users N] [--partitions N] [--formats ndjson,csv,parquet] [--port N]` — how fast
 * `npm run export` pulls the lifecycle view, and what it costs in memory: the bench's stack (a throwaway
 * PostgreSQL database seeded with N users, every subgraph its own process) behind our gateway as deployed
 * (`npm run gateway`'s heap bound; rate limits raised, since one analyst pulling everything as fast as the
 * graph answers is the point; the subgraph timeout raised for the first, full refresh of the store), the analytics store refreshed, then one export process per format. Per
 * format: rows, seconds, rows/s, peak RSS of the export process and of the gateway process. Prints a
 * markdown table with the machine.
 */
import { randomInt } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintToken } from '../gateway/auth';
import { startExportProcess } from '../testing/export-process';
import { sampleRss } from './bench/proc-stats';
import { startProcess, stopChildrenOnExit } from './bench/processes';
import { machine } from './bench/report';
import { BENCH_JWT, startBenchStack } from './bench/stack';
import { deployedGatewayFlags } from './bench/targets';
import { fail, parseFlags } from './cli';

const FORMATS = ['ndjson', 'csv', 'parquet'] as const;
const VIEW_NAMES = ['lifecycle', 'ownership-cost', 'retention', 'demand'] as const;
/** How long the analytics process's first, full load of the store may take (100,000 users on a loaded 2-core machine: tens of minutes). */
const STORE_LOAD_LIMIT_MS = 90 * 60_000;

async function main() {
  const flags = parseFlags(process.argv.slice(2), { users: 'int', partitions: 'int', formats: 'string', views: 'string', port: 'int' });
  const users = (flags.users as number | undefined) ?? 10_000;
  const partitions = (flags.partitions as number | undefined) ?? 4;
  const formats = ((flags.formats as string | undefined) ?? FORMATS.join(',')).split(',');
  for (const f of formats) if (!(FORMATS as readonly string[]).includes(f)) fail(`--formats: ${f} is not one of ${FORMATS.join(', ')}`);
  const views = ((flags.views as string | undefined) ?? 'lifecycle').split(',');
  for (const v of views) if (!(VIEW_NAMES as readonly string[]).includes(v)) fail(`--views: ${v} is not one of ${VIEW_NAMES.join(', ')}`);
  if (users < 1 || users > 100_000) fail(`--users must be 1 to 100000, not ${users}`);
  const basePort = (flags.port as number | undefined) ?? 23000 + randomInt(0, 100) * 50;
  stopChildrenOnExit();
  const log = (line: string) => console.error(line);
  const stack = await startBenchStack({ users, basePort, log });
  const out = mkdtempSync(join(tmpdir(), 'autograph-bench-export-'));
  try {
    const gatewayFlags = deployedGatewayFlags((JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.gateway);
    const gateway = await startProcess(
      'scripts/gateway.ts',
      [],
      { ...stack.env, PORT: String(stack.gatewayPort(0)), SUPERGRAPH_PATH: stack.supergraphPath, RATE_LIMITS: 'analyst=1000000000/1s,admin=1000000000/1s', RESPONSE_CACHE: 'false', SUBGRAPH_TIMEOUT_MS: '600000' },
      undefined,
      undefined,
      gatewayFlags,
    );
    const url = `http://127.0.0.1:${stack.gatewayPort(0)}/graphql`;
    // The stack's gateway takes tokens of at most an hour: each export gets a fresh one.
    const analyst = () => mintToken(BENCH_JWT, { sub: 'bench-analyst', role: 'analyst' });
    const token = await analyst();
    // The analytics process loads its store at its start (every user, through the contributors' feeds); a
    // refresh asked for through the gateway would outlive any sane request timeout at 100,000 users, so the
    // bench waits for the store to say it holds data (`asOf` set once its first refresh completes).
    const loading = Date.now();
    let polls = 0;
    for (;;) {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: '{ analystRetention(months: 1) { asOf } }' }) }).catch(() => undefined);
      const body = (await res?.json().catch(() => undefined)) as { data?: { analystRetention?: { asOf: string | null } }; errors?: Array<{ message: string }> } | undefined;
      if (body?.data?.analystRetention?.asOf) break;
      if (++polls % 15 === 0) log(`waiting for the analytics store: ${body?.errors?.[0]?.message ?? (body ? 'not loaded yet' : 'the gateway does not answer yet')}`);
      if (Date.now() - loading > STORE_LOAD_LIMIT_MS) throw new Error(`the analytics store did not load within ${STORE_LOAD_LIMIT_MS / 60_000} min`);
      await new Promise((r) => setTimeout(r, 2000));
    }
    log(`the analytics store loaded in ${((Date.now() - loading) / 1000).toFixed(1)} s (counted from the gateway's start)`);

    const rows: string[] = [];
    for (const view of views) {
      for (const format of formats) {
        const dir = join(out, `${view}-${format}`);
        const started = Date.now();
        const p = startExportProcess(['--view', view, '--format', format, '--partitions', String(partitions), '--out', dir, '--gateway', url, '--token', await analyst()]);
        const exporter = sampleRss(p.child.pid!, 50);
        const gatewayRss = sampleRss(gateway.pid, 50);
        const r = await p.exited;
        const seconds = (Date.now() - started) / 1000;
        const peakExport = exporter.stop();
        const peakGateway = gatewayRss.stop();
        if (r.code !== 0) throw new Error(`the ${view} ${format} export failed:\n${r.stderr}`);
        const exported = Number(/exported (\d+) rows/.exec(r.stdout)?.[1] ?? 0);
        rows.push(`| ${view} | ${format} | ${exported} | ${seconds.toFixed(1)} | ${Math.round(exported / seconds)} | ${peakExport.toFixed(0)} | ${peakGateway.toFixed(0)} |`);
        log(rows.at(-1)!);
        rmSync(dir, { recursive: true, force: true });
      }
    }
    console.log(`${users} users, --partitions ${partitions}, default page sizes; ${machine()}\n`);
    console.log('| view | format | rows | seconds | rows/s | export peak RSS (MB) | gateway peak RSS (MB) |\n| --- | --- | --- | --- | --- | --- | --- |');
    console.log(rows.join('\n'));
    await gateway.stop();
  } finally {
    rmSync(out, { recursive: true, force: true });
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
