-- Finance's part of the lifecycle timeline (kit/lifecycle.ts): loans opened, instalments paid and
-- insurance bought. The view and its indexes take the shape orders' 008_spending_lines_index_ordered.sql
-- explains (a page is one index-ordered statement). Instalments and insurance are the spending lines —
-- the same ids, times and fen — so 004's spending indexes serve them and nothing is counted twice. A
-- loan's amount is null: the owner's money moves as its instalments. A loan and its instalments belong
-- to the car bought with its order (order_id); a policy names its car's VIN.
CREATE VIEW finance.lifecycle_events AS
  SELECT event_id, user_id, vin, order_id, occurred_at, stage, kind, amount_fen, subject_type, subject_id
    FROM (
      SELECT 'finance:loan:' || l.id AS event_id, l.user_id, NULL::text AS vin, l.order_id, l.opened_at AS occurred_at,
             'PURCHASE'::text AS stage, 'LOAN_OPENED'::text AS kind, NULL::bigint AS amount_fen, 'Loan'::text AS subject_type, l.id AS subject_id
        FROM finance.loans l
      UNION ALL
      SELECT 'finance:instalment:' || i.id, i.user_id, NULL, (SELECT l.order_id FROM finance.loans l WHERE l.id = i.loan_id),
             CASE WHEN i.status = 'PAID' AND i.amount_fen > 0 THEN i.paid_at END,
             'PURCHASE', 'INSTALMENT_PAID', i.amount_fen, 'Instalment', i.id
        FROM finance.instalments i
      UNION ALL
      SELECT 'finance:insurance:' || p.id, p.user_id, p.vin, NULL, p.purchased_at, 'USAGE', 'INSURANCE_BOUGHT', p.premium_fen, 'InsurancePolicy', p.id
        FROM finance.insurance_policies p
    ) events
   WHERE occurred_at IS NOT NULL;

CREATE INDEX loans_timeline_idx ON finance.loans (user_id, opened_at DESC, ('finance:loan:' || id) COLLATE "C" DESC);
