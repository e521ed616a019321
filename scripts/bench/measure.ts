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
import { mismatch, send, type Workload } from './workloads';

export interface Measurement extends LoadResult {
  target: string;
  workload: string;
  cpuMsPerRequest: number;
  peakRssMb: number;
  failed: boolean;
}

/**
 * Sends every distinct request once; stops at the first wrong answer: the timed run will fail and show no
 * figures anyway, and a gateway that answers only errors can be slow to (a peer rebuilding its schema per request).
 */
async function warm(url: string, workload: Workload, expected: unknown[]): Promise<void> {
  let next = 0;
  let wrong = false;
  const worker = async () => {
    while (!wrong && next < workload.requests.length) {
      const i = next++;
      const answer = await send(url, workload.requests[i]).catch(() => undefined);
      if (!answer || mismatch(answer.status, answer.text, expected[i])) wrong = true;
    }
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
  await warm(opts.url, opts.workload, opts.expected);
  const plan: LoadPlan = { url: opts.url, connections: opts.connections, durationSeconds: opts.durationSeconds, requests: opts.workload.requests, expected: opts.expected };
  const planPath = join(opts.dir, `plan-${opts.target}-${opts.workload.name}.json`);
  const resultPath = join(opts.dir, `result-${opts.target}-${opts.workload.name}.json`);
  writeFileSync(planPath, JSON.stringify(plan));
  const cpuBefore = cpuMs(opts.pid);
  const rss = sampleRss(opts.pid);
  const run = await runProcess('scripts/bench/load.ts', [planPath, resultPath], { PATH: opts.env.PATH, NODE_ENV: 'production' });
  const peakRssMb = rss.stop();
  let cpu = 0;
  try {
    cpu = cpuMs(opts.pid) - cpuBefore;
  } catch {
    // the gateway died under the load: its answers (none, or errors) mark the run failed below
  }
  if (run.code !== 0) throw new Error(`the load generator failed (exit ${run.code}):\n${run.output.slice(-3000)}`);
  const result = JSON.parse(readFileSync(resultPath, 'utf8')) as LoadResult;
  const failed = result.mismatches > 0 || result.non200 > 0 || result.errors > 0 || result.checked !== result.responses || result.responses === 0;
  return { ...result, target: opts.target, workload: opts.workload.name, cpuMsPerRequest: result.responses ? cpu / result.responses : 0, peakRssMb, failed };
}
