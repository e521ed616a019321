-- Spending pages read only the page, not the user's whole history. The view takes the shape orders'
-- 008_spending_lines_index_ordered.sql explains: it reads invoices alone, with the owner-paid
-- condition folded into occurred_at (NULL for an invoice the owner paid nothing of; the view keeps
-- the lines that have a time), through an index on (user_id, occurred_at DESC, line_id COLLATE "C"
-- DESC) on exactly the view's expressions (invoices_by_user orders by the invoice id, not the line id,
-- so each page was sorted). The appointment's service type and the store's name come from a scalar
-- subquery, evaluated only for the lines returned (the foreign keys guarantee both rows, as the joins did).
CREATE OR REPLACE VIEW aftermarket.spending_lines AS
  SELECT line_id, user_id, occurred_at, category, description, amount_fen, subject_type, subject_id
    FROM (
      SELECT 'aftermarket:invoice:' || i.id AS line_id,
             i.user_id,
             CASE WHEN i.owner_paid_fen > 0 THEN i.issued_at END AS occurred_at,
             'MAINTENANCE'::text AS category,
             (SELECT CASE a.service_type
                       WHEN 'MAINTENANCE' THEN 'Maintenance'
                       WHEN 'REPAIR' THEN 'Repair'
                       WHEN 'TYRES' THEN 'Tyres'
                       WHEN 'FILM' THEN 'Window film'
                       WHEN 'MODIFICATION' THEN 'Modification'
                       WHEN 'WARRANTY_REPAIR' THEN 'Warranty repair'
                     END || ' at ' || s.name
                FROM aftermarket.appointments a, aftermarket.stores s
               WHERE a.id = i.appointment_id AND s.id = i.store_id) AS description,
             i.owner_paid_fen AS amount_fen,
             'ServiceInvoice'::text AS subject_type,
             i.id AS subject_id
        FROM aftermarket.invoices i
    ) lines
   WHERE occurred_at IS NOT NULL;

CREATE INDEX invoices_spending_idx ON aftermarket.invoices
  (user_id, (CASE WHEN owner_paid_fen > 0 THEN issued_at END) DESC, ('aftermarket:invoice:' || id) COLLATE "C" DESC)
  WHERE (CASE WHEN owner_paid_fen > 0 THEN issued_at END) IS NOT NULL;
