/**
 * The bench's child processes: each started as `node --import=tsx <script>` (tsx as a loader in the same
 * process, not its CLI, so the pid we measure and stop is the server itself), ready when it prints its URL,
 * and every one stopped when the bench ends — normally, on an error or on Ctrl-C — so none is left behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const running = new Set<ChildProcess>();

export interface Child {
  pid: number;
  /** What it printed (stdout and stderr), for the error when it fails. */
  output(): string;
  /** Whether it is still running (false once it has exited, for whatever reason). */
  alive(): boolean;
  stop(): Promise<void>;
  /** Kills it at once (SIGKILL: no shutdown, as a crash) and waits until it has exited. */
  kill(): Promise<void>;
}

/**
 * Starts `script` with `env` (and node's own `nodeFlags`), resolving once its output matches `ready` (a URL
 * by default).
 */
export function startProcess(script: string, args: string[], env: Record<string, string>, ready = /http:\/\/127\.0\.0\.1:\d+\/graphql/, timeoutMs = 120_000, nodeFlags: readonly string[] = []): Promise<Child> {
  const child = spawn(process.execPath, [...nodeFlags, '--import=tsx', script, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((ok) => child.once('exit', () => (running.delete(child), ok())));
  const handle: Child = {
    pid: child.pid!,
    output: () => out,
    alive: () => child.exitCode === null && child.signalCode === null,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    },
  };
  return new Promise((ok, fail) => {
    const deadline = Date.now() + timeoutMs;
    const timer = setInterval(() => {
      if (ready.test(out)) {
        clearInterval(timer);
        ok(handle);
      } else if (child.exitCode !== null || Date.now() > deadline) {
        clearInterval(timer);
        child.kill('SIGKILL');
        fail(new Error(`${script} ${args.join(' ')} ${child.exitCode !== null ? `exited ${child.exitCode}` : 'did not start in time'}:\n${out.slice(-4000)}`));
      }
    }, 50);
  });
}

/** Kills whatever is still running (synchronously: also from an `exit` handler). */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
}

const cleanups: Array<() => Promise<unknown>> = [];

/** Something to undo when the bench is interrupted (the database, temporary files), newest first. */
export function onInterrupt(cleanup: () => Promise<unknown>): void {
  cleanups.unshift(cleanup);
}

/** Stops every child when the bench exits; on Ctrl-C or SIGTERM also runs what `onInterrupt` registered. */
export function stopChildrenOnExit(): void {
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping every process the bench started`);
      killAll();
      void (async () => {
        for (const cleanup of cleanups) await cleanup().catch(() => undefined);
      })().finally(() => process.exit(130));
    });
  }
}

/** Runs `script` to its end (the load generator); its exit code and output. */
export function runProcess(script: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import=tsx', script, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  return new Promise((ok) => child.once('exit', (code) => (running.delete(child), ok({ code, output: out }))));
}
