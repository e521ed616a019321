-- What the order's package entitles the car to, copied from the catalog's quote when the order is placed
-- (like the price lines: a later catalog change never alters what was bought). The delivered vehicle
-- exposes it to aftermarket, which redeems the prepaid maintenance and records package fittings.
ALTER TABLE orders.orders
  ADD COLUMN maintenance_services integer NOT NULL DEFAULT 0 CHECK (maintenance_services BETWEEN 0 AND 20),
  ADD COLUMN maintenance_years integer NOT NULL DEFAULT 0 CHECK (maintenance_years BETWEEN 0 AND 20),
  ADD COLUMN fitted_items text[] NOT NULL DEFAULT '{}',
  ADD CONSTRAINT orders_maintenance_plan_whole CHECK ((maintenance_services = 0) = (maintenance_years = 0));

-- Orders placed before this migration: their package ids are the catalog's shipped ones, whose
-- entitlements never changed (catalog's 002_package_entitlements.sql), so they are filled in from them.
UPDATE orders.orders SET maintenance_services = 6, maintenance_years = 6 WHERE package_id = 'pkg-maintenance-enhanced';
UPDATE orders.orders SET fitted_items = ARRAY['Made-to-measure outdoor car cover', 'Storage bag'] WHERE package_id = 'pkg-custom-car-cover';
UPDATE orders.orders SET fitted_items = ARRAY['All-weather floor mats', 'Front and rear dash camera', 'Boot organiser', 'Phone holder'] WHERE package_id = 'pkg-accessory-assembly';
