/**
 * The lifecycle feed: how a reader that keeps its own copy of everyone's events (the analytics
 * subgraph) learns, without scanning, whose events changed. Every timeline contributor gets it from
 * the kit:
 *
 * - a change log, `<schema>.lifecycle_changes (xid, user_id)`, filled by statement-level triggers on
 *   every table its `lifecycle_events` view reads (found from the view's dependencies, so a table added
 *   to the view is followed without an edit here); each row names a person whose events a transaction
 *   touched, stamped with that transaction's id;
 * - two service-only fields: `<name>LifecycleChanges` (the people changed since a cursor — asking for a
 *   new round acknowledges the cursor, and the log drops what it covered) and `<name>LifecycleEventsOf`
 *   (all events of some people, each with its spending category).
 *
 * The cursor is a transaction snapshot (`pg_current_snapshot()`): a round reads the changes of the
 * transactions its horizon sees committed and the previous round's did not. A transaction that commits
 * after a later one was still running when the later one was read, so the earlier horizon does not see
 * it and the next round reads it: nothing is skipped, whatever the order of commits. (Reading only
 * `xid < xmin` would be as safe but would stall for as long as any transaction of the cluster stays open.)
 */
import { forbidden, badInput } from '../../platform/errors';
import type { Db, Queryable, TxQueryable } from '../../platform/db';
import type { Identity } from '../../platform/identity';
import { isServiceOf } from './auth';
import { fenFromDb } from '../../platform/money';
import type { LifecycleStage } from './lifecycle';

/** The most people one call may name, and the longest page of changed people. */
export const MAX_FEED_USERS = 1000;

/** Who a table's rows belong to: a column of the row, or a parent's `user_id` through a foreign key. */
interface TableOwner {
  table: string;
  userExpr: string;
  join: string;
}

/**
 * Installs (idempotently) the change log of `schema`'s `lifecycle_events` view; a no-op for a subgraph
 * without one. It is schema derived from what the migrations made (triggers on the tables the view reads),
 * so it is the kit's own migration step: run in the migration transaction after the folder's files, at
 * every migration run, so the triggers follow the view as it is (`kit/migrations.ts`).
 */
export async function installLifecycleChangeLog(q: TxQueryable, schema: string): Promise<boolean> {
  const [view] = await q.query<{ oid: string | null }>(`SELECT to_regclass($1)::oid::text AS oid`, [`${schema}.lifecycle_events`]);
  if (!view?.oid) return false;
  await q.exec(
    `CREATE TABLE IF NOT EXISTS ${schema}.lifecycle_changes (
       xid     xid8 NOT NULL DEFAULT pg_current_xact_id(),
       user_id text NOT NULL
     );
     CREATE INDEX IF NOT EXISTS lifecycle_changes_xid_idx ON ${schema}.lifecycle_changes (xid, user_id);`,
  );
  for (const owner of await tableOwners(q, schema)) {
    const fn = `${schema}.lifecycle_log_${owner.table.replace(/\W/g, '_')}`;
    const pick = (rows: string) => `SELECT ${owner.userExpr} FROM ${rows} r ${owner.join}`;
    await q.exec(
      `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $fn$
       BEGIN
         IF TG_OP = 'INSERT' THEN
           INSERT INTO ${schema}.lifecycle_changes (user_id) SELECT DISTINCT u FROM (${pick('new_rows')}) x(u) WHERE u IS NOT NULL;
         ELSIF TG_OP = 'DELETE' THEN
           INSERT INTO ${schema}.lifecycle_changes (user_id) SELECT DISTINCT u FROM (${pick('old_rows')}) x(u) WHERE u IS NOT NULL;
         ELSE
           INSERT INTO ${schema}.lifecycle_changes (user_id)
             SELECT DISTINCT u FROM (${pick('new_rows')} UNION ${pick('old_rows')}) x(u) WHERE u IS NOT NULL;
         END IF;
         RETURN NULL;
       END $fn$;
       CREATE OR REPLACE TRIGGER lifecycle_changes_ins AFTER INSERT ON ${schema}.${owner.table}
         REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}();
       CREATE OR REPLACE TRIGGER lifecycle_changes_upd AFTER UPDATE ON ${schema}.${owner.table}
         REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}();
       CREATE OR REPLACE TRIGGER lifecycle_changes_del AFTER DELETE ON ${schema}.${owner.table}
         REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}();`,
    );
  }
  return true;
}

