CREATE TABLE finance.payments (id bigserial PRIMARY KEY, user_id text NOT NULL, amount_fen bigint NOT NULL, paid_at timestamptz NOT NULL);
CREATE VIEW finance.spending_lines AS
  SELECT 'finance:payment:' || lpad(id::text, 12, '0') AS line_id, user_id, paid_at AS occurred_at, 'LOAN_INSTALMENT'::text AS category,
         'Loan instalment' AS description, amount_fen, 'Instalment' AS subject_type, id::text AS subject_id
    FROM finance.payments;
