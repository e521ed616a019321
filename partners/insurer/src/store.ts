/**
 * The insurer's tables and every statement that reads them. Amounts are integer fen in `bigint`
 * columns, read back as text (`::text`) so that no driver turns them into a float. Each read takes a
 * list of keys and is one statement, so a request's SQL count does not grow with its rows.
 */
import type { InsurerDb } from './db';
import { fenFromDb } from './money';

/** Idempotent: run at every start (a partner's real service would use a migration tool). */
const SCHEMA = [
  'CREATE SCHEMA IF NOT EXISTS $S',
  `CREATE TABLE IF NOT EXISTS $S.products (
     id text PRIMARY KEY, name text NOT NULL, annual_premium_fen bigint NOT NULL CHECK (annual_premium_fen > 0))`,
  `CREATE TABLE IF NOT EXISTS $S.policies (
     id text PRIMARY KEY, user_id text NOT NULL, vin text NOT NULL, product_id text NOT NULL REFERENCES $S.products (id),
     starts_at timestamptz NOT NULL, ends_at timestamptz NOT NULL, CHECK (ends_at > starts_at))`,
  'CREATE INDEX IF NOT EXISTS policies_by_user ON $S.policies (user_id, starts_at DESC, id COLLATE "C" DESC)',
  `CREATE TABLE IF NOT EXISTS $S.premiums (
     id text PRIMARY KEY, policy_id text NOT NULL REFERENCES $S.policies (id), user_id text NOT NULL,
     paid_at timestamptz NOT NULL, description text NOT NULL, amount_fen bigint NOT NULL CHECK (amount_fen > 0))`,
  // The spending page order (paid_at, line id), so a page reads first + 1 rows from the index.
  `CREATE INDEX IF NOT EXISTS premiums_page ON $S.premiums (user_id, paid_at DESC, ('insurer:premium:' || id) COLLATE "C" DESC)`,
  'CREATE INDEX IF NOT EXISTS premiums_by_policy ON $S.premiums (policy_id, paid_at)',
];

export async function migrate(db: InsurerDb): Promise<void> {
  for (const statement of SCHEMA) await db.query(statement);
}

export interface Product {
  id: string;
  name: string;
  annualPremium: bigint;
}
export interface Policy {
  id: string;
  userId: string;
  vin: string;
  productName: string;
  startsAt: Date;
  endsAt: Date;
}
export interface Premium {
  id: string;
  policyId: string;
  userId: string;
  paidAt: Date;
  description: string;
  amount: bigint;
}

type PolicyRow = { id: string; user_id: string; vin: string; product_name: string; starts_at: Date; ends_at: Date };
const POLICY_COLUMNS = 'p.id, p.user_id, p.vin, pr.name AS product_name, p.starts_at, p.ends_at FROM $S.policies p JOIN $S.products pr ON pr.id = p.product_id';
const toPolicy = (r: PolicyRow): Policy => ({ id: r.id, userId: r.user_id, vin: r.vin, productName: r.product_name, startsAt: new Date(r.starts_at), endsAt: new Date(r.ends_at) });

type PremiumRow = { id: string; policy_id: string; user_id: string; paid_at: Date; description: string; amount_fen: string };
const PREMIUM_COLUMNS = 'id, policy_id, user_id, paid_at, description, amount_fen::text AS amount_fen FROM $S.premiums';
const toPremium = (r: PremiumRow): Premium => ({ id: r.id, policyId: r.policy_id, userId: r.user_id, paidAt: new Date(r.paid_at), description: r.description, amount: fenFromDb(r.amount_fen) });

export async function products(db: InsurerDb): Promise<Product[]> {
  const rows = await db.query<{ id: string; name: string; fen: string }>('SELECT id, name, annual_premium_fen::text AS fen FROM $S.products ORDER BY id');
  return rows.map((r) => ({ id: r.id, name: r.name, annualPremium: fenFromDb(r.fen) }));
}

