/**
 * What orders hands the analytics subgraph about people (service only): the facts analysts group by —
 * a person's city and their orders' trim, colour, battery option and delivery. Read for a batch of
 * people whose events changed (the lifecycle feed names them), in two statements.
 */
import { badInput } from '../../platform/errors';
import type { Db } from '../../platform/db';
import type { Identity } from '../../platform/identity';
import { MAX_FEED_USERS, requireService } from '../kit/lifecycle-feed';
import { LIFECYCLE_FEED_READERS } from './access';

interface OrderFacts {
  id: string;
  trimId: string;
  colourId: string | null;
  packageId: string | null;
  batteryRental: boolean;
  status: string;
  total: bigint;
  placedAt: Date;
  vin: string | null;
  deliveredAt: Date | null;
}

export async function ordersAnalystFactsOf(_: unknown, args: { userIds: string[] }, ctx: { db: Db; identity: Identity | null }) {
  requireService(ctx.identity, LIFECYCLE_FEED_READERS);
  if (args.userIds.length > MAX_FEED_USERS) throw badInput(`at most ${MAX_FEED_USERS} users a call`, 'userIds');
  const [cities, orders] = await Promise.all([
    ctx.db.query<{ user_id: string; city: string }>(
      `SELECT DISTINCT ON (user_id) user_id, city FROM orders.test_drives WHERE user_id = ANY($1::text[]) ORDER BY user_id, booked_at DESC, id DESC`,
      [args.userIds],
    ),
    ctx.db.query<{ id: string; user_id: string; trim_id: string; colour_id: string | null; package_id: string | null; battery_rental: boolean; status: string; total_fen: string; placed_at: Date; vin: string | null; delivered_at: Date | null }>(
      `SELECT o.id, o.user_id, o.trim_id, o.colour_id, o.package_id, o.battery_rental, o.status, o.total_fen::text AS total_fen, o.placed_at, v.vin, v.delivered_at
         FROM orders.orders o LEFT JOIN orders.vehicles v ON v.order_id = o.id
        WHERE o.user_id = ANY($1::text[])`,
      [args.userIds],
    ),
  ]);
  const cityOf = new Map(cities.map((c) => [c.user_id, c.city]));
  const ordersOf = new Map<string, OrderFacts[]>();
  for (const o of orders) {
    const list = ordersOf.get(o.user_id) ?? [];
    list.push({ id: o.id, trimId: o.trim_id, colourId: o.colour_id, packageId: o.package_id, batteryRental: o.battery_rental, status: o.status, total: BigInt(o.total_fen), placedAt: o.placed_at, vin: o.vin, deliveredAt: o.delivered_at });
    ordersOf.set(o.user_id, list);
  }
  return [...new Set(args.userIds)].map((userId) => ({ userId, city: cityOf.get(userId) ?? null, orders: ordersOf.get(userId) ?? [] }));
}
