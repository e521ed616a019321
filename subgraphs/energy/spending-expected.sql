-- What energy's spending lines must be, from its base tables, written without reading the view (the
-- spending invariants test compares both): every paid swap, charging session and subscription month.
-- Columns: id, user_id, at, category, fen (text), subject_type, subject_id.
SELECT 'energy:swap:' || s.id AS id, s.user_id, s.swapped_at AS at, 'BATTERY_SWAP' AS category, s.fee_fen::text AS fen,
       'SwapSession' AS subject_type, s.id AS subject_id
  FROM energy.swap_sessions s WHERE s.fee_fen > 0
UNION ALL
SELECT 'energy:charging:' || c.id, c.user_id, c.ended_at, 'CHARGING', c.fee_fen::text, 'ChargingSession', c.id
  FROM energy.charging_sessions c WHERE c.fee_fen > 0
UNION ALL
SELECT 'energy:subscription-charge:' || ch.id, b.user_id, ch.charged_at, 'BATTERY_SUBSCRIPTION', ch.amount_fen::text, 'BatterySubscription', b.id
  FROM energy.subscription_charges ch JOIN energy.battery_subscriptions b ON b.id = ch.subscription_id
 WHERE ch.amount_fen > 0
