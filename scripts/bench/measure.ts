/**
 * One target under one workload: a warm-up pass (every distinct request once: query plans, JIT,
 * connection pools — and for the response cache, every entry filled), then the timed load from its own
 * process, with the gateway process's CPU time read before and after and its memory sampled throughout.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadPlan, LoadResult } from './load';
import { cpuMs, sampleRss } from './proc-stats';
import { runProcess } from './processes';
import { send, type Workload } from './workloads';

export interface Measurement extends LoadResult {
  target: string;
  workload: string;
  cpuMsPerRequest: number;
  peakRssMb: number;
  failed: boolean;
}

async function warm(url: string, workload: Workload): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < workload.requests.length) await send(url, workload.requests[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(8, workload.requests.length) }, worker));
}

export async function measure(opts: {
  target: string;
  url: string;
  pid: number;
  workload: Workload;
  expected: unknown[];
  connections: number;
  durationSeconds: number;
  dir: string;
  env: Record<string, string>;
}): Promise<Measurement> {
  await warm(opts.url, opts.workload);
  const plan: LoadPlan = { url: opts.url, connections: opts.connections, durationSeconds: opts.durationSeconds, requests: opts.workload.requests, expected: opts.expected };
  const planPath = join(opts.dir, `plan-${opts.target}-${opts.workload.name}.json`);
  const resultPath = join(opts.dir, `result-${opts.target}-${opts.workload.name}.json`);
  writeFileSync(planPath, JSON.stringify(plan));
  const cpuBefore = cpuMs(opts.pid);
  const rss = sampleRss(opts.pid);
  const run = await runProcess('scripts/bench/load.ts', [planPath, resultPath], { PATH: opts.env.PATH, NODE_ENV: 'production' });
  const peakRssMb = rss.stop();
  const cpu = cpuMs(opts.pid) - cpuBefore;
  if (run.code !== 0) throw new Error(`the load generator failed (exit ${run.code}):\n${run.output.slice(-3000)}`);
  const result = JSON.parse(readFileSync(resultPath, 'utf8')) as LoadResult;
  const failed = result.mismatches > 0 || result.non200 > 0 || result.errors > 0 || result.checked !== result.responses || result.responses === 0;
  return { ...result, target: opts.target, workload: opts.workload.name, cpuMsPerRequest: result.responses ? cpu / result.responses : 0, peakRssMb, failed };
}
