-- What a package entitles the car to beyond its price line, so the subgraphs that deliver it (orders
-- copies it onto the order; aftermarket redeems and fits it) read it from the catalog's own data:
--   maintenance_services / maintenance_years: scheduled services paid up front, usable within that many
--     years of delivery (0 / 0 for a package without maintenance);
--   fitted_items: what a partner store fits to the car after delivery (empty when nothing is fitted).
ALTER TABLE catalog.packages
  ADD COLUMN maintenance_services integer NOT NULL DEFAULT 0 CHECK (maintenance_services BETWEEN 0 AND 20),
  ADD COLUMN maintenance_years integer NOT NULL DEFAULT 0 CHECK (maintenance_years BETWEEN 0 AND 20),
  ADD COLUMN fitted_items text[] NOT NULL DEFAULT '{}',
  -- A plan is services within years: one without the other means nothing.
  ADD CONSTRAINT packages_maintenance_plan_whole CHECK ((maintenance_services = 0) = (maintenance_years = 0));

-- Catalogs seeded before this migration: give the shipped packages what they were always sold as.
UPDATE catalog.packages SET maintenance_services = 6, maintenance_years = 6 WHERE code = 'MAINTENANCE_ENHANCED';
UPDATE catalog.packages SET fitted_items = ARRAY['Made-to-measure outdoor car cover', 'Storage bag'] WHERE code = 'CUSTOM_CAR_COVER';
UPDATE catalog.packages SET fitted_items = ARRAY['All-weather floor mats', 'Front and rear dash camera', 'Boot organiser', 'Phone holder'] WHERE code = 'ACCESSORY_ASSEMBLY';
