-- What aftermarket's spending lines must be, from its base tables, written without reading the view (the
-- spending invariants test compares both): the owner-paid part of an invoice from its lines, not the
-- invoice's stored sum, less what a maintenance package settles of a prepaid scheduled service — derived
-- from the package rule (a vehicle's first `maintenance_services` MAINTENANCE invoices within
-- `maintenance_years` of delivery, both copied onto its order), never from the flags issueInvoice writes.
-- Columns: id, user_id, at, category, fen (text), subject_type, subject_id.
WITH prepaid AS (
  SELECT m.invoice_id, m.allowance FROM (
    SELECT i.id AS invoice_id, o.maintenance_services, o.maintenance_allowance_fen AS allowance, i.issued_at,
           ((v.delivered_at AT TIME ZONE 'UTC') + make_interval(years => o.maintenance_years)) AT TIME ZONE 'UTC' AS valid_until,
           row_number() OVER (PARTITION BY i.vin ORDER BY i.issued_at, i.id) AS n
      FROM aftermarket.invoices i
      JOIN aftermarket.appointments a ON a.id = i.appointment_id
      JOIN orders.vehicles v ON v.vin = i.vin
      JOIN orders.orders o ON o.id = v.order_id
     WHERE a.service_type = 'MAINTENANCE') m
   WHERE m.n <= m.maintenance_services AND m.issued_at < m.valid_until
)
SELECT 'aftermarket:invoice:' || i.id AS id, i.user_id, i.issued_at AS at, 'MAINTENANCE' AS category,
       (paid.fen - coalesce(prepaid.allowance, 0))::text AS fen, 'ServiceInvoice' AS subject_type, i.id AS subject_id
  FROM aftermarket.invoices i
  JOIN (SELECT invoice_id, sum(quantity * unit_price_fen) AS fen FROM aftermarket.invoice_lines
         WHERE NOT warranty_covered GROUP BY invoice_id) paid ON paid.invoice_id = i.id
  LEFT JOIN prepaid ON prepaid.invoice_id = i.id
 WHERE paid.fen - coalesce(prepaid.allowance, 0) > 0
