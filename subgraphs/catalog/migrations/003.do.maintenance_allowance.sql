-- A prepaid scheduled service is worth a fixed amount, not whatever the store bills: the platform
-- settles a covered MAINTENANCE visit's non-warranty lines up to this allowance (exact fen, in line
-- order) and the owner pays the rest. 0 for a package without maintenance; > 0 for one with it.
ALTER TABLE catalog.packages
  ADD COLUMN maintenance_allowance_fen bigint NOT NULL DEFAULT 0 CHECK (maintenance_allowance_fen BETWEEN 0 AND 10000000);

-- Catalogs seeded before this migration: the shipped maintenance-enhanced package gets 800.00 per
-- scheduled service (a seeded scheduled service — inspection, cabin filter, and now and then brake
-- fluid, wipers, coolant — bills about 240.00 to 838.00, almost always under 800.00).
UPDATE catalog.packages SET maintenance_allowance_fen = 80000 WHERE code = 'MAINTENANCE_ENHANCED';

ALTER TABLE catalog.packages
  -- A plan without an allowance would settle nothing; an allowance without a plan means nothing.
  ADD CONSTRAINT packages_maintenance_allowance_with_plan CHECK ((maintenance_services = 0) = (maintenance_allowance_fen = 0));
