-- Catalog's part of the lifecycle timeline (kit/lifecycle.ts): a co-creation preference stated (or
-- restated: a preference replaces the earlier one, so its time is the last statement). It names a
-- model, not a car, so it has no VIN or order and shows on the user's timeline only. The view and its
-- index take the shape orders' 008_spending_lines_index_ordered.sql explains (a page is one
-- index-ordered statement).
CREATE VIEW catalog.lifecycle_events AS
  SELECT 'catalog:preference:' || p.id AS event_id, p.user_id, NULL::text AS vin, NULL::text AS order_id, p.updated_at AS occurred_at,
         'CONFIGURATION'::text AS stage, 'PREFERENCE_STATED'::text AS kind, NULL::bigint AS amount_fen,
         'VehicleModel'::text AS subject_type, p.model_id AS subject_id
    FROM catalog.preferences p;

CREATE INDEX preferences_timeline_idx ON catalog.preferences (user_id, updated_at DESC, ('catalog:preference:' || id) COLLATE "C" DESC);
