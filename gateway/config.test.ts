import { generateKeyPairSync } from 'node:crypto';
import { ConfigError, DEV_JWT_SECRET, loadConfig } from './config';

/** A partner token signing key, which production requires. */
const PARTNER_KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;

/** Subgraphs as their folders' manifests give them to configuration (name and default port). */
const GRAPH = [
  { name: 'catalog', port: 4001 },
  { name: 'orders', port: 4002 },
  { name: 'finance', port: 4003 },
  { name: 'aftermarket', port: 4004 },
  { name: 'energy', port: 4005 },
];

describe('configuration from the environment', () => {
  test('defaults are safe and complete for local development', () => {
    const c = loadConfig({}, {}, GRAPH);
    expect(c.gatewayPort).toBe(4000);
    expect(c.subgraphPorts).toEqual({ catalog: 4001, orders: 4002, finance: 4003, aftermarket: 4004, energy: 4005 });
    expect(c.jwt.secret).toBe(DEV_JWT_SECRET);
    expect(c.databaseUrl).toBeUndefined();
  });

  test('the identity keys of a subgraph process: a bad GATEWAY_JWKS_URL or SERVICE_TOKEN_SIGNING_KEY is a problem naming it; a good key is read', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env, {}, GRAPH);
        return '';
      } catch (err) {
        return (err as Error).message;
      }
    };
    expect(problems({ GATEWAY_JWKS_URL: 'gateway:4000/jwks' })).toContain('GATEWAY_JWKS_URL="gateway:4000/jwks" is not a http:// or https:// URL');
    expect(problems({ SERVICE_TOKEN_SIGNING_KEY: 'hunter2' })).toMatch(/SERVICE_TOKEN_SIGNING_KEY is neither a PEM private key/);
    expect(problems({ SERVICE_TOKEN_SIGNING_KEY_FILE: '/nonexistent/key.pem' })).toMatch(/SERVICE_TOKEN_SIGNING_KEY_FILE="\/nonexistent\/key.pem" cannot be read \(ENOENT\)/);
    expect(problems({ SERVICE_TOKEN_SIGNING_KEY: PARTNER_KEY, SERVICE_TOKEN_SIGNING_KEY_FILE: '/x' })).toContain('SERVICE_TOKEN_SIGNING_KEY and SERVICE_TOKEN_SIGNING_KEY_FILE are both set');
    expect(problems({ SERVICE_TOKEN_PREVIOUS_KEYS: 'not json' })).toMatch(/SERVICE_TOKEN_PREVIOUS_KEYS is not JSON/);
    const privateJwk = JSON.stringify({ keys: [generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' })] });
    expect(problems({ SERVICE_TOKEN_PREVIOUS_KEYS: privateJwk })).toMatch(/SERVICE_TOKEN_PREVIOUS_KEYS key 1 contains a private part/);
    const c = loadConfig({ GATEWAY_JWKS_URL: 'https://gw.example/.well-known/jwks.json', SERVICE_TOKEN_SIGNING_KEY: PARTNER_KEY }, {}, GRAPH);
    expect([c.gatewayJwksUrl, c.serviceTokenKey?.alg, c.subgraphUrls]).toEqual(['https://gw.example/.well-known/jwks.json', 'ES256', {}]);
  });

  test('every bad value is reported at once, each with the variable and what it accepts', () => {
    let error: Error | undefined;
    try {
      loadConfig({ PORT: 'eighty', ORDERS_PORT: '70000', DATABASE_URL: 'mysql://x', REDIS_URL: 'nope', JWT_SECRET: 'short', MAX_BODY_BYTES: '-1', NODE_ENV: 'staging', MAX_QUERY_DEPTH: '1', MAX_TOKENS: 'x', SUBGRAPH_TIMEOUT_MS: '5', REDIS_TIMEOUT_MS: '0', DB_POOL_SIZE: '0', DB_STATEMENT_TIMEOUT_MS: 'soon', METRICS_TOKEN: 'short', OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318', MIGRATE_ON_START: 'sometimes', ALLOW_SCHEMA_AHEAD: 'maybe' }, {}, GRAPH);
    } catch (err) {
      error = err as Error;
    }
    expect(error).toBeInstanceOf(ConfigError);
    for (const fragment of ['PORT="eighty"', 'ORDERS_PORT="70000"', 'DATABASE_URL="mysql://x"', 'REDIS_URL="nope"', 'JWT_SECRET must be at least 16', 'MAX_BODY_BYTES="-1"', 'NODE_ENV="staging"', 'MAX_QUERY_DEPTH="1" must be a whole number from 2 to 100', 'MAX_TOKENS="x"', 'SUBGRAPH_TIMEOUT_MS="5" must be a whole number from 100 to 600000', 'REDIS_TIMEOUT_MS="0" must be a whole number from 10 to 10000', 'DB_POOL_SIZE="0" must be a whole number from 1 to 1000', 'DB_STATEMENT_TIMEOUT_MS="soon" must be a whole number', 'METRICS_TOKEN must be at least 16 characters', 'OTEL_EXPORTER_OTLP_ENDPOINT="collector:4318"', 'MIGRATE_ON_START="sometimes" must be true or false', 'ALLOW_SCHEMA_AHEAD="maybe" must be true or false']) {
      expect(error!.message).toContain(fragment);
    }
  });

  test('production refuses the development secret and a missing pseudonym key', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET or JWT_JWKS_URL must be set[\s\S]*AUTOGRAPH_PSEUDONYM_KEY must be set/);
    const keys = { AUTOGRAPH_PSEUDONYM_KEY: 'p'.repeat(32), PARTNER_TOKEN_SIGNING_KEY: PARTNER_KEY };
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: DEV_JWT_SECRET, ...keys })).toThrow(/development secret/);
    expect(() => loadConfig({ AUTOGRAPH_PSEUDONYM_KEY: 'short' })).toThrow(/AUTOGRAPH_PSEUDONYM_KEY must be at least 32/);
    expect(loadConfig({ NODE_ENV: 'production', JWT_JWKS_URL: 'https://idp.example/jwks.json', ...keys }).jwt).toEqual({
      issuer: 'autograph-local',
      audience: 'autograph',
      secret: undefined,
      jwksUrl: 'https://idp.example/jwks.json',
      maxTtlSeconds: 3600,
    });
  });

  test("a subgraph alone starts in production without the gateway's private key or client-token settings; the gateway does not", () => {
    const subgraphEnv = { NODE_ENV: 'production', AUTOGRAPH_PSEUDONYM_KEY: 'p'.repeat(32), GATEWAY_JWKS_URL: 'http://autograph-gateway/.well-known/jwks.json' };
    const c = loadConfig(subgraphEnv, { role: 'subgraph' }, GRAPH);
    expect(c.partnerTokens.issuer).toBe('autograph-gateway');
    expect(c.jwt.secret).toBeUndefined();
    expect(() => loadConfig(subgraphEnv, {}, GRAPH)).toThrow(/JWT_SECRET or JWT_JWKS_URL must be set[\s\S]*PARTNER_TOKEN_SIGNING_KEY or PARTNER_TOKEN_SIGNING_KEY_FILE must be set/);
    expect(() => loadConfig(subgraphEnv, { role: 'gateway' }, GRAPH)).toThrow(/PARTNER_TOKEN_SIGNING_KEY or PARTNER_TOKEN_SIGNING_KEY_FILE must be set/);
    // What it is given is still checked.
    expect(() => loadConfig({ ...subgraphEnv, PARTNER_TOKEN_SIGNING_KEY: 'hunter2' }, { role: 'subgraph' }, GRAPH)).toThrow(/PARTNER_TOKEN_SIGNING_KEY is neither a PEM private key/);
    expect(() => loadConfig({ ...subgraphEnv, JWT_SECRET: DEV_JWT_SECRET }, { role: 'subgraph' }, GRAPH)).toThrow(/development secret/);
  });

  const production = { NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-value', AUTOGRAPH_PSEUDONYM_KEY: 'p'.repeat(32), PARTNER_TOKEN_SIGNING_KEY: PARTNER_KEY };

  test('servers migrate their schema at start outside production and only check it in production; MIGRATE_ON_START decides', () => {
    expect(loadConfig({}).schemaOnStart).toEqual({ migrate: true, allowAhead: false });
    expect(loadConfig(production).schemaOnStart).toEqual({ migrate: false, allowAhead: false });
    expect(loadConfig({ ...production, MIGRATE_ON_START: 'true', ALLOW_SCHEMA_AHEAD: 'true' }).schemaOnStart).toEqual({ migrate: true, allowAhead: true });
  });

  test('introspection is on in development and test, off in production, and INTROSPECTION=true|false decides', () => {
    expect(loadConfig({}).introspection).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).introspection).toBe(true);
    expect(loadConfig(production).introspection).toBe(false);
    expect(loadConfig({ ...production, INTROSPECTION: 'true' }).introspection).toBe(true);
    expect(loadConfig({ INTROSPECTION: 'false' }).introspection).toBe(false);
    expect(() => loadConfig({ INTROSPECTION: 'yes' })).toThrow(/INTROSPECTION="yes" must be true or false/);
  });

  test('demo tokens only in development with the built-in secret: a JWT_SECRET or JWKS of your own turns them off', () => {
    expect(loadConfig({}).demoTokens).toBe(true);
    expect(loadConfig({ JWT_SECRET: 'a-secret-of-our-own-deployment' }).demoTokens).toBe(false);
    expect(loadConfig({ JWT_JWKS_URL: 'https://idp.example/jwks.json' }).demoTokens).toBe(false);
    expect(loadConfig({ NODE_ENV: 'test' }).demoTokens).toBe(false);
    expect(loadConfig(production).demoTokens).toBe(false);
  });

  test('token lifetimes are capped: 24 h outside production, 1 h in production, JWT_MAX_TTL_SECONDS decides', () => {
    expect(loadConfig({}).jwt.maxTtlSeconds).toBe(86_400);
    expect(loadConfig(production).jwt.maxTtlSeconds).toBe(3600);
    expect(loadConfig({ ...production, JWT_MAX_TTL_SECONDS: '900' }).jwt.maxTtlSeconds).toBe(900);
    expect(() => loadConfig({ JWT_MAX_TTL_SECONDS: '30' })).toThrow(/JWT_MAX_TTL_SECONDS="30" must be a whole number from 60 to 2592000/);
    expect(() => loadConfig({ JWT_MAX_TTL_SECONDS: 'forever' })).toThrow(/JWT_MAX_TTL_SECONDS="forever"/);
  });

  test('one port moves the whole stack: each subgraph keeps its distance from the gateway (4001 → N+1)', () => {
    const ports = (c: { gatewayPort: number; subgraphPorts: Record<string, number> }) => [c.gatewayPort, ...Object.values(c.subgraphPorts)];
    expect(ports(loadConfig({ PORT: '5000' }, {}, GRAPH))).toEqual([5000, 5001, 5002, 5003, 5004, 5005]);
    expect(ports(loadConfig({ PORT: '5000' }, { port: 6000 }, GRAPH))).toEqual([6000, 6001, 6002, 6003, 6004, 6005]);
    expect(ports(loadConfig({}, { port: 7100 }, GRAPH))).toEqual([7100, 7101, 7102, 7103, 7104, 7105]);
  });

  test('an explicit <NAME>_PORT still wins, and port 0 means a free port for every server', () => {
    expect(loadConfig({ PORT: '5000', ORDERS_PORT: '9999' }, {}, GRAPH).subgraphPorts).toEqual({ catalog: 5001, orders: 9999, finance: 5003, aftermarket: 5004, energy: 5005 });
    expect(loadConfig({ PORT: '0' }, {}, GRAPH).subgraphPorts).toEqual({ catalog: 0, orders: 0, finance: 0, aftermarket: 0, energy: 0 });
    expect(loadConfig({ PORT: '0', ENERGY_PORT: '4105' }, {}, GRAPH).subgraphPorts.energy).toBe(4105);
  });

  test('a gateway port that leaves no room for the subgraphs is refused, naming the subgraph and the way out', () => {
    expect(() => loadConfig({ PORT: '65533' }, {}, GRAPH)).toThrow(/the aftermarket subgraph would listen on 65537 \(gateway port 65533 \+ 4\): choose a gateway port up to 65530, or set AFTERMARKET_PORT/);
    expect(() => loadConfig({}, { port: 70000 })).toThrow(/--port 70000 is not a TCP port/);
  });
});

