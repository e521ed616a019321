/**
 * Configuration from environment variables, validated once at start-up with one clear message per
 * bad value. Every variable is documented in the README. The stack's own variables are read here; each
 * gateway feature reads its own (`features.ts`, `readGatewaySettings`), and their problems are reported
 * together with these.
 */
import { bool, port, url, wholeNumber, type NodeEnv } from '../platform/env';
import { readOperationLimits, type OperationLimits } from '../platform/limits';
import { DEFAULT_POOL_SIZE, DEFAULT_STATEMENT_TIMEOUT_MS } from '../platform/db';
import { readSchemaOnStart, type SchemaOnStart } from '../platform/schema-on-start';
import { LOG_LEVELS } from '../platform/logger';
import { readGatewaySettings, type GatewaySettings, type ProcessRole } from './features';
import { keyTextOf, parsePreviousKeys, parseSigningKey, SigningKeyError, type PublicJwk, type SigningKey } from '../platform/signing-keys';

export { DEV_JWT_SECRET, DEFAULT_JWT_MAX_TTL_SECONDS } from './features/auth';

export interface AutographConfig extends GatewaySettings {
  env: NodeEnv;
  gatewayPort: number;
  host: string;
  supergraphPath: string;
  /** Subgraph ports when the whole stack runs in one process. */
  subgraphPorts: Record<string, number>;
  /** Where the gateway and subgraphs reach each subgraph; overrides the supergraph's routing URLs when set. */
  subgraphUrls: Partial<Record<string, string>>;
  databaseUrl?: string;
  pgliteDir?: string;
  /**
   * GATEWAY_JWKS_URL: where a subgraph running as its own process reads the gateway's public keys
   * (the gateway's `/.well-known/jwks.json`); unset: the gateway at this machine's PORT, outside production.
   */
  gatewayJwksUrl?: string;
  /**
   * SERVICE_TOKEN_SIGNING_KEY(_FILE): the private key a subgraph running as its own process signs its
   * calls to other subgraphs with (it publishes the public half at its `/.well-known/jwks.json`).
   */
  serviceTokenKey?: SigningKey;
  /** SERVICE_TOKEN_PREVIOUS_KEYS(_FILE): public keys such a subgraph still serves beside its key's, during a rotation. */
  previousServiceTokenKeys: PublicJwk[];
  /** The subgraphs that are ours (the `subgraphs` given to `loadConfig`); any other is a partner's. */
  ownSubgraphs: string[];
  maxBodyBytes: number;
  /** Operation limits: the gateway's, and with room on top each subgraph's. */
  limits: OperationLimits;
  /** INCLUDE_STACKTRACE=true: `extensions.stacktrace` in error responses (never in production). */
  includeStacktrace: boolean;
  /** REGISTRY_URL (or --registry): the gateway follows the schema registry instead of the supergraph file. */
  registry?: RegistryFollowConfig;
  /** DB_POOL_SIZE: the most PostgreSQL connections each process opens. */
  dbPoolSize: number;
  /** DB_STATEMENT_TIMEOUT_MS: PostgreSQL's statement_timeout for the servers' connections; 0: none. */
  dbStatementTimeoutMs: number;
  /** MIGRATE_ON_START, ALLOW_SCHEMA_AHEAD: servers on PostgreSQL migrate at start, or only check the version (production). */
  schemaOnStart: SchemaOnStart;
  /** SHUTDOWN_DELAY_MS: after SIGTERM, how long health answers 503 `stopping` while requests are still served. */
  shutdownDelayMs: number;
  /** SHUTDOWN_DRAIN_MS: then, how long the requests in flight may take to finish before connections are cut. */
  shutdownDrainMs: number;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: where traces go (OTLP over HTTP); unset: none recorded. */
  otlpEndpoint?: string;
  /** OTEL_SERVICE_NAME: the traces' `service.name`; unset: each process names itself. */
  otelServiceName?: string;
}

