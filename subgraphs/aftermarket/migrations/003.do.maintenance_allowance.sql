-- A prepaid scheduled service is worth the package's allowance per service (the vehicle's entitlement
-- from orders, copied from the catalog), no more: issueInvoice has the platform settle the visit's
-- non-warranty lines in line order up to the allowance, exact to the fen, and the owner pays the rest.
--  * package_covered: the allowance was not used up when the line was reached (coveredBy: MAINTENANCE_PACKAGE);
--  * package_settled_fen: the part of the line the platform settles — its whole amount while the
--    allowance lasts, what was left of the allowance on the line that crosses it, 0 on a line the
--    package does not cover. The owner pays amount_fen − package_settled_fen of a non-warranty line.
-- The invoice's platform_settled_fen is the sum of its lines' package_settled_fen, owner_paid_fen the
-- sum of the owner's parts, so the spending view (owner_paid_fen > 0) counts what the owner paid once.
ALTER TABLE aftermarket.invoice_lines
  ADD COLUMN package_settled_fen bigint NOT NULL DEFAULT 0;

-- Invoices issued before this migration had every covered line settled in full; they are left as they
-- were issued (the store was paid, the owner billed 0.00), so their covered lines are settled in full.
UPDATE aftermarket.invoice_lines SET package_settled_fen = amount_fen WHERE package_covered;

ALTER TABLE aftermarket.invoice_lines
  ADD CONSTRAINT invoice_lines_package_settled_within_line CHECK (package_settled_fen BETWEEN 0 AND amount_fen),
  ADD CONSTRAINT invoice_lines_package_settled_only_when_covered CHECK (package_covered OR package_settled_fen = 0);