describe('INCLUDE_STACKTRACE and LOG_LEVEL', () => {
  test('stack traces are off by default, in development too; INCLUDE_STACKTRACE=true turns them on', () => {
    expect(loadConfig({}).includeStacktrace).toBe(false);
    expect(loadConfig({ NODE_ENV: 'development' }).includeStacktrace).toBe(false);
    expect(loadConfig({ INCLUDE_STACKTRACE: 'true' }).includeStacktrace).toBe(true);
    expect(loadConfig({ INCLUDE_STACKTRACE: 'false' }).includeStacktrace).toBe(false);
  });

  test('a value other than true/false, true in production, or an unknown LOG_LEVEL stops start-up naming the variable', () => {
    expect(() => loadConfig({ INCLUDE_STACKTRACE: 'yes' })).toThrow(/INCLUDE_STACKTRACE="yes" must be true or false/);
    const keys = { JWT_SECRET: 's'.repeat(20), AUTOGRAPH_PSEUDONYM_KEY: 'p'.repeat(32), PARTNER_TOKEN_SIGNING_KEY: PARTNER_KEY };
    expect(() => loadConfig({ NODE_ENV: 'production', INCLUDE_STACKTRACE: 'true', ...keys })).toThrow(/INCLUDE_STACKTRACE must not be true when NODE_ENV=production/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL="loud" must be one of fatal, error, warn, info, debug, trace, silent/);
  });
});

