import { ConfigError, DEV_JWT_SECRET, loadConfig } from './config';

describe('configuration from the environment', () => {
  test('defaults are safe and complete for local development', () => {
    const c = loadConfig({});
    expect(c.gatewayPort).toBe(4000);
    expect(c.subgraphPorts).toEqual({ catalog: 4001, orders: 4002, finance: 4003, aftermarket: 4004, energy: 4005 });
    expect(c.jwt.secret).toBe(DEV_JWT_SECRET);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.internalSecret.length).toBeGreaterThanOrEqual(32);
  });

  test('every bad value is reported at once, each with the variable and what it accepts', () => {
    let error: Error | undefined;
    try {
      loadConfig({ PORT: 'eighty', ORDERS_PORT: '70000', DATABASE_URL: 'mysql://x', REDIS_URL: 'nope', JWT_SECRET: 'short', MAX_BODY_BYTES: '-1', NODE_ENV: 'staging', MAX_QUERY_DEPTH: '1', MAX_TOKENS: 'x', SUBGRAPH_TIMEOUT_MS: '5' });
    } catch (err) {
      error = err as Error;
    }
    expect(error).toBeInstanceOf(ConfigError);
    for (const fragment of ['PORT="eighty"', 'ORDERS_PORT="70000"', 'DATABASE_URL="mysql://x"', 'REDIS_URL="nope"', 'JWT_SECRET must be at least 16', 'MAX_BODY_BYTES="-1"', 'NODE_ENV="staging"', 'MAX_QUERY_DEPTH="1" must be a whole number from 2 to 100', 'MAX_TOKENS="x"', 'SUBGRAPH_TIMEOUT_MS="5" must be a whole number from 100 to 600000']) {
      expect(error!.message).toContain(fragment);
    }
  });

  test('production refuses the development secret and a missing internal secret', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET or JWT_JWKS_URL must be set[\s\S]*AUTOGRAPH_INTERNAL_SECRET must be set[\s\S]*AUTOGRAPH_PSEUDONYM_KEY must be set/);
    const keys = { AUTOGRAPH_INTERNAL_SECRET: 'x'.repeat(32), AUTOGRAPH_PSEUDONYM_KEY: 'p'.repeat(32) };
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: DEV_JWT_SECRET, ...keys })).toThrow(/development secret/);
    expect(() => loadConfig({ AUTOGRAPH_PSEUDONYM_KEY: 'short' })).toThrow(/AUTOGRAPH_PSEUDONYM_KEY must be at least 32/);
    expect(loadConfig({ NODE_ENV: 'production', JWT_JWKS_URL: 'https://idp.example/jwks.json', ...keys }).jwt).toEqual({
      issuer: 'autograph-local',
      audience: 'autograph',
      secret: undefined,
      jwksUrl: 'https://idp.example/jwks.json',
    });
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
    const keys = { JWT_SECRET: 's'.repeat(20), AUTOGRAPH_INTERNAL_SECRET: 'x'.repeat(32), AUTOGRAPH_PSEUDONYM_KEY: 'p'.repeat(32) };
    expect(() => loadConfig({ NODE_ENV: 'production', INCLUDE_STACKTRACE: 'true', ...keys })).toThrow(/INCLUDE_STACKTRACE must not be true when NODE_ENV=production/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL="loud" must be one of fatal, error, warn, info, debug, trace, silent/);
  });
});