/** Every table the view reads, and how to find the person a row belongs to. */
async function tableOwners(q: Queryable, schema: string): Promise<TableOwner[]> {
  const tables = await q.query<{ table: string }>(
    `SELECT DISTINCT c.relname AS table
       FROM pg_rewrite r
       JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid AND d.refclassid = 'pg_class'::regclass
       JOIN pg_class c ON c.oid = d.refobjid AND c.relkind = 'r'
       JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = $1
      WHERE r.ev_class = to_regclass($2) AND c.oid <> r.ev_class
      ORDER BY 1`,
    [schema, `${schema}.lifecycle_events`],
  );
  const owners: TableOwner[] = [];
  for (const { table } of tables) {
    const cols = new Set((await q.query<{ c: string }>(`SELECT column_name AS c FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2`, [schema, table])).map((r) => r.c));
    const own = ['user_id', 'owner_id'].find((c) => cols.has(c));
    if (own) {
      owners.push({ table, userExpr: `r.${own}`, join: '' });
      continue;
    }
    // A row with no person of its own (a subscription's monthly charge) belongs to its parent's.
    const [fk] = await q.query<{ col: string; parent: string }>(
      `SELECT a.attname AS col, p.relname AS parent
         FROM pg_constraint k
         JOIN pg_class t ON t.oid = k.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
         JOIN pg_class p ON p.oid = k.confrelid
         JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
         JOIN pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attname = 'user_id'
        WHERE k.contype = 'f' AND cardinality(k.conkey) = 1 AND n.nspname = $1 AND t.relname = $2
        ORDER BY k.conname LIMIT 1`,
      [schema, table],
    );
    if (!fk) throw new Error(`${schema}.lifecycle_events reads ${schema}.${table}, whose rows name no person (no user_id or owner_id column, no foreign key to a table with user_id): the change log cannot follow it`);
    owners.push({ table, userExpr: 'p.user_id', join: `JOIN ${schema}.${fk.parent} p ON p.id = r.${fk.col}` });
  }
  return owners;
}

/** One page of the people whose events changed. */
export interface LifecycleChangePage {
  userIds: string[];
  /** Pass back as `horizon` for the next page of this round, and as `since` for the next round. */
  horizon: string;
  hasMore: boolean;
}

/** A `pg_snapshot` as text, `xmin:xmax:xip,…`: the horizon a round reads up to. */
const SNAPSHOT = /^[0-9]{1,20}:[0-9]{1,20}:([0-9]{1,20}(,[0-9]{1,20})*)?$/;
const MAX_SNAPSHOT_CHARS = 100_000;

/**
 * The people whose events changed in transactions that `since` did not see and `horizon` does (since
 * empty: everyone with an event — the initial load), ordered by id, after `afterUserId`, at most `first`.
 * `horizon` omitted: a snapshot taken now (a round's first page).
 */
export async function loadLifecycleChanges(q: Queryable, schema: string, args: { since: string; horizon?: string | null; afterUserId?: string | null; first?: number | null }): Promise<LifecycleChangePage> {
  const first = args.first ?? MAX_FEED_USERS;
  if (!Number.isInteger(first) || first < 1 || first > MAX_FEED_USERS) throw badInput(`\`first\` must be between 1 and ${MAX_FEED_USERS}`, 'first');
  const isSnapshot = (v: string) => v.length <= MAX_SNAPSHOT_CHARS && SNAPSHOT.test(v);
  if (args.since !== '' && !isSnapshot(args.since)) throw badInput('`since` is a horizon this field returned, or empty for everyone', 'since');
  if (args.horizon && !isSnapshot(args.horizon)) throw badInput('`horizon` is a horizon this field returned', 'horizon');
  if (!args.horizon && args.since !== '') await pruneAcknowledged(q, schema, args.since);
  const horizon = args.horizon || (await q.query<{ h: string }>(`SELECT pg_current_snapshot()::text AS h`))[0].h;
  const after = args.afterUserId ?? '';
  const rows =
    args.since === ''
      ? await q.query<{ user_id: string }>(`SELECT DISTINCT user_id FROM ${schema}.lifecycle_events WHERE user_id > $1 ORDER BY user_id LIMIT $2`, [after, first + 1])
      : // Committed before the horizon and not yet when `since` was taken; whatever the order of commits.
        await q.query<{ user_id: string }>(
          `SELECT DISTINCT user_id FROM ${schema}.lifecycle_changes
            WHERE xid >= pg_snapshot_xmin($1::pg_snapshot) AND NOT pg_visible_in_snapshot(xid, $1::pg_snapshot)
              AND pg_visible_in_snapshot(xid, $2::pg_snapshot) AND user_id > $3
            ORDER BY user_id LIMIT $4`,
          [args.since, horizon, after, first + 1],
        );
  return { userIds: rows.slice(0, first).map((r) => r.user_id), horizon, hasMore: rows.length > first };
}

