-- Aftermarket's part of the lifecycle timeline (kit/lifecycle.ts): appointments booked and cancelled,
-- services invoiced, warranty claims and package fittings. The view and its indexes take the shape
-- orders' 008_spending_lines_index_ordered.sql explains (a page is one index-ordered statement). An
-- invoice's amount is what the owner paid, exactly its spending line (same id and fen), null when the
-- warranty or the prepaid package settled all of it; a warranty claim moves none of the owner's money.
--
-- Warranty claims and fittings did not name the owner, so no index could order one user's. Each now
-- keeps it, copied on insert: a claim's from its invoice; a fitting's from the car's latest
-- modification visit at the fitting store (a partner records a fitting only after one), else the car's
-- latest appointment anywhere (an admin may record one without a visit). A fitting of a car with no
-- appointment at all belongs to nobody's timeline.
ALTER TABLE aftermarket.warranty_claims ADD COLUMN user_id text;
UPDATE aftermarket.warranty_claims c SET user_id = i.user_id FROM aftermarket.invoices i WHERE i.id = c.invoice_id;
CREATE FUNCTION aftermarket.warranty_claim_owner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.user_id := (SELECT i.user_id FROM aftermarket.invoices i WHERE i.id = NEW.invoice_id);
  RETURN NEW;
END $$;
CREATE TRIGGER warranty_claims_owner BEFORE INSERT OR UPDATE OF invoice_id, user_id ON aftermarket.warranty_claims
  FOR EACH ROW EXECUTE FUNCTION aftermarket.warranty_claim_owner();

ALTER TABLE aftermarket.package_fittings ADD COLUMN user_id text;
CREATE FUNCTION aftermarket.fitting_owner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.user_id := COALESCE(
    (SELECT a.user_id FROM aftermarket.appointments a
      WHERE a.vin = NEW.vin AND a.store_id = NEW.store_id AND a.service_type = 'MODIFICATION'
      ORDER BY a.created_at DESC, a.id DESC LIMIT 1),
    (SELECT a.user_id FROM aftermarket.appointments a WHERE a.vin = NEW.vin ORDER BY a.created_at DESC, a.id DESC LIMIT 1));
  RETURN NEW;
END $$;
CREATE TRIGGER package_fittings_owner BEFORE INSERT OR UPDATE OF vin, store_id, user_id ON aftermarket.package_fittings
  FOR EACH ROW EXECUTE FUNCTION aftermarket.fitting_owner();
-- Fittings recorded before this migration: the trigger finds their owner.
UPDATE aftermarket.package_fittings SET user_id = NULL;

CREATE VIEW aftermarket.lifecycle_events AS
  SELECT event_id, user_id, vin, order_id, occurred_at, stage, kind, amount_fen, subject_type, subject_id
    FROM (
      SELECT 'aftermarket:appointment:' || a.id AS event_id, a.user_id, a.vin, NULL::text AS order_id, a.created_at AS occurred_at,
             'MAINTENANCE'::text AS stage, 'APPOINTMENT_BOOKED'::text AS kind, NULL::bigint AS amount_fen, 'Appointment'::text AS subject_type, a.id AS subject_id
        FROM aftermarket.appointments a
      UNION ALL
      SELECT 'aftermarket:appointment-cancelled:' || a.id, a.user_id, a.vin, NULL, a.cancelled_at, 'MAINTENANCE', 'APPOINTMENT_CANCELLED', NULL, 'Appointment', a.id
        FROM aftermarket.appointments a
      UNION ALL
      SELECT 'aftermarket:invoice:' || i.id, i.user_id, i.vin, NULL, i.issued_at, 'MAINTENANCE', 'SERVICE_INVOICED', NULLIF(i.owner_paid_fen, 0), 'ServiceInvoice', i.id
        FROM aftermarket.invoices i
      UNION ALL
      SELECT 'aftermarket:warranty-claim:' || c.id, c.user_id, c.vin, NULL, c.submitted_at, 'MAINTENANCE', 'WARRANTY_CLAIM_SUBMITTED', NULL, 'WarrantyClaim', c.id
        FROM aftermarket.warranty_claims c
      UNION ALL
      SELECT 'aftermarket:fitting:' || f.id, f.user_id, f.vin, NULL, f.fitted_at, 'CONFIGURATION', 'PACKAGE_FITTED', NULL, 'ServiceStore', f.store_id
        FROM aftermarket.package_fittings f
    ) events
   WHERE occurred_at IS NOT NULL;

CREATE INDEX appointments_timeline_idx ON aftermarket.appointments (user_id, created_at DESC, ('aftermarket:appointment:' || id) COLLATE "C" DESC);
CREATE INDEX appointments_timeline_cancelled_idx ON aftermarket.appointments (user_id, cancelled_at DESC, ('aftermarket:appointment-cancelled:' || id) COLLATE "C" DESC)
  WHERE cancelled_at IS NOT NULL;
CREATE INDEX invoices_timeline_idx ON aftermarket.invoices (user_id, issued_at DESC, ('aftermarket:invoice:' || id) COLLATE "C" DESC);
CREATE INDEX warranty_claims_timeline_idx ON aftermarket.warranty_claims (user_id, submitted_at DESC, ('aftermarket:warranty-claim:' || id) COLLATE "C" DESC);
CREATE INDEX package_fittings_timeline_idx ON aftermarket.package_fittings (user_id, fitted_at DESC, ('aftermarket:fitting:' || id) COLLATE "C" DESC);
