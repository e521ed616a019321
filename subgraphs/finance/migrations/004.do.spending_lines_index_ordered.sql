-- Spending pages read only the page, not the user's whole history. The view takes the shape orders'
-- 008_spending_lines_index_ordered.sql explains: branches read one table with no WHERE of their own
-- (a branch's condition is folded into its occurred_at, NULL for a row that is not a line, and the
-- view keeps the lines that have a time); what a line takes from another table is a scalar subquery,
-- evaluated only for the lines returned (the foreign keys guarantee the row, as the joins did); and
-- each branch has an index on (user_id, its occurred_at DESC, its line_id COLLATE "C" DESC), on
-- exactly the expressions the branch uses.
--
-- An instalment's owner was its loan's borrower, found by the join, so no index on instalments could
-- order one user's instalments. Each instalment now keeps its borrower: a trigger copies it from the
-- loan on every write (finance writes instalments naming only their loan), and a borrower changed on
-- the loan is carried to its instalments. Left NULL only for a missing loan, which the foreign key
-- then refuses with its usual error.
ALTER TABLE finance.instalments ADD COLUMN user_id text;
UPDATE finance.instalments i SET user_id = l.user_id FROM finance.loans l WHERE l.id = i.loan_id;

CREATE FUNCTION finance.instalment_borrower() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.user_id := (SELECT l.user_id FROM finance.loans l WHERE l.id = NEW.loan_id);
  RETURN NEW;
END $$;
CREATE TRIGGER instalments_borrower BEFORE INSERT OR UPDATE OF loan_id, user_id ON finance.instalments
  FOR EACH ROW EXECUTE FUNCTION finance.instalment_borrower();

CREATE FUNCTION finance.loan_borrower_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE finance.instalments SET user_id = NEW.user_id WHERE loan_id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER loans_borrower_changed AFTER UPDATE OF user_id ON finance.loans
  FOR EACH ROW WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id) EXECUTE FUNCTION finance.loan_borrower_changed();

CREATE OR REPLACE VIEW finance.spending_lines AS
  SELECT line_id, user_id, occurred_at, category, description, amount_fen, subject_type, subject_id
    FROM (
      SELECT 'finance:instalment:' || i.id AS line_id,
             i.user_id,
             CASE WHEN i.status = 'PAID' AND i.amount_fen > 0 THEN i.paid_at END AS occurred_at,
             'LOAN_INSTALMENT'::text AS category,
             (SELECT CASE l.kind WHEN 'LEASE' THEN 'Lease' ELSE 'Loan' END || ' instalment ' || i.sequence || '/' || l.term_months
                FROM finance.loans l WHERE l.id = i.loan_id) AS description,
             i.amount_fen,
             'Instalment'::text AS subject_type,
             i.id AS subject_id
        FROM finance.instalments i
      UNION ALL
      SELECT 'finance:insurance:' || p.id,
             p.user_id,
             p.purchased_at,
             'INSURANCE'::text,
             (SELECT pr.name || ' (' || pr.insurer_name || ') for ' || p.vin FROM finance.insurance_products pr WHERE pr.id = p.product_id),
             p.premium_fen,
             'InsurancePolicy'::text,
             p.id
        FROM finance.insurance_policies p
    ) lines
   WHERE occurred_at IS NOT NULL;

CREATE INDEX instalments_spending_idx ON finance.instalments
  (user_id, (CASE WHEN status = 'PAID' AND amount_fen > 0 THEN paid_at END) DESC, ('finance:instalment:' || id) COLLATE "C" DESC)
  WHERE (CASE WHEN status = 'PAID' AND amount_fen > 0 THEN paid_at END) IS NOT NULL;
CREATE INDEX insurance_policies_spending_idx ON finance.insurance_policies
  (user_id, purchased_at DESC, ('finance:insurance:' || id) COLLATE "C" DESC);