/** How a process follows the schema registry (the gateway's supergraph, a peer-following subgraph's peers). */
export interface RegistryFollowConfig {
  url: string;
  /** REGISTRY_TOKEN: sent as the bearer token (a gateway credential, or an admin token). */
  token: string;
  /** REGISTRY_POLL_MS: how often the current supergraph is polled besides the events stream. */
  pollMs: number;
  /** SUPERGRAPH_CACHE_PATH: where the last served supergraph is kept for a start while the registry is down. */
  cachePath: string;
  /** REGISTRY_PROBE_TIMEOUT_MS: how long a new or changed subgraph may take to serve its published part. */
  probeTimeoutMs: number;
}

/** Polled this often by default: a change is seen within 5 s even when no event arrives (poll + fetch + probe). */
export const DEFAULT_REGISTRY_POLL_MS = 2000;
export const DEFAULT_SUPERGRAPH_CACHE_PATH = '.data/supergraph-cache.graphql';
export const DEFAULT_REGISTRY_PROBE_TIMEOUT_MS = 10_000;

/**
 * The registry-following settings, when REGISTRY_URL or `--registry` names a registry (undefined otherwise);
 * adds one problem per bad value.
 */
export function readRegistryFollow(env: NodeJS.ProcessEnv, registryFlag: string | undefined, problems: string[]): RegistryFollowConfig | undefined {
  let registryUrl: string | undefined;
  if (registryFlag !== undefined) {
    registryUrl = url({ '--registry': registryFlag }, '--registry', ['http:', 'https:'], problems);
    if (registryUrl === undefined && registryFlag === '') problems.push('--registry needs the registry\'s URL, e.g. --registry http://127.0.0.1:4100');
  } else {
    registryUrl = url(env, 'REGISTRY_URL', ['http:', 'https:'], problems);
  }
  const pollMs = wholeNumber(env, 'REGISTRY_POLL_MS', DEFAULT_REGISTRY_POLL_MS, 100, 60_000, problems);
  const probeTimeoutMs = wholeNumber(env, 'REGISTRY_PROBE_TIMEOUT_MS', DEFAULT_REGISTRY_PROBE_TIMEOUT_MS, 0, 600_000, problems);
  const cachePath = env.SUPERGRAPH_CACHE_PATH || DEFAULT_SUPERGRAPH_CACHE_PATH;
  if (/[/\\]$/.test(cachePath)) problems.push(`SUPERGRAPH_CACHE_PATH=${JSON.stringify(cachePath)} names a directory; give a file path, e.g. ${DEFAULT_SUPERGRAPH_CACHE_PATH}`);
  const token = env.REGISTRY_TOKEN ?? '';
  if (registryUrl === undefined) return undefined;
  if (!token) problems.push(`REGISTRY_TOKEN must be set to follow the registry at ${registryUrl} (a gateway credential or an admin token: npm run token)`);
  else if (/\s/.test(token) || /^bearer\b/i.test(token)) problems.push('REGISTRY_TOKEN must be the token alone: no spaces, no "Bearer " in front');
  return { url: registryUrl, token, pollMs, cachePath, probeTimeoutMs };
}

/** A configuration problem; the message names the variable and what it accepts. */
export class ConfigError extends Error {}

const DEFAULT_GATEWAY_PORT = 4000;

/** `*_URL` variables that are not a subgraph's address. */
const NOT_SUBGRAPH_URLS = new Set(['DATABASE_URL', 'REDIS_URL', 'JWT_JWKS_URL', 'REGISTRY_URL', 'GATEWAY_JWKS_URL']);

/** Where each subgraph is reached when they run as separate processes: `<NAME>_URL`, else its local port. */
export function subgraphServiceUrls(config: AutographConfig): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const name of Object.keys(config.subgraphPorts)) urls[name] = config.subgraphUrls[name] ?? `http://127.0.0.1:${config.subgraphPorts[name]}/graphql`;
  return urls;
}

