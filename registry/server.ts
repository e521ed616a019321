/**
 * The schema registry as a server: migrates its PostgreSQL schema `registry` (the one `migrate`), then
 * answers its HTTP API (`api.ts`) until stopped. `npm run registry` starts it as its own process.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { JwtSettings } from '../gateway/auth';
import { migrate, type Db } from '../platform/db';
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
}

export interface RunningRegistry {
  /** Base URL, e.g. `http://127.0.0.1:4100` (the API is under `/v1`). */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startRegistry(opts: RegistryOptions): Promise<RunningRegistry> {
  await migrate(opts.db, 'registry', join(__dirname, 'migrations'));
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
