/**
 * A private PostgreSQL server for tests and the soak run that need the database to go away and come back
 * (a restart): Debian's binaries, a fresh data directory in a temporary folder, trust authentication, a
 * free loopback port and its unix socket in that folder. `restart()` stops it (a fast shutdown: every
 * session is terminated, as a real restart does) and starts it again on the same port and data directory.
 * The machine's shared PostgreSQL is never touched.
 *
 * PostgreSQL refuses to run as root, so when this process is root the server runs as the `postgres` user
 * (`setpriv`), with the folder handed to it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis-server';

/** Where Debian installs the server: the newest version under /usr/lib/postgresql. */
function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres'))) : [];
  if (!versions.length) throw new Error(`no PostgreSQL server binaries under ${root} (Debian: apt-get install postgresql)`);
  return join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

/**
 * The command line that runs `bin` as a user PostgreSQL accepts. `setpriv` changes user and then execs the
 * server, so the pid we signal is the server's own (runuser would stay in between and not pass signals on).
 */
function asServerUser(bin: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', bin, ...args]] : [bin, args];
}

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/<database>` */
  url(database?: string): string;
  readonly port: number;
  /** Stops it (fast shutdown: sessions are terminated) and waits until it has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory and waits until it accepts connections. */
  start(): Promise<void>;
  /** stop() then start(). */
  restart(): Promise<void>;
  /** Stops it and removes its folder. */
  destroy(): Promise<void>;
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'autograph-pg-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) {
    const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (ids.status !== 0) throw new Error('running as root and there is no postgres user to run PostgreSQL as');
    chownSync(dir, Number(ids.stdout.trim()), Number(gid.stdout.trim()));
  }
  const [initCmd, initArgs] = asServerUser(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const init = spawnSync(initCmd, initArgs, { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed (${init.status}): ${init.stderr || init.stdout}`);
  const port = await freePort();
  let child: ChildProcess | undefined;

  const start = async () => {
    const [cmd, args] = asServerUser(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-c', 'fsync=off', '-c', 'max_connections=200']);
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`PostgreSQL on ${port} did not start in 30 s: ${out}`)), 30_000);
      const onData = (d: Buffer) => {
        out = (out + d.toString()).slice(-8000);
        if (out.includes('database system is ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      };
      c.stdout!.on('data', onData);
      c.stderr!.on('data', onData);
      c.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`PostgreSQL on ${port} exited with ${code}: ${out}`));
      });
    });
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    // SIGINT is PostgreSQL's fast shutdown: sessions are terminated, the server exits cleanly.
    c.kill('SIGINT');
    const killer = setTimeout(() => c.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(killer);
    await waitFor(() => !existsSync(join(data, 'postmaster.pid')), 20_000, `PostgreSQL on ${port} did not stop`);
  };
  // Should our process end without destroy() (a crash), the server goes with it instead of living on.
  const onExit = () => child?.kill('SIGINT');
  process.once('exit', onExit);
  await start();
  return {
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    start,
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    destroy: async () => {
      process.off('exit', onExit);
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitFor(condition: () => boolean, timeoutMs: number, message: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(message);
    await new Promise((r) => setTimeout(r, 50));
  }
}