/** Values given on the command line, which win over the environment. */
export interface ConfigOverrides {
  /** `--port N`: the gateway port; each subgraph keeps its distance from it (4001 → N+1) unless its own `<NAME>_PORT` is set. */
  port?: number;
  /** `--registry URL`: follow that registry (wins over REGISTRY_URL). */
  registry?: string;
  /** The process reading it (default gateway); a subgraph alone is not asked for the gateway's key or client-token settings. */
  role?: ProcessRole;
}

/** A subgraph as configuration sees it: its name and default port (from its folder's manifest). */
export interface SubgraphPortDefault {
  name: string;
  port: number;
}

/**
 * Reads and validates the configuration; throws one `ConfigError` listing every problem. `subgraphs` are
 * the graph's subgraphs with their default ports; scripts pass the discovered folders.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ConfigOverrides = {}, subgraphs: readonly SubgraphPortDefault[] = []): AutographConfig {
  const problems: string[] = [];
  const nodeEnv = env.NODE_ENV ?? 'development';
  if (!['development', 'production', 'test'].includes(nodeEnv)) problems.push(`NODE_ENV=${JSON.stringify(nodeEnv)} must be development, production or test`);
  const production = nodeEnv === 'production';

  // One number moves the whole stack: each subgraph keeps its manifest's distance from the gateway (4000 →
  // 4001 …), so a second copy on the same machine needs only --port or PORT. Port 0: any free port for all.
  let gatewayPort = overrides.port ?? port(env, 'PORT', DEFAULT_GATEWAY_PORT, problems);
  if (gatewayPort > 65535) {
    problems.push(`--port ${gatewayPort} is not a TCP port (1-65535, or 0 for any free port)`);
    gatewayPort = DEFAULT_GATEWAY_PORT;
  }
  const subgraphPorts: Record<string, number> = {};
  const subgraphUrls: Partial<Record<string, string>> = {};
  const widest = Math.max(0, ...subgraphs.map((s) => s.port - DEFAULT_GATEWAY_PORT));
  for (const { name, port: defaultPort } of subgraphs) {
    const variable = `${name.toUpperCase()}_PORT`;
    const offset = defaultPort - DEFAULT_GATEWAY_PORT;
    const derived = gatewayPort === 0 ? 0 : gatewayPort + offset;
    if ((derived > 65535 || derived < 1) && gatewayPort !== 0 && !env[variable]) problems.push(`the ${name} subgraph would listen on ${derived} (gateway port ${gatewayPort} ${offset < 0 ? '-' : '+'} ${Math.abs(offset)}): choose a gateway port up to ${65535 - widest}, or set ${variable}`);
    subgraphPorts[name] = port(env, variable, derived, problems);
  }
  // `<NAME>_URL` moves any subgraph of the supergraph, including one this process has no folder for
  // (a gateway alone knows its subgraphs only from the supergraph).
  // A known subgraph's variable must be an http(s) URL; another `*_URL` (set by a CI system, say) counts
  // only when it is one, so an unrelated variable cannot stop start-up.
  const known = new Set(subgraphs.map((s) => s.name));
  for (const variable of Object.keys(env).sort()) {
    const m = /^([A-Z][A-Z0-9_]*)_URL$/.exec(variable);
    if (!m || NOT_SUBGRAPH_URLS.has(variable)) continue;
    const name = m[1].toLowerCase();
    const u = url(env, variable, ['http:', 'https:'], known.has(name) ? problems : []);
    if (u) subgraphUrls[name] = u;
  }

  const gateway = readGatewaySettings(env, nodeEnv as NodeEnv, problems, overrides.role);

  let serviceTokenKey: SigningKey | undefined;
  const serviceKeyText = keyTextOf(env, 'SERVICE_TOKEN_SIGNING_KEY', problems);
  if (serviceKeyText) {
    try {
      serviceTokenKey = parseSigningKey(serviceKeyText.text);
    } catch (err) {
      if (!(err instanceof SigningKeyError)) throw err;
      problems.push(`${serviceKeyText.from} ${err.message}`);
    }
  }
  let previousServiceTokenKeys: PublicJwk[] = [];
  const previousServiceKeys = keyTextOf(env, 'SERVICE_TOKEN_PREVIOUS_KEYS', problems);
  if (previousServiceKeys) {
    try {
      previousServiceTokenKeys = parsePreviousKeys(previousServiceKeys.text);
    } catch (err) {
      if (!(err instanceof SigningKeyError)) throw err;
      problems.push(`${previousServiceKeys.from} ${err.message}`);
    }
  }

  const pseudonymKey = env.AUTOGRAPH_PSEUDONYM_KEY;
  if (pseudonymKey !== undefined && pseudonymKey !== '' && pseudonymKey.length < 32) problems.push('AUTOGRAPH_PSEUDONYM_KEY must be at least 32 characters');
  if (production && !pseudonymKey) problems.push('AUTOGRAPH_PSEUDONYM_KEY must be set when NODE_ENV=production (it keys the pseudonyms analysts see)');

  const maxBodyRaw = env.MAX_BODY_BYTES ?? '262144';
  const maxBodyBytes = Number(maxBodyRaw);
  if (!/^\d+$/.test(maxBodyRaw) || maxBodyBytes < 1024 || maxBodyBytes > 50_000_000) problems.push(`MAX_BODY_BYTES=${JSON.stringify(maxBodyRaw)} must be a whole number of bytes from 1024 to 50000000`);

  const includeStacktrace = bool(env, 'INCLUDE_STACKTRACE', false, problems);
  if (production && includeStacktrace) problems.push('INCLUDE_STACKTRACE must not be true when NODE_ENV=production (stack traces show internals)');
  if (env.LOG_LEVEL && !(LOG_LEVELS as readonly string[]).includes(env.LOG_LEVEL)) problems.push(`LOG_LEVEL=${JSON.stringify(env.LOG_LEVEL)} must be one of ${LOG_LEVELS.join(', ')}`);

  const config: AutographConfig = {
    ...gateway,
    env: nodeEnv as NodeEnv,
    gatewayPort,
    host: env.HOST || '127.0.0.1',
    supergraphPath: env.SUPERGRAPH_PATH || 'schema/supergraph.graphql',
    subgraphPorts,
    subgraphUrls,
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:'], problems),
    pgliteDir: env.PGLITE_DIR || '.data/pglite',
    gatewayJwksUrl: url(env, 'GATEWAY_JWKS_URL', ['http:', 'https:'], problems),
    serviceTokenKey,
    previousServiceTokenKeys,
    ownSubgraphs: subgraphs.map((s) => s.name),
    maxBodyBytes,
    includeStacktrace,
    limits: readOperationLimits(env, problems),
    registry: readRegistryFollow(env, overrides.registry, problems),
    dbPoolSize: wholeNumber(env, 'DB_POOL_SIZE', DEFAULT_POOL_SIZE, 1, 1_000, problems),
    dbStatementTimeoutMs: wholeNumber(env, 'DB_STATEMENT_TIMEOUT_MS', DEFAULT_STATEMENT_TIMEOUT_MS, 0, 3_600_000, problems),
    schemaOnStart: readSchemaOnStart(env, production, problems),
    shutdownDelayMs: wholeNumber(env, 'SHUTDOWN_DELAY_MS', 0, 0, 120_000, problems),
    shutdownDrainMs: wholeNumber(env, 'SHUTDOWN_DRAIN_MS', 10_000, 0, 600_000, problems),
    otlpEndpoint: url(env, 'OTEL_EXPORTER_OTLP_ENDPOINT', ['http:', 'https:'], problems),
    otelServiceName: env.OTEL_SERVICE_NAME || undefined,
  };
  if (problems.length) throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}
