-- What one prepaid scheduled service is worth, copied from the catalog's quote with the rest of the
-- package entitlement when the order is placed (catalog's 003_maintenance_allowance.sql): aftermarket's
-- issueInvoice has the platform settle a covered visit's non-warranty lines up to it and the owner pays
-- the rest. 0 for a package without maintenance.
ALTER TABLE orders.orders
  ADD COLUMN maintenance_allowance_fen bigint NOT NULL DEFAULT 0 CHECK (maintenance_allowance_fen BETWEEN 0 AND 10000000);

-- Orders placed before this migration: the shipped maintenance-enhanced package, at the allowance the
-- catalog gives it (800.00 per scheduled service).
UPDATE orders.orders SET maintenance_allowance_fen = 80000 WHERE maintenance_services > 0;

ALTER TABLE orders.orders
  ADD CONSTRAINT orders_maintenance_allowance_with_plan CHECK ((maintenance_services = 0) = (maintenance_allowance_fen = 0));
