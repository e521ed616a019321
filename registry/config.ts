/**
 * The registry process's variables, validated with the platform's readers (one message per bad value):
 * REGISTRY_PORT, HOST, DATABASE_URL or REGISTRY_PGLITE_DIR, REGISTRY_MAX_BODY_BYTES, REGISTRY_USAGE_DAYS, MIGRATE_ON_START,
 * ALLOW_SCHEMA_AHEAD, and the gateway's own
 * JWT_* settings (read by the gateway's reader, so a token means the same to both).
 */
import { port, url, wholeNumber, type NodeEnv } from '../platform/env';
import { readSchemaOnStart, type SchemaOnStart } from '../platform/schema-on-start';
import { readJwtSettings } from '../gateway/features/auth';
import type { JwtSettings } from '../gateway/auth';
import { DEFAULT_REGISTRY_MAX_BODY_BYTES } from './server';
import { DEFAULT_USAGE_DAYS, MAX_USAGE_DAYS } from './usage-impact';

export const DEFAULT_REGISTRY_PORT = 4100;

export interface RegistryConfig {
  port: number;
  host: string;
  databaseUrl?: string;
  pgliteDir: string;
  maxBodyBytes: number;
  /** Days of reported usage a check weighs breaking changes against, unless it says. */
  usageDays: number;
  jwt: JwtSettings;
  /** MIGRATE_ON_START, ALLOW_SCHEMA_AHEAD: migrate the schema at start, or only check it (production). */
  schemaOnStart: SchemaOnStart;
}

/** Reads the configuration; throws one Error listing every problem. `--port` wins over REGISTRY_PORT. */
export function loadRegistryConfig(env: NodeJS.ProcessEnv, overrides: { port?: number } = {}): RegistryConfig {
  const problems: string[] = [];
  const nodeEnv = env.NODE_ENV ?? 'development';
  if (!['development', 'production', 'test'].includes(nodeEnv)) problems.push(`NODE_ENV=${JSON.stringify(nodeEnv)} must be development, production or test`);
  const chosenPort = overrides.port ?? port(env, 'REGISTRY_PORT', DEFAULT_REGISTRY_PORT, problems);
  if (chosenPort > 65535) problems.push(`--port ${chosenPort} is not a TCP port (1-65535, or 0 for any free port)`);
  const config: RegistryConfig = {
    port: chosenPort,
    host: env.HOST || '127.0.0.1',
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:'], problems),
    pgliteDir: env.REGISTRY_PGLITE_DIR || '.data/registry',
    maxBodyBytes: wholeNumber(env, 'REGISTRY_MAX_BODY_BYTES', DEFAULT_REGISTRY_MAX_BODY_BYTES, 1024, 50_000_000, problems),
    usageDays: wholeNumber(env, 'REGISTRY_USAGE_DAYS', DEFAULT_USAGE_DAYS, 1, MAX_USAGE_DAYS, problems),
    jwt: readJwtSettings(env, nodeEnv as NodeEnv, problems),
    schemaOnStart: readSchemaOnStart(env, nodeEnv === 'production', problems),
  };
  if (problems.length) throw new Error(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}
