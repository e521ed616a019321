-- An order's price lines are what the buyer is charged for (trim, colour, package, accessories); none
-- of them can be a credit, so a negative line could only be a bug that lowers the total unseen.
ALTER TABLE orders.order_price_lines
  ADD CONSTRAINT order_price_lines_amount_not_negative CHECK (amount_fen >= 0);

-- The admin's delivery queue (`ordersAwaitingDelivery` without an organisation) pages every paid,
-- undelivered order oldest first. The per-manufacturer queue index leads with `manufacturer_org`, so
-- without this one the admin page reads and sorts the whole queue on every request (measured at
-- 10,000 seeded users, 899 waiting: 1.15 ms and 388 buffers a page; with it, 0.05 ms and 23 buffers).
CREATE INDEX orders_awaiting_delivery_all_idx ON orders.orders (balance_paid_at, id) WHERE status = 'BALANCE_PAID';
