/**
 * `npm test` — the whole suite: composition check, type checks (the server's; the web app's, built first when
 * stale), then jest against real services.
 *
 * The tests need PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test; each
 * test file creates and drops its own database) and Redis (REDIS_URL, default redis://127.0.0.1:6379).
 * Tests that prove the embedded default run on PGlite regardless. The explorer's test drives a real
 * Chromium (CHROMIUM_PATH, default /usr/bin/chromium). A missing service or browser stops the run with
 * what to start or install, instead of failing obscurely or skipping. Extra arguments go to jest.
 */
import { spawnSync } from 'node:child_process';
import Redis from 'ioredis';
import { Client } from 'pg';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

async function checkPostgres(url: string): Promise<string | null> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    const [{ can }] = (await client.query(`SELECT rolcreatedb OR rolsuper AS can FROM pg_roles WHERE rolname = current_user`)).rows;
    if (!can) return `the PostgreSQL user in DATABASE_URL cannot CREATE DATABASE (each test file makes its own); grant it CREATEDB`;
    return null;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function checkRedis(url: string): Promise<string | null> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return null;
  } catch (err) {
    return (err as Error).message;
  } finally {
    redis.disconnect();
  }
}

/** The browser the explorer's test drives: it must start, not merely exist. */
function checkChromium(path: string): string | null {
  const res = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  if (res.error) return (res.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : res.error.message;
  if (res.status !== 0) return `\`${path} --version\` exited ${res.status ?? res.signal}: ${res.stderr.trim()}`;
  return /chrom/i.test(res.stdout) ? null : `\`${path} --version\` printed ${JSON.stringify(res.stdout.trim().split("\n")[0])}, not a Chromium version`;
}

function run(title: string, cmd: string, args: string[], env: NodeJS.ProcessEnv): void {
  console.log(`\n▶ ${title}`);
  const res = spawnSync(cmd, args, { stdio: 'inherit', env });
  if (res.status !== 0) {
    console.error(`\n✗ ${title} failed (exit ${res.status ?? res.signal})`);
    process.exit(res.status ?? 1);
  }
}

async function main() {
  const databaseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const redisUrl = process.env.REDIS_URL || DEFAULT_REDIS_URL;
  const problems: string[] = [];
  const pgProblem = await checkPostgres(databaseUrl);
  if (pgProblem) {
    problems.push(
      `PostgreSQL is not usable at ${databaseUrl}: ${pgProblem}\n` +
        `    start it (Debian: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set DATABASE_URL=postgres://user@host:port/db`,
    );
  }
  const redisProblem = await checkRedis(redisUrl);
  if (redisProblem) {
    problems.push(`Redis is not reachable at ${redisUrl}: ${redisProblem}\n    start it (redis-server --daemonize yes --port 6379) or set REDIS_URL=redis://host:port`);
  }
  const chromiumPath = process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM_PATH;
  const chromiumProblem = checkChromium(chromiumPath);
  if (chromiumProblem) {
    problems.push(`Chromium is not usable at ${chromiumPath}: ${chromiumProblem}\n    install it (Debian: apt-get install -y chromium) or set CHROMIUM_PATH=/path/to/chromium`);
  }
  if (problems.length) {
    console.error(`The test suite needs real services and a browser:\n  - ${problems.join('\n  - ')}`);
    process.exit(1);
  }
  console.log(`Tests use PostgreSQL ${databaseUrl.replace(/\/\/[^@]*@/, '//…@')}, Redis ${redisUrl} and Chromium ${chromiumPath}.`);
  // PGlite loads its WebAssembly through dynamic import(), which jest's CommonJS sandbox allows only with VM modules on.
  const nodeOptions = [process.env.NODE_OPTIONS, '--experimental-vm-modules', '--disable-warning=ExperimentalWarning'].filter(Boolean).join(' ');
  const env = { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, CHROMIUM_PATH: chromiumPath, NODE_ENV: 'test', NODE_OPTIONS: nodeOptions };
  const bin = (name: string) => require.resolve(`.bin/${name}`, { paths: [`${process.cwd()}/node_modules`] });
  run('composition is up to date (npm run compose -- --check)', process.execPath, [bin('tsx'), 'scripts/compose.ts', '--check'], env);
  run('type check (tsc --noEmit)', process.execPath, [require.resolve('typescript/bin/tsc'), '--noEmit', '-p', 'tsconfig.json'], env);
  // The app's typed operations are generated by its build; its type check and browser tests need them.
  run('the web app is built (npm run web:build -- --if-stale)', process.execPath, [bin('tsx'), 'scripts/web-build.ts', '--if-stale'], env);
  run('type check of the web app (tsc -p web/tsconfig.json)', process.execPath, [require.resolve('typescript/bin/tsc'), '--noEmit', '-p', 'web/tsconfig.json'], env);
  run('jest', process.execPath, [require.resolve('jest/bin/jest'), '--maxWorkers=2', ...process.argv.slice(2)], env);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
