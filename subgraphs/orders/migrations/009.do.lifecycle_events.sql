-- Orders' part of the lifecycle timeline (kit/lifecycle.ts): one row per event of buying a car. The view
-- takes the shape 008_spending_lines_index_ordered.sql explains, so that a page (first + 1 events of
-- one user after a keyset cursor, occurred_at DESC, event_id COLLATE "C" DESC) is one statement of
-- index scans merged in order: every branch reads one table with no WHERE of its own (its condition
-- folded into its occurred_at), and has an index on (user_id, its occurred_at DESC, its event_id
-- COLLATE "C" DESC). The money events (deposit, balance, trade-in credit) are the spending lines: the
-- same ids, times and fen, so the spending indexes of 008 serve them and nothing is counted twice.
-- order_id ties an event to the car bought with that order (it has no VIN before delivery); vin is the
-- delivered car's, read only for the events returned.
CREATE VIEW orders.lifecycle_events AS
  SELECT event_id, user_id, vin, order_id, occurred_at, stage, kind, amount_fen, subject_type, subject_id
    FROM (
      SELECT 'orders:test-drive:' || d.id AS event_id, d.user_id, NULL::text AS vin, NULL::text AS order_id, d.booked_at AS occurred_at,
             'PURCHASE'::text AS stage, 'TEST_DRIVE_BOOKED'::text AS kind, NULL::bigint AS amount_fen, 'TestDrive'::text AS subject_type, d.id AS subject_id
        FROM orders.test_drives d
      UNION ALL
      SELECT 'orders:trade-in-requested:' || t.id, t.user_id, NULL, NULL, t.requested_at, 'REPLACEMENT', 'TRADE_IN_REQUESTED', NULL, 'TradeIn', t.id
        FROM orders.trade_ins t
      UNION ALL
      SELECT 'orders:trade-in-appraised:' || t.id, t.user_id, NULL, NULL, t.appraised_at, 'REPLACEMENT', 'TRADE_IN_APPRAISED', NULL, 'TradeIn', t.id
        FROM orders.trade_ins t
      UNION ALL
      SELECT 'orders:order-placed:' || o.id, o.user_id, (SELECT v.vin FROM orders.vehicles v WHERE v.order_id = o.id), o.id, o.placed_at,
             'PURCHASE', 'ORDER_PLACED', NULL, 'Order', o.id
        FROM orders.orders o
      UNION ALL
      SELECT 'orders:deposit:' || o.id, o.user_id, (SELECT v.vin FROM orders.vehicles v WHERE v.order_id = o.id), o.id, o.deposit_paid_at,
             'PURCHASE', 'DEPOSIT_PAID', o.deposit_fen, 'Order', o.id
        FROM orders.orders o
      UNION ALL
      SELECT 'orders:balance:' || o.id, o.user_id, (SELECT v.vin FROM orders.vehicles v WHERE v.order_id = o.id), o.id,
             CASE WHEN o.balance_due_fen + o.trade_in_credit_fen > 0 THEN o.balance_paid_at END,
             'PURCHASE', 'BALANCE_PAID', o.balance_due_fen + o.trade_in_credit_fen, 'Order', o.id
        FROM orders.orders o
      UNION ALL
      SELECT 'orders:trade-in-credit:' || o.trade_in_id, o.user_id, (SELECT v.vin FROM orders.vehicles v WHERE v.order_id = o.id), o.id,
             CASE WHEN o.trade_in_credit_fen > 0 THEN o.balance_paid_at END,
             'REPLACEMENT', 'TRADE_IN_CREDITED', -o.trade_in_credit_fen, 'TradeIn', o.trade_in_id
        FROM orders.orders o
      UNION ALL
      SELECT 'orders:delivery:' || o.id, o.user_id, (SELECT v.vin FROM orders.vehicles v WHERE v.order_id = o.id), o.id, o.delivered_at,
             'PURCHASE', 'VEHICLE_DELIVERED', NULL, 'Order', o.id
        FROM orders.orders o
      UNION ALL
      SELECT 'orders:order-cancelled:' || o.id, o.user_id, NULL, o.id, o.cancelled_at, 'PURCHASE', 'ORDER_CANCELLED', NULL, 'Order', o.id
        FROM orders.orders o
    ) events
   WHERE occurred_at IS NOT NULL;

CREATE INDEX test_drives_timeline_idx ON orders.test_drives (user_id, booked_at DESC, ('orders:test-drive:' || id) COLLATE "C" DESC);
CREATE INDEX trade_ins_timeline_requested_idx ON orders.trade_ins (user_id, requested_at DESC, ('orders:trade-in-requested:' || id) COLLATE "C" DESC);
CREATE INDEX trade_ins_timeline_appraised_idx ON orders.trade_ins (user_id, appraised_at DESC, ('orders:trade-in-appraised:' || id) COLLATE "C" DESC)
  WHERE appraised_at IS NOT NULL;
CREATE INDEX orders_timeline_placed_idx ON orders.orders (user_id, placed_at DESC, ('orders:order-placed:' || id) COLLATE "C" DESC);
CREATE INDEX orders_timeline_delivery_idx ON orders.orders (user_id, delivered_at DESC, ('orders:delivery:' || id) COLLATE "C" DESC)
  WHERE delivered_at IS NOT NULL;
CREATE INDEX orders_timeline_cancelled_idx ON orders.orders (user_id, cancelled_at DESC, ('orders:order-cancelled:' || id) COLLATE "C" DESC)
  WHERE cancelled_at IS NOT NULL;
