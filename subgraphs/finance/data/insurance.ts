/**
 * The SQL of insurance (`finance.insurance_products`, `finance.insurance_policies`): the products on
 * offer and the policies bought on vehicles. A policy row carries its product's insurer and kind.
 */
import { insertAll, type BulkTableSpec } from '../../kit/bulk';
import type { Queryable } from '../../../platform/db';
import { fenFromDb } from '../../../platform/money';
import { groupBy } from '../../kit/loaders';
import type { TimeKey } from '../../kit/pagination';

export type InsuranceKind = 'COMPULSORY' | 'COMMERCIAL';

export interface InsuranceProductRow {
  id: string;
  insurerOrg: string;
  insurerName: string;
  kind: InsuranceKind;
  name: string;
  annualPremiumFen: bigint;
}

export interface InsurancePolicyRow {
  id: string;
  vin: string;
  userId: string;
  productId: string;
  /** Joined from the product. */
  insurerOrg: string;
  /** Joined from the product. */
  kind: InsuranceKind;
  premiumFen: bigint;
  startsAt: Date;
  endsAt: Date;
  purchasedAt: Date;
}

// --- row mapping ------------------------------------------------------------------------------

const PRODUCT_COLUMNS = `pr.id, pr.insurer_org, pr.insurer_name, pr.kind, pr.name, pr.annual_premium_fen`;
type ProductDbRow = { id: string; insurer_org: string; insurer_name: string; kind: InsuranceKind; name: string; annual_premium_fen: string };
function toProduct(r: ProductDbRow): InsuranceProductRow {
  return { id: r.id, insurerOrg: r.insurer_org, insurerName: r.insurer_name, kind: r.kind, name: r.name, annualPremiumFen: fenFromDb(r.annual_premium_fen) };
}

const POLICY_COLUMNS = `p.id, p.vin, p.user_id, p.product_id, pr.insurer_org, pr.kind, p.premium_fen, p.starts_at, p.ends_at, p.purchased_at`;
type PolicyDbRow = {
  id: string;
  vin: string;
  user_id: string;
  product_id: string;
  insurer_org: string;
  kind: InsuranceKind;
  premium_fen: string;
  starts_at: Date;
  ends_at: Date;
  purchased_at: Date;
};
function toPolicy(r: PolicyDbRow): InsurancePolicyRow {
  return {
    id: r.id,
    vin: r.vin,
    userId: r.user_id,
    productId: r.product_id,
    insurerOrg: r.insurer_org,
    kind: r.kind,
    premiumFen: fenFromDb(r.premium_fen),
    startsAt: new Date(r.starts_at),
    endsAt: new Date(r.ends_at),
    purchasedAt: new Date(r.purchased_at),
  };
}

// --- reads (batched) --------------------------------------------------------------------------

export async function productsByIds(q: Queryable, ids: readonly string[]): Promise<InsuranceProductRow[]> {
  const rows = await q.query<ProductDbRow>(`SELECT ${PRODUCT_COLUMNS} FROM finance.insurance_products pr WHERE pr.id = ANY($1::text[])`, [ids]);
  return rows.map(toProduct);
}

/** Up to `limit` products in a stable order (by id), after `afterId` (the last id seen). */
export async function productsPage(q: Queryable, afterId: string | null, limit: number): Promise<InsuranceProductRow[]> {
  const rows = await q.query<ProductDbRow>(
    `SELECT ${PRODUCT_COLUMNS} FROM finance.insurance_products pr
      WHERE $1::text IS NULL OR pr.id > $1::text
      ORDER BY pr.id
      LIMIT $2`,
    [afterId, limit],
  );
  return rows.map(toProduct);
}

export async function policiesByIds(q: Queryable, ids: readonly string[]): Promise<InsurancePolicyRow[]> {
  const rows = await q.query<PolicyDbRow>(
    `SELECT ${POLICY_COLUMNS} FROM finance.insurance_policies p JOIN finance.insurance_products pr ON pr.id = p.product_id WHERE p.id = ANY($1::text[])`,
    [ids],
  );
  return rows.map(toPolicy);
}

/** Every policy on the given vehicles, oldest cover first. */
export async function policiesByVins(q: Queryable, vins: readonly string[]): Promise<InsurancePolicyRow[]> {
  const rows = await q.query<PolicyDbRow>(
    `SELECT ${POLICY_COLUMNS} FROM finance.insurance_policies p JOIN finance.insurance_products pr ON pr.id = p.product_id
      WHERE p.vin = ANY($1::text[])
      ORDER BY p.vin, p.starts_at, p.id`,
    [vins],
  );
  return rows.map(toPolicy);
}

