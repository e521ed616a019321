-- A trade-in is asked of one dealer: the manufacturer organisation whose car the customer means to buy.
-- Only that organisation's partners see the request and may appraise it (admins, the platform, may
-- too); everyone else finds nothing. Requests made before this column existed name no dealer, so only
-- admins can appraise them; those already credited name the manufacturer of the order they went to.
ALTER TABLE orders.trade_ins ADD COLUMN dealer_org text;
UPDATE orders.trade_ins t SET dealer_org = o.manufacturer_org FROM orders.orders o WHERE o.id = t.credited_order_id;
-- Each dealer's queue: its oldest request first.
CREATE INDEX trade_ins_dealer_requested_idx ON orders.trade_ins (dealer_org, requested_at, id) WHERE status = 'REQUESTED';
