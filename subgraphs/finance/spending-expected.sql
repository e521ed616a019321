-- What finance's spending lines must be, from its base tables, written without reading the view (the
-- spending invariants test compares both): a paid instalment's amount from its parts, every policy's
-- premium. Columns: id, user_id, at, category, fen (text), subject_type, subject_id.
SELECT 'finance:instalment:' || i.id AS id, l.user_id, i.paid_at AS at, 'LOAN_INSTALMENT' AS category,
       (i.principal_fen + i.interest_fen)::text AS fen, 'Instalment' AS subject_type, i.id AS subject_id
  FROM finance.instalments i JOIN finance.loans l ON l.id = i.loan_id
 WHERE i.status = 'PAID' AND i.principal_fen + i.interest_fen > 0
UNION ALL
SELECT 'finance:insurance:' || p.id, p.user_id, p.purchased_at, 'INSURANCE', p.premium_fen::text, 'InsurancePolicy', p.id
  FROM finance.insurance_policies p
