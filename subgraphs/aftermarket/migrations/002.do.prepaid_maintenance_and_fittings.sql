-- A vehicle's delivery package (owned by orders, defined by the catalog) is redeemed here:
--  * prepaid scheduled maintenance: an invoice of a MAINTENANCE visit that uses one of the package's
--    services has its non-warranty lines covered by the package; the platform settles them with the
--    store out of the package price the owner already paid with the order, so the owner pays 0.00 and
--    the spending view (owner_paid_fen > 0) leaves the invoice out — the package is counted once;
--  * package fittings (car cover, accessory assembly): what a partner store fitted, when and where.

ALTER TABLE aftermarket.invoice_lines
  ADD COLUMN package_covered boolean NOT NULL DEFAULT false,
  -- A line has one payer: the owner, the manufacturer's warranty, or the prepaid package.
  ADD CONSTRAINT invoice_lines_one_payer CHECK (NOT (warranty_covered AND package_covered));

ALTER TABLE aftermarket.invoices
  -- Sum of the package-covered lines: what the platform pays the store.
  ADD COLUMN platform_settled_fen bigint NOT NULL DEFAULT 0 CHECK (platform_settled_fen >= 0),
  -- Which of the vehicle's prepaid services this invoice used (1 = the first); null when none.
  ADD COLUMN package_service_no integer CHECK (package_service_no BETWEEN 1 AND 20),
  ADD CONSTRAINT invoices_settled_only_when_redeemed CHECK (package_service_no IS NOT NULL OR platform_settled_fen = 0);
-- Each prepaid service is used once: two invoices cannot both be a vehicle's service number n.
CREATE UNIQUE INDEX invoices_one_use_per_package_service ON aftermarket.invoices (vin, package_service_no) WHERE package_service_no IS NOT NULL;

CREATE TABLE aftermarket.package_fittings (
  id          text PRIMARY KEY,
  -- A vehicle's package is fitted once.
  vin         text NOT NULL UNIQUE,
  -- The package fitted (a catalog id, as the vehicle's order recorded it).
  package_id  text NOT NULL,
  store_id    text NOT NULL REFERENCES aftermarket.stores (id),
  items       text[] NOT NULL CHECK (cardinality(items) BETWEEN 1 AND 50),
  fitted_at   timestamptz NOT NULL,
  -- Who recorded it: `<role>:<sub>` of the partner (or admin) who fitted it.
  recorded_by text NOT NULL
);