/** Up to `limit` policies of each of several users (one statement), newest purchase first; one list per user, in their order. */
export async function policyPagesForUsers(q: Queryable, userIds: readonly string[], after: TimeKey | null, limit: number): Promise<InsurancePolicyRow[][]> {
  const rows = await q.query<PolicyDbRow>(
    `SELECT ${POLICY_COLUMNS}
       FROM unnest($1::text[]) AS u(user_id)
       CROSS JOIN LATERAL (
         SELECT * FROM finance.insurance_policies x
          WHERE x.user_id = u.user_id
            AND ($2::timestamptz IS NULL OR (x.purchased_at, x.id) < ($2::timestamptz, $3::text))
          ORDER BY x.purchased_at DESC, x.id DESC
          LIMIT $4
       ) p
       JOIN finance.insurance_products pr ON pr.id = p.product_id
      ORDER BY p.user_id, p.purchased_at DESC, p.id DESC`,
    [userIds, after?.at ?? null, after?.id ?? '', limit],
  );
  return groupBy(userIds, rows.map(toPolicy), (p) => p.userId);
}

/** Up to `limit` policies underwritten by `insurerOrg`, newest purchase first, after `after`. */
export async function policiesOfInsurer(q: Queryable, insurerOrg: string, after: TimeKey | null, limit: number): Promise<InsurancePolicyRow[]> {
  const rows = await q.query<PolicyDbRow>(
    `SELECT ${POLICY_COLUMNS}
       FROM finance.insurance_policies p JOIN finance.insurance_products pr ON pr.id = p.product_id
      WHERE pr.insurer_org = $1
        AND ($2::timestamptz IS NULL OR (p.purchased_at, p.id) < ($2::timestamptz, $3::text))
      ORDER BY p.purchased_at DESC, p.id DESC
      LIMIT $4`,
    [insurerOrg, after?.at ?? null, after?.id ?? '', limit],
  );
  return rows.map(toPolicy);
}

// --- writes: insurance ------------------------------------------------------------------------

/**
 * Serialises purchases of one kind of cover on one vehicle until the transaction ends, so two
 * concurrent purchases cannot both see "no renewal yet" (there is no row to lock before the first insert).
 */
export async function lockVehicleCover(q: Queryable, vin: string, kind: InsuranceKind): Promise<void> {
  await q.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`finance-cover:${vin}:${kind}`]);
}

/** When a vehicle's latest cover of one kind ends (null when it never had any). */
export async function coverOfKindEnds(q: Queryable, vin: string, kind: InsuranceKind): Promise<Date | null> {
  const rows = await q.query<{ covered_until: Date | null }>(
    `SELECT max(p.ends_at) AS covered_until
       FROM finance.insurance_policies p JOIN finance.insurance_products pr ON pr.id = p.product_id
      WHERE p.vin = $1 AND pr.kind = $2`,
    [vin, kind],
  );
  return rows[0]?.covered_until ? new Date(rows[0].covered_until) : null;
}

export interface NewPolicy {
  id: string;
  vin: string;
  userId: string;
  productId: string;
  premiumFen: bigint;
  startsAt: Date;
  endsAt: Date;
  purchasedAt: Date;
}

/** The insurance policies table for the bulk writers. */
export const POLICIES_TABLE: BulkTableSpec<NewPolicy> = {
  name: 'finance.insurance_policies',
  columns: [['id', 'text'], ['vin', 'text'], ['user_id', 'text'], ['product_id', 'text'], ['premium_fen', 'bigint'], ['starts_at', 'timestamptz'], ['ends_at', 'timestamptz'], ['purchased_at', 'timestamptz']],
  row: (r) => [r.id, r.vin, r.userId, r.productId, r.premiumFen, r.startsAt, r.endsAt, r.purchasedAt],
};

/** Inserts many policies, one statement per chunk of the kit's bulkInsert. */
export async function insertPolicies(q: Queryable, rows: readonly NewPolicy[]): Promise<void> {
  await insertAll(q, POLICIES_TABLE, rows);
}

/** Every insurance product (a short reference list), for the seed. */
export async function allProducts(q: Queryable): Promise<InsuranceProductRow[]> {
  const rows = await q.query<ProductDbRow>(`SELECT ${PRODUCT_COLUMNS} FROM finance.insurance_products pr ORDER BY pr.id`);
  return rows.map(toProduct);
}
