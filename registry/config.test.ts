/** The registry process's configuration: its schema is only checked at start in production, and bad values are named. */
import { loadRegistryConfig } from './config';

const production = { NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-value' };

test('the registry migrates its schema at start outside production and only checks it in production; MIGRATE_ON_START decides', () => {
  expect(loadRegistryConfig({}).schemaOnStart).toEqual({ migrate: true, allowAhead: false });
  expect(loadRegistryConfig(production).schemaOnStart).toEqual({ migrate: false, allowAhead: false });
  expect(loadRegistryConfig({ ...production, MIGRATE_ON_START: 'true', ALLOW_SCHEMA_AHEAD: 'true' }).schemaOnStart).toEqual({ migrate: true, allowAhead: true });
});

test('bad MIGRATE_ON_START and ALLOW_SCHEMA_AHEAD values are each reported with what they accept', () => {
  expect(() => loadRegistryConfig({ MIGRATE_ON_START: 'sometimes', ALLOW_SCHEMA_AHEAD: 'maybe' })).toThrow(/MIGRATE_ON_START="sometimes" must be true or false[\s\S]*ALLOW_SCHEMA_AHEAD="maybe" must be true or false/);
});
