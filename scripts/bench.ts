/**
 * `npm run bench -- [--users N] [--connections N] [--duration SECONDS] [--only a,b,c,d,e,d-nodedup,e-nonear] [--port N] [--json PATH]`
 * — our gateway against its peers, each a process of its own in front of the same subgraph processes on
 * PostgreSQL (a throwaway database, DATABASE_URL's server), loaded by autocannon from another process on
 * loopback. Per target and workload: requests/s, p50/p99 latency, the gateway process's CPU ms per request
 * and peak RSS, ratios to (a); every answer is compared with the one the reference gateway (ours, cache
 * off) gave before the timed runs, and a run with any mismatch, non-200 or error is marked failed (exit 1).
 * Prints a markdown table with the machine. Every process it starts is stopped on exit and on Ctrl-C.
 * Targets and workloads: scripts/bench/targets.ts, scripts/bench/workloads.ts.
 */
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { measure, type Measurement } from './bench/measure';
import { onInterrupt, startProcess, stopChildrenOnExit, type Child } from './bench/processes';
import { machine, table } from './bench/report';
import { BENCH_JWT, startBenchStack, type BenchStack } from './bench/stack';
import { selectTargets, TARGETS, type Target } from './bench/targets';
import { buildWorkloads, expectedAnswers } from './bench/workloads';
import { fail, parseFlags } from './cli';

/** The bench's own Redis database (of REDIS_URL's server), emptied of the gateway's keys before target (e). */
const BENCH_REDIS_DB = 13;

function benchRedisUrl(): string {
  const url = new URL(process.env.REDIS_URL || 'redis://127.0.0.1:6379');
  url.pathname = `/${BENCH_REDIS_DB}`;
  return url.toString();
}

async function emptyGatewayKeys(redisUrl: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', 'autograph:*', 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = nextCursor;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

async function startTarget(target: Target, stack: BenchStack, port: number): Promise<Child> {
  const env = { ...stack.env, ...target.env, PORT: String(port), SUPERGRAPH_PATH: stack.supergraphPath, ...(target.redis ? { REDIS_URL: benchRedisUrl() } : {}) };
  return startProcess(target.script, [], env, undefined, undefined, target.nodeFlags);
}

async function main() {
  const flags = parseFlags(process.argv.slice(2), { users: 'int', connections: 'int', duration: 'int', only: 'string', port: 'int', json: 'string' });
  const users = (flags.users as number | undefined) ?? 1000;
  const connections = (flags.connections as number | undefined) ?? 32;
  const durationSeconds = (flags.duration as number | undefined) ?? 10;
  const basePort = (flags.port as number | undefined) ?? 21000 + randomInt(0, 160) * 50;
  if (users < 1 || users > 100_000) fail(`--users must be 1 to 100000, not ${users}`);
  if (connections < 1 || connections > 1000) fail(`--connections must be 1 to 1000, not ${connections}`);
  if (durationSeconds < 1 || durationSeconds > 600) fail(`--duration must be 1 to 600 seconds, not ${durationSeconds}`);
  if (basePort < 1024 || basePort > 65000) fail(`--port must be 1024 to 65000, not ${basePort}`);
  let targets: Target[] = [];
  try {
    targets = selectTargets(flags.only as string | undefined);
  } catch (err) {
    fail((err as Error).message);
  }
  process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/test';
  const log = (line: string) => console.error(`bench: ${line}`);
  const dir = mkdtempSync(join(tmpdir(), 'autograph-bench-load-'));
  let stack: BenchStack | undefined;
  const cleanup = async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  stopChildrenOnExit();
  onInterrupt(async () => rmSync(dir, { recursive: true, force: true }));

  try {
    stack = await startBenchStack({ users, basePort, log });
    const workloads = await buildWorkloads({ users, jwt: BENCH_JWT });
    // The expected answers, from ours with the cache off, before any timed run.
    const reference = await startTarget(TARGETS.find((t) => t.id === 'd')!, stack, stack.gatewayPort(TARGETS.length));
    const referenceUrl = `http://127.0.0.1:${stack.gatewayPort(TARGETS.length)}/graphql`;
    const expected = new Map<string, unknown[]>();
    for (const w of workloads) expected.set(w.name, await expectedAnswers(referenceUrl, w.requests));
    await reference.stop();
    log(`expected answers taken from (d): ${workloads.map((w) => `${w.requests.length} ${w.name}`).join(', ')}`);

    const results: Measurement[] = [];
    for (const [i, target] of targets.entries()) {
      if (target.redis) await emptyGatewayKeys(benchRedisUrl());
      const port = stack.gatewayPort(i);
      const child = await startTarget(target, stack, port);
      try {
        for (const workload of workloads.filter((w) => !target.workloads || target.workloads.includes(w.name))) {
          const m = await measure({ target: target.id, url: `http://127.0.0.1:${port}/graphql`, pid: child.pid, workload, expected: expected.get(workload.name)!, connections, durationSeconds, dir, env: stack.env });
          results.push(m);
          log(`${target.label}, ${workload.name}: ${m.requestsPerSecond.toFixed(0)} req/s, p99 ${m.p99} ms, ${m.checked}/${m.responses} checked${m.failed ? `, FAILED: ${m.mismatches} mismatched, ${m.non200} non-200, ${m.errors} errors${m.examples.length ? `\n  ${m.examples.join('\n  ')}` : ''}` : ''}`);
        }
      } finally {
        await child.stop();
      }
    }

    const date = new Date().toISOString().slice(0, 10);
    console.log(`\n${date}, ${machine()}`);
    console.log(`${users} users seeded (headline: ${workloads[0].requests.length} tokens rotating), ${connections} connections, ${durationSeconds} s per target and workload\n`);
    console.log(table(results));
    if (flags.json) writeFileSync(flags.json as string, JSON.stringify({ date, machine: machine(), users, connections, durationSeconds, results }, null, 2));
    const failed = results.filter((r) => r.failed);
    if (failed.length) {
      console.log(`\nFAILED: ${failed.map((r) => `${r.target}/${r.workload}`).join(', ')} (answers that were not the expected ones, non-200s or errors)`);
      process.exitCode = 1;
    }
  } finally {
    await cleanup();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
