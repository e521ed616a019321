/** Flag parsing shared by the scripts: `--name value`, `--name=value`, `--flag`; unknown flags are refused. */
import { ConfigError, loadConfig, type AutographConfig, type ConfigOverrides, type SubgraphPortDefault } from '../gateway/config';
import { fileSupergraph, SupergraphFileError } from '../gateway/file-supergraph';
import type { SupergraphSource } from '../gateway/supergraph-source';
export type FlagSpec = Record<string, 'string' | 'boolean' | 'int'>;

export function fail(message: string): never {
  console.error(`error: ${message}`);
  process.exit(2);
}

export function parseFlags(argv: string[], spec: FlagSpec): Record<string, string | boolean | number | undefined> {
  const out: Record<string, string | boolean | number | undefined> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const m = /^--([a-z][a-z-]*)(?:=(.*))?$/.exec(arg);
    if (!m) fail(`unexpected argument "${arg}" (flags: ${Object.keys(spec).map((k) => `--${k}`).join(', ')})`);
    const [, name, inline] = m;
    const kind = spec[name];
    if (!kind) fail(`unknown flag --${name} (flags: ${Object.keys(spec).map((k) => `--${k}`).join(', ')})`);
    if (kind === 'boolean') {
      if (inline !== undefined) fail(`--${name} takes no value`);
      out[name] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value.startsWith('--')) fail(`--${name} needs a value`);
    if (kind === 'int') {
      if (!/^\d+$/.test(value)) fail(`--${name} must be a whole number, not "${value}"`);
      out[name] = Number(value);
    } else {
      out[name] = value;
    }
  }
  return out;
}

/**
 * Loads the environment configuration (command-line values winning), or exits with its list of problems.
 * `subgraphs` (name and default port) are the subgraphs this process runs or calls.
 */
export function loadConfigOrExit(overrides: ConfigOverrides = {}, subgraphs: readonly SubgraphPortDefault[] = []): AutographConfig {
  try {
    return loadConfig(process.env, overrides, subgraphs);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
}

/** The supergraph the gateway serves: the file at `path`, watched; exits saying what to do when it cannot be read. */
export function supergraphOrExit(path: string): SupergraphSource {
  try {
    return fileSupergraph(path);
  } catch (err) {
    if (err instanceof SupergraphFileError) fail(err.message);
    throw err;
  }
}

/**
 * Fails (as `exitOnStartFailure` reports it) when one of `ports` on `host` is taken, before a command spends
 * minutes opening and migrating a database only to find it cannot listen. Port 0 (any free one) is skipped;
 * a port freed or taken in between is still reported by the listen itself.
 */
export async function ensurePortsFree(host: string, ports: readonly number[]): Promise<void> {
  const { createServer } = await import('node:net');
  for (const port of new Set(ports.filter((p) => p > 0))) {
    await new Promise<void>((resolve, reject) => {
      const probe = createServer();
      probe.once('error', reject);
      probe.listen(port, host, () => probe.close(() => resolve()));
    }).catch(exitOnStartFailure);
  }
}

/** Ends a server command on a start-up failure with a message a person can act on (no stack trace). */
export function exitOnStartFailure(err: unknown): never {
  const e = err as NodeJS.ErrnoException & { port?: number; address?: string };
  if (e?.code === 'EADDRINUSE') {
    console.error(`error: port ${e.port} on ${e.address} is already in use: stop the other process, or choose other ports (PORT or --port, which moves every subgraph with it; a subgraph's own <NAME>_PORT; 0 picks a free one)`);
  } else if (e?.code === 'ECONNREFUSED' || e?.code === 'ENOTFOUND') {
    console.error(`error: cannot reach ${e.address ?? 'a service'}${e.port ? `:${e.port}` : ''} (${e.code}): is DATABASE_URL / REDIS_URL right and the server running?`);
  } else {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  }
  process.exit(1);
}
