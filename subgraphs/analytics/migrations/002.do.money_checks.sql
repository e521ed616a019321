-- Every money column says what it may hold, as in every other subgraph (spending-invariants checks it).
-- An event's amount is a spending line's (never zero; negative for a credit) or absent. An order's total is
-- what was priced (never negative). The per-vehicle and per-group sums net credits against payments, and a
-- group's sum is kept by adding and subtracting differences, so it may pass through zero: those are bounded
-- in size only — a total over every car of the platform stays far inside ±10^15 fen (10 trillion yuan).
ALTER TABLE analytics.events ADD CONSTRAINT events_amount_nonzero CHECK (amount_fen IS NULL OR amount_fen <> 0);
ALTER TABLE analytics.orders ADD CONSTRAINT orders_total_not_negative CHECK (total_fen >= 0);
ALTER TABLE analytics.vehicle_month_costs ADD CONSTRAINT vehicle_month_costs_amount_bounded CHECK (amount_fen BETWEEN -1000000000000000 AND 1000000000000000);
ALTER TABLE analytics.group_month_costs ADD CONSTRAINT group_month_costs_amount_bounded CHECK (amount_fen BETWEEN -1000000000000000 AND 1000000000000000);
