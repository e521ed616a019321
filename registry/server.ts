/**
 * The schema registry as a server: migrates its PostgreSQL schema `registry` (the one `migrate`), then
 * answers its HTTP API (`api.ts`) until stopped. `npm run registry` starts it as its own process.
 */
import { join } from 'node:path';
import type { JwtSettings } from '../gateway/auth';
import { migrate, type Db } from '../platform/db';
import { listen } from '../platform/http';
import { runWithRequestId, requestIdFrom, REQUEST_ID_HEADER } from '../platform/logger';
import { registryAccess } from './access';
import { registryHandler } from './api';
import type { DerivedSubgraph } from './derive';

/** Largest request body by default: a subgraph's SDL is tens of kilobytes; publish-tree sends all of them. */
export const DEFAULT_REGISTRY_MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface RegistryOptions {
  db: Db;
  /** How tokens are verified: the gateway's settings (JWT_*). */
  jwt: JwtSettings;
  port: number;
  host?: string;
  maxBodyBytes?: number;
  /** Subgraphs derived from the others on every change (the spending merger); `scripts/registry.ts` builds them from the tree. */
  derived?: readonly DerivedSubgraph[];
}

export interface RunningRegistry {
  /** Base URL, e.g. `http://127.0.0.1:4100` (the API is under `/v1`). */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startRegistry(opts: RegistryOptions): Promise<RunningRegistry> {
  await migrate(opts.db, 'registry', join(__dirname, 'migrations'));
  const handler = registryHandler({ db: opts.db, access: registryAccess(opts.jwt), maxBodyBytes: opts.maxBodyBytes ?? DEFAULT_REGISTRY_MAX_BODY_BYTES, derived: opts.derived });
  const host = opts.host ?? '127.0.0.1';
  const listening = await listen(
    (req, res) => {
      const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
      res.setHeader(REQUEST_ID_HEADER, requestId);
      return runWithRequestId(requestId, () => handler(req, res));
    },
    opts.port,
    host,
  );
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${listening.port}`,
    port: listening.port,
    stop: () => listening.close(),
  };
}
