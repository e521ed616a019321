/**
 * The schema registry in tests: `startTestRegistry()` runs it on a database of its own (real PostgreSQL
 * unless told otherwise, `openTestDb`) with the test JWT settings, and `call` is one HTTP request to it as
 * a given identity (or with a raw Authorization header, or none). `SHOP` is a small two-subgraph graph,
 * independent of this tree's folders, to change one thing at a time.
 */
import { mintToken } from '../gateway/auth';
import type { Identity } from '../platform/identity';
import type { DerivedSubgraph } from '../registry/derive';
import { startRegistry, type RunningRegistry } from '../registry/server';
import { openTestDb, TEST_JWT } from './harness';
import type { Db } from '../platform/db';

export interface TestRegistry extends RunningRegistry {
  db: Db;
  /** The PostgreSQL database's URL (undefined on PGlite), for a second registry process on the same database. */
  dbUrl?: string;
  token(identity: Identity): Promise<string>;
  /** One request; `as` is an identity (a token is minted), a raw Authorization header, or null for none. */
  call(method: string, path: string, opts?: { as?: Identity | string | null; body?: unknown; rawBody?: string }): Promise<{ status: number; headers: Headers; body: any }>;
  /**
   * Every row of every table of the registry's schema (sorted), to prove a refused call changed nothing:
   * a table a later migration adds is included without a test knowing of it.
   */
  tables(): Promise<Record<string, string[]>>;
  close(): Promise<void>;
}

export const ADMIN: Identity = { sub: 'admin-1', role: 'admin' };

/** `port`: where to listen (a registry a client already points at); any free port by default. */
export async function startTestRegistry(opts: { db?: 'auto' | 'pglite'; maxBodyBytes?: number; port?: number; derived?: readonly DerivedSubgraph[] } = {}): Promise<TestRegistry> {
  const { db, drop, url: dbUrl } = await openTestDb(opts.db ?? 'auto');
  const registry = await startRegistry({ db, jwt: TEST_JWT, port: opts.port ?? 0, maxBodyBytes: opts.maxBodyBytes, derived: opts.derived });
  const token = (identity: Identity) => mintToken(TEST_JWT, identity);
  return {
    ...registry,
    db,
    dbUrl,
    token,
    async call(method, path, { as = ADMIN, body, rawBody } = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (as !== null) headers.authorization = typeof as === 'string' ? as : `Bearer ${await token(as)}`;
      const res = await fetch(`${registry.url}${path}`, { method, headers, body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)) });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
    },
    async tables() {
      const names = await db.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'registry' ORDER BY table_name`);
      const out: Record<string, string[]> = {};
      for (const { table_name: t } of names) {
        const rows = await db.query<{ row: unknown }>(`SELECT to_jsonb(r) AS row FROM registry."${t}" r`);
        out[t] = rows.map((r) => JSON.stringify(r.row)).sort();
      }
      return out;
    },
    async close() {
      await registry.stop();
      await drop();
    },
  };
}

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])';

/** A small graph: `products` owns Product (with an output enum), `reviews` extends it. */
export const SHOP = {
  products: `${LINK}
type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! name: String! colour: Colour }
enum Colour { RED BLUE }
`,
  reviews: `${LINK}
type Product @key(fields: "id") { id: ID! reviews: [String!]! }
`,
};

/** A subgraph that adds one field `<field>: String` to Product, for a new name. */
export const productExtension = (field: string) => `${LINK}
type Product @key(fields: "id") { id: ID! ${field}: String }
`;

export const urlOf = (name: string) => `http://${name}.example:4001/graphql`;