export async function policiesById(db: InsurerDb, ids: readonly string[]): Promise<Policy[]> {
  return (await db.query<PolicyRow>(`SELECT ${POLICY_COLUMNS} WHERE p.id = ANY($1::text[])`, [ids])).map(toPolicy);
}

/** One page of a user's policies, newest cover first, after (startsAt, id); `limit` rows at most. */
export async function policiesOfUser(db: InsurerDb, userId: string, after: { at: Date; id: string } | null, limit: number): Promise<Policy[]> {
  const rows = await db.query<PolicyRow>(
    `SELECT ${POLICY_COLUMNS}
      WHERE p.user_id = $1 AND ($2::timestamptz IS NULL OR (p.starts_at, p.id COLLATE "C") < ($2::timestamptz, $3::text COLLATE "C"))
      ORDER BY p.starts_at DESC, p.id COLLATE "C" DESC LIMIT $4`,
    [userId, after?.at ?? null, after?.id ?? '', limit],
  );
  return rows.map(toPolicy);
}

export async function premiumsById(db: InsurerDb, ids: readonly string[]): Promise<Premium[]> {
  return (await db.query<PremiumRow>(`SELECT ${PREMIUM_COLUMNS} WHERE id = ANY($1::text[])`, [ids])).map(toPremium);
}

export async function premiumsOfPolicies(db: InsurerDb, policyIds: readonly string[]): Promise<Premium[]> {
  return (await db.query<PremiumRow>(`SELECT ${PREMIUM_COLUMNS} WHERE policy_id = ANY($1::text[]) ORDER BY paid_at, id`, [policyIds])).map(toPremium);
}

/** A period: `from` inclusive, `to` exclusive, either open. */
export interface Period {
  from: Date | null;
  to: Date | null;
}

export interface Bucket {
  userId: string;
  month: string;
  amount: bigint;
  lineCount: number;
}

/** Sums of premiums per user and month (UTC) in a period, for several users in one statement. */
export async function premiumBuckets(db: InsurerDb, userIds: readonly string[], period: Period): Promise<Bucket[]> {
  const rows = await db.query<{ user_id: string; month: string; amount: string; n: string }>(
    `SELECT user_id, to_char(paid_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, sum(amount_fen)::text AS amount, count(*)::text AS n
       FROM $S.premiums
      WHERE user_id = ANY($1::text[]) AND ($2::timestamptz IS NULL OR paid_at >= $2::timestamptz) AND ($3::timestamptz IS NULL OR paid_at < $3::timestamptz)
      GROUP BY user_id, month ORDER BY user_id, month`,
    [userIds, period.from, period.to],
  );
  return rows.map((r) => ({ userId: r.user_id, month: r.month, amount: fenFromDb(r.amount), lineCount: Number(r.n) }));
}

/** The line id of a premium in the spending report: globally unique, and the order's tie-breaker. */
export const premiumLineId = (premiumId: string) => `insurer:premium:${premiumId}`;

/**
 * At most `limit` premiums of a user in a period, in the report's one order — paid time descending, then
 * line id descending in byte order (`COLLATE "C"`) — strictly after the cursor's (time, line id).
 */
export async function premiumPage(db: InsurerDb, userId: string, period: Period, after: { at: Date; id: string } | null, limit: number): Promise<Premium[]> {
  const rows = await db.query<PremiumRow>(
    `SELECT ${PREMIUM_COLUMNS}
      WHERE user_id = $1 AND ($2::timestamptz IS NULL OR paid_at >= $2::timestamptz) AND ($3::timestamptz IS NULL OR paid_at < $3::timestamptz)
        AND ($4::timestamptz IS NULL OR (paid_at, ('insurer:premium:' || id) COLLATE "C") < ($4::timestamptz, $5::text COLLATE "C"))
      ORDER BY paid_at DESC, ('insurer:premium:' || id) COLLATE "C" DESC
      LIMIT $6`,
    [userId, period.from, period.to, after?.at ?? null, after?.id ?? '', limit],
  );
  return rows.map(toPremium);
}
