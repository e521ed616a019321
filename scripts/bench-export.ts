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

async function main() {
  const flags = parseFlags(process.argv.slice(2), { users: 'int', partitions: 'int', formats: 'string', port: 'int' });
  const users = (flags.users as number | undefined) ?? 10_000;
  const partitions = (flags.partitions as number | undefined) ?? 4;
  const formats = ((flags.formats as string | undefined) ?? FORMATS.join(',')).split(',');
  for (const f of formats) if (!(FORMATS as readonly string[]).includes(f)) fail(`--formats: ${f} is not one of ${FORMATS.join(', ')}`);
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
    const admin = await mintToken(BENCH_JWT, { sub: 'bench-admin', role: 'admin' });
    const refreshed = Date.now();
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` }, body: JSON.stringify({ query: 'mutation { refreshAnalytics { asOf } }' }) });
    const body = (await res.json()) as { errors?: Array<{ message: string }> };
    if (body.errors) throw new Error(`refreshAnalytics failed: ${body.errors[0].message}`);
    log(`refreshed the analytics store in ${((Date.now() - refreshed) / 1000).toFixed(1)} s`);
    const token = await mintToken(BENCH_JWT, { sub: 'bench-analyst', role: 'analyst' });

    const rows: string[] = [];
    for (const format of formats) {
      const dir = join(out, format);
      const started = Date.now();
      const p = startExportProcess(['--view', 'lifecycle', '--format', format, '--partitions', String(partitions), '--out', dir, '--gateway', url, '--token', token]);
      const exporter = sampleRss(p.child.pid!, 50);
      const gatewayRss = sampleRss(gateway.pid, 50);
      const r = await p.exited;
      const seconds = (Date.now() - started) / 1000;
      const peakExport = exporter.stop();
      const peakGateway = gatewayRss.stop();
      if (r.code !== 0) throw new Error(`the ${format} export failed:\n${r.stderr}`);
      const exported = Number(/exported (\d+) rows/.exec(r.stdout)?.[1] ?? 0);
      rows.push(`| ${format} | ${exported} | ${seconds.toFixed(1)} | ${Math.round(exported / seconds)} | ${peakExport.toFixed(0)} | ${peakGateway.toFixed(0)} |`);
      log(rows.at(-1)!);
      rmSync(dir, { recursive: true, force: true });
    }
    console.log(`lifecycle view, ${users} users, --partitions ${partitions}, default page size; ${machine()}\n`);
    console.log('| format | rows | seconds | rows/s | export peak RSS (MB) | gateway peak RSS (MB) |\n| --- | --- | --- | --- | --- | --- |');
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
