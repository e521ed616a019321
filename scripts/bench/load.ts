/**
 * The bench's load generator, a process of its own so that its work is not counted as the gateway's:
 * `node --import=tsx scripts/bench/load.ts <plan.json> <result.json>`. autocannon keeps a fixed number of
 * connections busy for a fixed time; each request is the next of the plan's list (rotating users) and each
 * answer is compared with that request's expected data. Writes what it measured and counted.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mismatch, type BenchRequest } from './workloads';

/** The part of autocannon's API (it ships no types) the load uses. */
interface AutocannonResult {
  requests: { total: number };
  latency: { p50: number; p99: number };
  duration: number;
  errors: number;
  timeouts: number;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (options: object) => Promise<AutocannonResult>;

export interface LoadPlan {
  url: string;
  connections: number;
  durationSeconds: number;
  requests: BenchRequest[];
  expected: unknown[];
}

export interface LoadResult {
  /** Answers received in the timed window (autocannon's count). */
  responses: number;
  /** Answers this process compared with the expected data; equal to `responses` when every one was checked. */
  checked: number;
  mismatches: number;
  non200: number;
  /** Connection errors and timeouts (no answer to check). */
  errors: number;
  /** A few mismatches, with who asked. */
  examples: string[];
  durationSeconds: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
}

async function main() {
  const [planPath, resultPath] = process.argv.slice(2);
  const plan = JSON.parse(readFileSync(planPath, 'utf8')) as LoadPlan;
  const url = new URL(plan.url);
  let next = 0;
  let checked = 0;
  let mismatches = 0;
  let non200 = 0;
  const examples: string[] = [];
  type Ctx = { i?: number };
  const result = await autocannon({
    url: url.origin,
    connections: plan.connections,
    duration: plan.durationSeconds,
    pipelining: 1,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path: url.pathname,
        // One request at a time per connection (pipelining 1), so a connection's context names the request its next answer is for.
        setupRequest: (req: object, context: Ctx) => {
          const i = next++ % plan.requests.length;
          context.i = i;
          const { headers, body } = plan.requests[i];
          return { ...req, headers, body };
        },
        onResponse: (status: number, body: string, context: Ctx) => {
          checked++;
          if (status !== 200) non200++;
          const why = mismatch(status, body, plan.expected[context.i!]);
          if (why) {
            mismatches++;
            if (examples.length < 3) examples.push(`${plan.requests[context.i!].who}: ${why}`);
          }
        },
      },
    ],
  });
  const out: LoadResult = {
    responses: result.requests.total,
    checked,
    mismatches,
    non200,
    errors: result.errors + result.timeouts,
    examples,
    durationSeconds: result.duration,
    requestsPerSecond: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
  writeFileSync(resultPath, JSON.stringify(out));
  console.log('load done');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
