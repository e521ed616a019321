-- Which delivery packages each trim is offered with. A package is only sold on the trims listed here:
-- `quote` (which orders prices orders with) and `ownershipQuote` refuse any other pair, and
-- `Trim.packages` lists them for a configurator. The STANDARD package is listed for every trim (it is
-- the car as the guide price describes it, and the default of every quote).
CREATE TABLE catalog.trim_packages (
  trim_id    text NOT NULL REFERENCES catalog.trims (id),
  package_id text NOT NULL REFERENCES catalog.packages (id),
  PRIMARY KEY (trim_id, package_id)
);

-- Catalogs seeded before this migration sold every package on every trim: they keep doing so until
-- the catalog says otherwise.
INSERT INTO catalog.trim_packages (trim_id, package_id)
SELECT t.id, p.id FROM catalog.trims t CROSS JOIN catalog.packages p;
