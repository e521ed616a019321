/**
 * Demo data: the insurer's products, and for one user (INSURER_SEED_USER, default the graph's demo user
 * `demo-driver`) two policies and four premiums. Idempotent (fixed ids, `ON CONFLICT DO NOTHING`), so it
 * runs at every start. What the graph's spending report shows for that user from this insurer:
 * 355.25 in each of January, February and March 2026 and 426.40 in February: 1492.15 in all.
 */
import type { InsurerDb } from './db';

export const PRODUCTS = [
  { id: 'hm-comprehensive', name: 'Comprehensive cover', annualFen: 426_300n },
  { id: 'hm-windscreen', name: 'Windscreen cover', annualFen: 42_640n },
] as const;

/** The demo premiums (id suffix, policy suffix, paid at, description, fen), oldest first. */
export const DEMO_PREMIUMS = [
  ['1', 'comprehensive', '2026-01-03T09:00:00.000Z', 'Comprehensive cover, January', 35_525n],
  ['2', 'comprehensive', '2026-02-03T09:00:00.000Z', 'Comprehensive cover, February', 35_525n],
  ['3', 'windscreen', '2026-02-03T09:00:00.000Z', 'Windscreen cover, 2026', 42_640n],
  ['4', 'comprehensive', '2026-03-03T09:00:00.000Z', 'Comprehensive cover, March', 35_525n],
] as const;

/** The VIN the demo policies insure (the graph's first seeded delivery). */
export const DEFAULT_SEED_VIN = 'LJDAG000000000001';

export async function seed(db: InsurerDb, userId: string, vin = DEFAULT_SEED_VIN): Promise<void> {
  for (const p of PRODUCTS) {
    await db.query('INSERT INTO $S.products (id, name, annual_premium_fen) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [p.id, p.name, p.annualFen.toString()]);
  }
  if (!userId) return;
  const policies = [
    ['comprehensive', 'hm-comprehensive', '2026-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ['windscreen', 'hm-windscreen', '2026-02-01T00:00:00.000Z', '2027-02-01T00:00:00.000Z'],
  ] as const;
  for (const [suffix, product, starts, ends] of policies) {
    await db.query('INSERT INTO $S.policies (id, user_id, vin, product_id, starts_at, ends_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING', [`pol-${userId}-${suffix}`, userId, vin, product, starts, ends]);
  }
  for (const [n, policy, at, description, fen] of DEMO_PREMIUMS) {
    await db.query('INSERT INTO $S.premiums (id, policy_id, user_id, paid_at, description, amount_fen) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING', [`prem-${userId}-${n}`, `pol-${userId}-${policy}`, userId, at, description, fen.toString()]);
  }
}
