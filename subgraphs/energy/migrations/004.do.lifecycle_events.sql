-- Energy's part of the lifecycle timeline (kit/lifecycle.ts): battery plans subscribed, cancelled and
-- charged, swaps and charging sessions. The view and its indexes take the shape orders'
-- 008_spending_lines_index_ordered.sql explains (a page is one index-ordered statement). Every swap and
-- session is an event; its amount is what the owner paid, exactly its spending line (same id and fen),
-- null when nothing was paid (a swap the plan covered, a free session).
CREATE VIEW energy.lifecycle_events AS
  SELECT event_id, user_id, vin, order_id, occurred_at, stage, kind, amount_fen, subject_type, subject_id
    FROM (
      SELECT 'energy:subscription:' || sub.id AS event_id, sub.user_id, sub.vin, NULL::text AS order_id, sub.started_at AS occurred_at,
             'USAGE'::text AS stage, 'BATTERY_SUBSCRIBED'::text AS kind, NULL::bigint AS amount_fen, 'BatterySubscription'::text AS subject_type, sub.id AS subject_id
        FROM energy.battery_subscriptions sub
      UNION ALL
      SELECT 'energy:subscription-cancelled:' || sub.id, sub.user_id, sub.vin, NULL, sub.cancelled_at, 'USAGE', 'BATTERY_SUBSCRIPTION_CANCELLED', NULL, 'BatterySubscription', sub.id
        FROM energy.battery_subscriptions sub
      UNION ALL
      SELECT 'energy:subscription-charge:' || ch.id, ch.user_id, (SELECT sub.vin FROM energy.battery_subscriptions sub WHERE sub.id = ch.subscription_id), NULL,
             ch.charged_at, 'USAGE', 'BATTERY_SUBSCRIPTION_CHARGED', NULLIF(ch.amount_fen, 0), 'BatterySubscription', ch.subscription_id
        FROM energy.subscription_charges ch
      UNION ALL
      SELECT 'energy:swap:' || s.id, s.user_id, s.vin, NULL, s.swapped_at, 'USAGE', 'BATTERY_SWAPPED', NULLIF(s.fee_fen, 0), 'SwapSession', s.id
        FROM energy.swap_sessions s
      UNION ALL
      SELECT 'energy:charging:' || c.id, c.user_id, c.vin, NULL, c.ended_at, 'USAGE', 'VEHICLE_CHARGED', NULLIF(c.fee_fen, 0), 'ChargingSession', c.id
        FROM energy.charging_sessions c
    ) events
   WHERE occurred_at IS NOT NULL;

CREATE INDEX battery_subscriptions_timeline_idx ON energy.battery_subscriptions (user_id, started_at DESC, ('energy:subscription:' || id) COLLATE "C" DESC);
CREATE INDEX battery_subscriptions_timeline_cancelled_idx ON energy.battery_subscriptions (user_id, cancelled_at DESC, ('energy:subscription-cancelled:' || id) COLLATE "C" DESC)
  WHERE cancelled_at IS NOT NULL;
CREATE INDEX subscription_charges_timeline_idx ON energy.subscription_charges (user_id, charged_at DESC, ('energy:subscription-charge:' || id) COLLATE "C" DESC);
CREATE INDEX swap_sessions_timeline_idx ON energy.swap_sessions (user_id, swapped_at DESC, ('energy:swap:' || id) COLLATE "C" DESC);
CREATE INDEX charging_sessions_timeline_idx ON energy.charging_sessions (user_id, ended_at DESC, ('energy:charging:' || id) COLLATE "C" DESC);
