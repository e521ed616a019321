-- Finance: loans and leases with their instalment schedules, insurance products and policies.
-- Money is integer fen (bigint); ids are text `<kind>-<suffix>`; times are timestamptz.

CREATE TABLE finance.loans (
  id              text PRIMARY KEY,
  kind            text NOT NULL CHECK (kind IN ('LOAN', 'LEASE')),
  -- One loan per order: the unique constraint is what makes a second (or concurrent) openLoan a CONFLICT.
  order_id        text NOT NULL UNIQUE,
  user_id         text NOT NULL,
  principal_fen   bigint NOT NULL CHECK (principal_fen > 0),
  annual_rate_bps integer NOT NULL CHECK (annual_rate_bps BETWEEN 0 AND 3600),
  term_months     integer NOT NULL CHECK (term_months IN (12, 24, 36, 48, 60)),
  status          text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'PAID_OFF')),
  opened_at       timestamptz NOT NULL,
  paid_off_at     timestamptz,
  CHECK ((status = 'PAID_OFF') = (paid_off_at IS NOT NULL))
);
-- User.loans pages newest first.
CREATE INDEX loans_user_opened_idx ON finance.loans (user_id, opened_at DESC, id DESC);

CREATE TABLE finance.instalments (
  id            text PRIMARY KEY,
  loan_id       text NOT NULL REFERENCES finance.loans (id),
  sequence      integer NOT NULL CHECK (sequence >= 1),
  due_at        timestamptz NOT NULL,
  principal_fen bigint NOT NULL CHECK (principal_fen >= 0),
  interest_fen  bigint NOT NULL CHECK (interest_fen >= 0),
  amount_fen    bigint NOT NULL,
  status        text NOT NULL DEFAULT 'DUE' CHECK (status IN ('DUE', 'PAID')),
  paid_at       timestamptz,
  UNIQUE (loan_id, sequence),
  CHECK (amount_fen = principal_fen + interest_fen),
  CHECK ((status = 'PAID') = (paid_at IS NOT NULL))
);

-- Reference data: what can be bought, from whom, at which yearly premium. The compulsory premium is
-- the regulated base rate for a private car under six seats (950 yuan), the same at every insurer.
CREATE TABLE finance.insurance_products (
  id                 text PRIMARY KEY,
  insurer_org        text NOT NULL,
  insurer_name       text NOT NULL,
  kind               text NOT NULL CHECK (kind IN ('COMPULSORY', 'COMMERCIAL')),
  name               text NOT NULL,
  annual_premium_fen bigint NOT NULL CHECK (annual_premium_fen > 0),
  UNIQUE (insurer_org, kind)
);
INSERT INTO finance.insurance_products (id, insurer_org, insurer_name, kind, name, annual_premium_fen) VALUES
  ('insp-pingan-compulsory', 'pingan-insurance', 'Ping An Property & Casualty', 'COMPULSORY', 'Compulsory traffic accident liability', 95000),
  ('insp-pingan-commercial', 'pingan-insurance', 'Ping An Property & Casualty', 'COMMERCIAL', 'New energy vehicle commercial cover', 568000),
  ('insp-picc-compulsory',   'picc-insurance',   'PICC Property & Casualty',    'COMPULSORY', 'Compulsory traffic accident liability', 95000),
  ('insp-picc-commercial',   'picc-insurance',   'PICC Property & Casualty',    'COMMERCIAL', 'New energy vehicle commercial cover', 542000),
  ('insp-cpic-compulsory',   'cpic-insurance',   'China Pacific Insurance',     'COMPULSORY', 'Compulsory traffic accident liability', 95000),
  ('insp-cpic-commercial',   'cpic-insurance',   'China Pacific Insurance',     'COMMERCIAL', 'New energy vehicle commercial cover', 553000);

CREATE TABLE finance.insurance_policies (
  id           text PRIMARY KEY,
  vin          text NOT NULL,
  user_id      text NOT NULL,
  product_id   text NOT NULL REFERENCES finance.insurance_products (id),
  -- The premium paid, fixed at purchase (a product's price may change later).
  premium_fen  bigint NOT NULL CHECK (premium_fen > 0),
  starts_at    timestamptz NOT NULL,
  ends_at      timestamptz NOT NULL,
  purchased_at timestamptz NOT NULL,
  CHECK (ends_at > starts_at)
);
-- Vehicle.insurancePolicies and the renewal check read by VIN; User.insurancePolicies pages newest purchase first.
CREATE INDEX insurance_policies_vin_idx ON finance.insurance_policies (vin, starts_at);
CREATE INDEX insurance_policies_user_idx ON finance.insurance_policies (user_id, purchased_at DESC, id DESC);

-- Spending: money that left the owner's pocket. A loan's principal is spent only as its instalments
-- are paid, so only PAID instalments appear; a premium is spent when the policy is bought.
CREATE VIEW finance.spending_lines AS
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
   WHERE i.status = 'PAID'
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
