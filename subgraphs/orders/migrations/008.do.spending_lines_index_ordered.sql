-- A spending page (kit/spending.ts `loadLines`) asks for first + 1 lines of one user, newest first
-- (occurred_at DESC, line_id COLLATE "C" DESC), after a keyset cursor. No index served that order, so
-- every page read and sorted the user's whole history. PostgreSQL reads only the page when it can
-- flatten the view's UNION ALL into index scans, one per branch, each starting at the cursor (an index
-- condition) and all merged (Merge Append) until the page is full. It flattens a branch only if the
-- branch reads one table and has no WHERE of its own, so, with the view's columns unchanged:
--  * a branch's condition is folded into its occurred_at, NULL for a row that is not a line, and the
--    view keeps the lines that have a time (an amount is a line once it is paid);
--  * what a line takes from another table (the trade-in's description) is a scalar subquery,
--    evaluated only for the lines returned; the foreign key guarantees that row, as the join did;
--  * the trade-in credit's line and subject ids are the order's trade_in_id, equal to t.id by the join;
--  * each branch has an index on (user_id, its occurred_at DESC, its line_id COLLATE "C" DESC), on
--    exactly the expressions the branch uses, holding only the branch's lines.
-- The other contributors' views take the same shape (their spending_lines_index_ordered migrations).
CREATE OR REPLACE VIEW orders.spending_lines AS
  SELECT line_id, user_id, occurred_at, category, description, amount_fen, subject_type, subject_id
    FROM (
      SELECT 'orders:deposit:' || o.id AS line_id, o.user_id, o.deposit_paid_at AS occurred_at, 'PURCHASE'::text AS category,
             'Deposit for ' || o.trim_name AS description, o.deposit_fen AS amount_fen, 'Order'::text AS subject_type, o.id AS subject_id
        FROM orders.orders o
      UNION ALL
      SELECT 'orders:balance:' || o.id, o.user_id, CASE WHEN o.balance_due_fen + o.trade_in_credit_fen > 0 THEN o.balance_paid_at END, 'PURCHASE',
             'Balance for ' || o.trim_name
               || CASE WHEN o.trade_in_credit_fen > 0 THEN ', of which ' || orders.format_yuan(o.trade_in_credit_fen) || ' settled by trade-in' ELSE '' END,
             o.balance_due_fen + o.trade_in_credit_fen, 'Order', o.id
        FROM orders.orders o
      UNION ALL
      SELECT 'orders:trade-in-credit:' || o.trade_in_id, o.user_id, CASE WHEN o.trade_in_credit_fen > 0 THEN o.balance_paid_at END, 'TRADE_IN_CREDIT',
             (SELECT 'Trade-in credit for ' || t.description || ' against ' || o.trim_name FROM orders.trade_ins t WHERE t.id = o.trade_in_id),
             -o.trade_in_credit_fen, 'TradeIn', o.trade_in_id
        FROM orders.orders o
    ) lines
   WHERE occurred_at IS NOT NULL;

CREATE INDEX orders_spending_deposit_idx ON orders.orders
  (user_id, deposit_paid_at DESC, ('orders:deposit:' || id) COLLATE "C" DESC)
  WHERE deposit_paid_at IS NOT NULL;
CREATE INDEX orders_spending_balance_idx ON orders.orders
  (user_id, (CASE WHEN balance_due_fen + trade_in_credit_fen > 0 THEN balance_paid_at END) DESC, ('orders:balance:' || id) COLLATE "C" DESC)
  WHERE (CASE WHEN balance_due_fen + trade_in_credit_fen > 0 THEN balance_paid_at END) IS NOT NULL;
CREATE INDEX orders_spending_trade_in_credit_idx ON orders.orders
  (user_id, (CASE WHEN trade_in_credit_fen > 0 THEN balance_paid_at END) DESC, ('orders:trade-in-credit:' || trade_in_id) COLLATE "C" DESC)
  WHERE (CASE WHEN trade_in_credit_fen > 0 THEN balance_paid_at END) IS NOT NULL;
