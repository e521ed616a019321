-- What orders' spending lines must be, from its base tables, written without reading the view (the
-- spending invariants test compares both): payment state comes from `status`, not the `*_paid_at`
-- columns the view tests. Columns: id, user_id, at, category, fen (text), subject_type, subject_id.
SELECT 'orders:deposit:' || o.id AS id, o.user_id, o.deposit_paid_at AS at, 'PURCHASE' AS category,
       o.deposit_fen::text AS fen, 'Order' AS subject_type, o.id AS subject_id
  FROM orders.orders o WHERE o.status IN ('DEPOSIT_PAID', 'BALANCE_PAID', 'DELIVERED')
UNION ALL
-- The balance line carries the part a trade-in settled; the credit line takes it back out.
SELECT 'orders:balance:' || o.id, o.user_id, o.balance_paid_at, 'PURCHASE',
       (o.total_fen - o.deposit_fen - o.financed_fen)::text, 'Order', o.id
  FROM orders.orders o WHERE o.status IN ('BALANCE_PAID', 'DELIVERED') AND o.total_fen - o.deposit_fen - o.financed_fen > 0
UNION ALL
SELECT 'orders:trade-in-credit:' || t.id, o.user_id, o.balance_paid_at, 'TRADE_IN_CREDIT',
       (-t.appraised_value_fen)::text, 'TradeIn', t.id
  FROM orders.orders o JOIN orders.trade_ins t ON t.credited_order_id = o.id
 WHERE o.status IN ('BALANCE_PAID', 'DELIVERED')