describe('<NAME>_URL', () => {
  test('reaches any subgraph of the supergraph, folder or not; a known subgraph’s bad URL stops start-up, an unrelated *_URL is ignored', () => {
    const c = loadConfig({ ORDERS_URL: 'http://orders.internal:8080/graphql', PARTNER_INSURER_URL: 'https://insurer.example/graphql', CI_SERVER_URL: 'git@example:x' }, {}, GRAPH);
    expect(c.subgraphUrls).toEqual({ orders: 'http://orders.internal:8080/graphql', partner_insurer: 'https://insurer.example/graphql' });
    expect(() => loadConfig({ ORDERS_URL: 'ftp://orders' }, {}, GRAPH)).toThrow(/ORDERS_URL="ftp:\/\/orders" is not a http:\/\/ or https:\/\/ URL/);
    expect(loadConfig({ DATABASE_URL: 'postgres://x/y', REDIS_URL: 'redis://r' }, {}, GRAPH).subgraphUrls).toEqual({});
  });
});

describe('following the schema registry (REGISTRY_URL, --registry)', () => {
  const load = (env: NodeJS.ProcessEnv, registry?: string) => loadConfig(env, { registry }, GRAPH);
  const problems = (env: NodeJS.ProcessEnv, registry?: string) => {
    try {
      load(env, registry);
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error('the configuration was accepted');
  };

  test('without REGISTRY_URL the gateway serves the file; with it, the defaults see a change within 5 s by polling alone', () => {
    expect(load({}).registry).toBeUndefined();
    expect(load({ REGISTRY_URL: 'http://registry:4100', REGISTRY_TOKEN: 'tok' }).registry).toEqual({
      url: 'http://registry:4100',
      token: 'tok',
      pollMs: 2000,
      cachePath: '.data/supergraph-cache.graphql',
      probeTimeoutMs: 10_000,
    });
    // REGISTRY_URL is not a subgraph's address.
    expect(load({ REGISTRY_URL: 'http://registry:4100', REGISTRY_TOKEN: 'tok' }).subgraphUrls).toEqual({});
    expect(load({ REGISTRY_URL: 'http://a:1', REGISTRY_TOKEN: 'tok' }, 'https://b:2').registry?.url).toBe('https://b:2');
  });

  test('every bad value is named with what it accepts', () => {
    const message = problems({ REGISTRY_URL: 'ftp://registry', REGISTRY_POLL_MS: 'soon', REGISTRY_PROBE_TIMEOUT_MS: '-5', SUPERGRAPH_CACHE_PATH: '.data/' });
    for (const fragment of ['REGISTRY_URL="ftp://registry" is not a http:// or https:// URL', 'REGISTRY_POLL_MS="soon" must be a whole number from 100 to 60000', 'REGISTRY_PROBE_TIMEOUT_MS="-5" must be a whole number from 0 to 600000', 'SUPERGRAPH_CACHE_PATH=".data/" names a directory']) {
      expect(message).toContain(fragment);
    }
    expect(problems({ REGISTRY_URL: 'http://r:1', REGISTRY_POLL_MS: '50' })).toContain('REGISTRY_POLL_MS="50" must be a whole number from 100');
    expect(problems({}, 'registry:4100')).toContain('--registry="registry:4100" is not a http:// or https:// URL');
  });

  test('a registry without a token, or a token that is not one token, is refused', () => {
    expect(problems({ REGISTRY_URL: 'http://r:1' })).toContain('REGISTRY_TOKEN must be set to follow the registry at http://r:1');
    expect(problems({}, 'http://r:1')).toContain('REGISTRY_TOKEN must be set');
    expect(problems({ REGISTRY_URL: 'http://r:1', REGISTRY_TOKEN: 'Bearer abc' })).toContain('REGISTRY_TOKEN must be the token alone');
    expect(problems({ REGISTRY_URL: 'http://r:1', REGISTRY_TOKEN: 'abc def' })).toContain('REGISTRY_TOKEN must be the token alone');
  });
});