/**
 * A round's first page after `since` acknowledges `since`: the reader stored everything that horizon saw
 * before it moved its cursor there, so the change rows of transactions `since` sees are read for good and
 * are removed — the log holds only what its reader has not read, instead of growing with every write.
 * (One reader per contributor: the analytics store, whose replicas share one cursor. A second reader with
 * a cursor of its own would need acknowledgements of its own.) A transaction still running at `since` is
 * not visible in it, so its rows stay for the round that reads them.
 */
async function pruneAcknowledged(q: Queryable, schema: string, since: string): Promise<void> {
  await q.query(`DELETE FROM ${schema}.lifecycle_changes WHERE xid < pg_snapshot_xmax($1::pg_snapshot) AND pg_visible_in_snapshot(xid, $1::pg_snapshot)`, [since]);
}

/** One event as the feed hands it on: the timeline's row, its owner and the spending category of a money event. */
export interface LifecycleFeedEvent {
  id: string;
  userId: string;
  vin: string | null;
  orderId: string | null;
  occurredAt: Date;
  stage: LifecycleStage;
  kind: string;
  amount: bigint | null;
  category: string | null;
  subjectType: string;
  subjectId: string;
}

/** Every event of these people (one statement; the spending category joined by the line's id, which is the event's). */
export async function loadLifecycleEventsOf(q: Queryable, schema: string, userIds: readonly string[]): Promise<LifecycleFeedEvent[]> {
  if (userIds.length > MAX_FEED_USERS) throw badInput(`at most ${MAX_FEED_USERS} users a call`, 'userIds');
  const [spending] = await q.query<{ v: string | null }>(`SELECT to_regclass($1)::text AS v`, [`${schema}.spending_lines`]);
  const category = spending?.v
    ? `(SELECT s.category FROM ${schema}.spending_lines s WHERE s.user_id = e.user_id AND s.line_id = e.event_id LIMIT 1)`
    : 'NULL::text';
  const rows = await q.query<{ event_id: string; user_id: string; vin: string | null; order_id: string | null; occurred_at: Date; stage: LifecycleStage; kind: string; amount_fen: string | null; category: string | null; subject_type: string; subject_id: string }>(
    `SELECT e.event_id, e.user_id, e.vin, e.order_id, e.occurred_at, e.stage, e.kind, e.amount_fen::text AS amount_fen, ${category} AS category, e.subject_type, e.subject_id
       FROM ${schema}.lifecycle_events e WHERE e.user_id = ANY($1::text[])`,
    [userIds],
  );
  return rows.map((r) => ({
    id: r.event_id,
    userId: r.user_id,
    vin: r.vin,
    orderId: r.order_id,
    occurredAt: new Date(r.occurred_at),
    stage: r.stage,
    kind: r.kind,
    amount: r.amount_fen === null ? null : fenFromDb(r.amount_fen),
    category: r.category,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
  }));
}

/**
 * Only the services a contributor names read its feed: it is everyone's events, unpseudonymised.
 * `readers` are subgraph names (the analytics store that ingests the feeds).
 */
export function requireService(identity: Identity | null, readers: readonly string[]): void {
  if (isServiceOf(identity, ...readers)) return;
  if (identity?.role === 'service') throw forbidden(`${identity.sub} may not read the lifecycle feed: only ${readers.map((r) => `service:${r}`).join(', ')} may`);
  throw forbidden("only the platform's own services read the lifecycle feed; analysts use the `analyst…` views");
}

interface WithDb {
  db: Db;
  identity: Identity | null;
}

/**
 * The Query resolvers of a contributor's feed fields (`<name>LifecycleChanges`, `<name>LifecycleEventsOf`),
 * answered only to the services in `readers`.
 */
export function lifecycleFeedResolvers(name: string, readers: readonly string[]) {
  return {
    [`${name}LifecycleChanges`]: (_: unknown, args: { since: string; horizon?: string | null; afterUserId?: string | null; first?: number | null }, ctx: WithDb) => {
      requireService(ctx.identity, readers);
      return loadLifecycleChanges(ctx.db, name, args);
    },
    [`${name}LifecycleEventsOf`]: (_: unknown, args: { userIds: string[] }, ctx: WithDb) => {
      requireService(ctx.identity, readers);
      return loadLifecycleEventsOf(ctx.db, name, args.userIds);
    },
  };
}

/** The feed fields a peer serves, if it is a contributor with a feed. */
export function feedFieldsOf(peer: string) {
  return { changes: `${peer}LifecycleChanges`, eventsOf: `${peer}LifecycleEventsOf` };
}
