CREATE TABLE orders.payments (id bigserial PRIMARY KEY, user_id text NOT NULL, order_id text NOT NULL, amount_fen bigint NOT NULL, paid_at timestamptz NOT NULL);
CREATE VIEW orders.spending_lines AS
  SELECT 'orders:payment:' || lpad(id::text, 12, '0') AS line_id, user_id, paid_at AS occurred_at, 'PURCHASE'::text AS category,
         'Deposit' AS description, amount_fen, 'Order' AS subject_type, order_id AS subject_id
    FROM orders.payments;
