-- A loan of a few fen at 0% has instalments of 0.00 once its principal is repaid (6 fen over 12
-- months: six instalments of 0.01, then six of 0.00). Paying such an instalment moves no money, so,
-- like a swap included in a plan or an invoice covered in full, it is activity and not spending:
-- the view leaves it out instead of showing a 0.00 line. Premiums are always positive (CHECK).
CREATE OR REPLACE VIEW finance.spending_lines AS
  SELECT 'finance:instalment:' || i.id AS line_id,
         l.user_id,
         i.paid_at AS occurred_at,
         'LOAN_INSTALMENT'::text AS category,
         CASE l.kind WHEN 'LEASE' THEN 'Lease' ELSE 'Loan' END || ' instalment ' || i.sequence || '/' || l.term_months AS description,
         i.amount_fen,
         'Instalment'::text AS subject_type,
         i.id AS subject_id
    FROM finance.instalments i
    JOIN finance.loans l ON l.id = i.loan_id
   WHERE i.status = 'PAID' AND i.amount_fen > 0
  UNION ALL
  SELECT 'finance:insurance:' || p.id,
         p.user_id,
         p.purchased_at,
         'INSURANCE'::text,
         pr.name || ' (' || pr.insurer_name || ') for ' || p.vin,
         p.premium_fen,
         'InsurancePolicy'::text,
         p.id
    FROM finance.insurance_policies p
    JOIN finance.insurance_products pr ON pr.id = p.product_id;
