/**
 * The schema registry as a server: migrates its PostgreSQL schema `registry` (the one runner,
 * `platform/migrations.ts`), or only checks its version in production (`platform/schema-on-start.ts`), then
 * answers its HTTP API (`api.ts`) until stopped. `npm run registry` starts it as its own process.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { JwtSettings } from '../gateway/auth';
import type { Db } from '../platform/db';
import type { MigrationSet } from '../platform/migrations';
import { MIGRATE_AT_START, prepareSchema, schemaOnStartFor, type SchemaOnStart } from '../platform/schema-on-start';
import { listen } from '../platform/http';
import { runWithRequestId, requestIdFrom, REQUEST_ID_HEADER } from '../platform/logger';
import { registryAccess } from './access';
import { registryHandler } from './api';
import { DEFAULT_USAGE_DAYS } from './usage-impact';
import type { DerivedSubgraph } from './derive';
import { supergraphEvents } from './supergraph-events';

/** Largest request body by default: a subgraph's SDL is tens of kilobytes; publish-tree sends all of them. */
export const DEFAULT_REGISTRY_MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface RegistryOptions {
  db: Db;
  /** How admin JWTs are verified: the gateway's settings (JWT_*). Registry keys are checked against the database. */
  jwt: JwtSettings;
  port: number;
  host?: string;
  maxBodyBytes?: number;
  /** The usage window checks weigh breaking changes against by default (REGISTRY_USAGE_DAYS; 30). */
  usageDays?: number;
  /** Subgraphs derived from the others on every change (the spending merger); `scripts/registry.ts` builds them from the tree. */
  derived?: readonly DerivedSubgraph[];
  /** How often an events stream gets a heartbeat (default 15 s). */
  heartbeatMs?: number;
  /** Migrate the schema at start, or only check its version; default: migrate. */
  schemaOnStart?: SchemaOnStart;
}

/** The registry's migrations: `migrations/NNN.do.name.sql` into the schema `registry`. */
export const REGISTRY_MIGRATIONS: MigrationSet = { schema: 'registry', dir: join(__dirname, 'migrations') };

export interface RunningRegistry {
  /** Base URL, e.g. `http://127.0.0.1:4100` (the API is under `/v1`). */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startRegistry(opts: RegistryOptions): Promise<RunningRegistry> {
  await prepareSchema(opts.db, REGISTRY_MIGRATIONS, schemaOnStartFor(opts.db, opts.schemaOnStart ?? MIGRATE_AT_START));
  const events = await supergraphEvents(opts.db, { heartbeatMs: opts.heartbeatMs });
  const handler = registryHandler({ db: opts.db, access: registryAccess(opts.db, opts.jwt), maxBodyBytes: opts.maxBodyBytes ?? DEFAULT_REGISTRY_MAX_BODY_BYTES, events, derived: opts.derived, usageDays: opts.usageDays ?? DEFAULT_USAGE_DAYS });
  const host = opts.host ?? '127.0.0.1';
  const serve = (req: IncomingMessage, res: ServerResponse) => {
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    return runWithRequestId(requestId, () => handler(req, res));
  };
  const server = await listen(serve, opts.port, host).catch(async (err: unknown) => {
    await events.close();
    throw err;
  });
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${server.port}`,
    port: server.port,
    async stop() {
      // Streams first: an open event stream would otherwise hold the server's close.
      await events.close();
      await server.close();
    },
  };
}
