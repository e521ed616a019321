-- Aftermarket: the store network, appointments, service invoices and warranty claims.
-- Money is bigint fen; ids are text `<kind>-<suffix>`; VINs and user ids are keys owned by orders,
-- stored here as plain text (no cross-schema foreign keys: each subgraph owns only its own tables).

CREATE TABLE aftermarket.stores (
  id         text PRIMARY KEY,
  name       text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  kind       text NOT NULL CHECK (kind IN ('MAINTENANCE', 'COOPERATIVE', 'MODIFICATION', 'FILM')),
  city       text NOT NULL CHECK (char_length(city) BETWEEN 1 AND 100),
  address    text NOT NULL,
  -- The partner organisation operating the store; a partner token's `org` claim is matched against it.
  org        text NOT NULL,
  -- ServiceType values the store can be booked for.
  services   text[] NOT NULL CHECK (cardinality(services) > 0),
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);
-- Store listings page by (name, id); the city filter is case-insensitive.
CREATE INDEX stores_by_name ON aftermarket.stores (name COLLATE "C", id COLLATE "C");
CREATE INDEX stores_by_city ON aftermarket.stores (lower(city), name COLLATE "C", id COLLATE "C");
CREATE INDEX stores_by_org ON aftermarket.stores (org);

CREATE TABLE aftermarket.appointments (
  id           text PRIMARY KEY,
  store_id     text NOT NULL REFERENCES aftermarket.stores (id),
  vin          text NOT NULL,
  -- The vehicle's owner when the appointment was booked: whose appointment (and later invoice) it is.
  user_id      text NOT NULL,
  service_type text NOT NULL CHECK (service_type IN ('MAINTENANCE', 'REPAIR', 'TYRES', 'FILM', 'MODIFICATION', 'WARRANTY_REPAIR')),
  scheduled_at timestamptz NOT NULL,
  status       text NOT NULL DEFAULT 'BOOKED' CHECK (status IN ('BOOKED', 'COMPLETED', 'CANCELLED')),
  note         text CHECK (note IS NULL OR char_length(note) <= 500),
  created_at   timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  completed_at timestamptz,
  cancelled_at timestamptz,
  CHECK ((status = 'COMPLETED') = (completed_at IS NOT NULL)),
  CHECK ((status = 'CANCELLED') = (cancelled_at IS NOT NULL))
);
CREATE INDEX appointments_by_user ON aftermarket.appointments (user_id, scheduled_at DESC, id COLLATE "C" DESC);
CREATE INDEX appointments_by_store ON aftermarket.appointments (store_id, scheduled_at DESC, id COLLATE "C" DESC);
-- A retried booking must not hold the same vehicle twice at the same time.
CREATE UNIQUE INDEX appointments_one_booking_per_slot ON aftermarket.appointments (vin, scheduled_at) WHERE status = 'BOOKED';

CREATE TABLE aftermarket.invoices (
  id                   text PRIMARY KEY,
  -- One invoice per appointment: the second concurrent issue fails here even if it got past the status check.
  appointment_id       text NOT NULL UNIQUE REFERENCES aftermarket.appointments (id),
  store_id             text NOT NULL REFERENCES aftermarket.stores (id),
  vin                  text NOT NULL,
  user_id              text NOT NULL,
  issued_at            timestamptz NOT NULL,
  -- Sums of the lines, written in the same transaction as the lines so the spending view needs no aggregate.
  warranty_covered_fen bigint NOT NULL CHECK (warranty_covered_fen >= 0),
  owner_paid_fen       bigint NOT NULL CHECK (owner_paid_fen >= 0),
  line_count           integer NOT NULL CHECK (line_count BETWEEN 1 AND 50)
);
CREATE INDEX invoices_by_user ON aftermarket.invoices (user_id, issued_at DESC, id COLLATE "C" DESC);
CREATE INDEX invoices_by_vin ON aftermarket.invoices (vin, issued_at DESC, id COLLATE "C" DESC);

CREATE TABLE aftermarket.invoice_lines (
  invoice_id       text NOT NULL REFERENCES aftermarket.invoices (id),
  position         integer NOT NULL CHECK (position BETWEEN 1 AND 50),
  kind             text NOT NULL CHECK (kind IN ('PART', 'LABOUR')),
  description      text NOT NULL CHECK (char_length(description) BETWEEN 1 AND 200),
  quantity         integer NOT NULL CHECK (quantity BETWEEN 1 AND 1000),
  unit_price_fen   bigint NOT NULL CHECK (unit_price_fen BETWEEN 0 AND 100000000),
  amount_fen       bigint NOT NULL,
  warranty_covered boolean NOT NULL,
  PRIMARY KEY (invoice_id, position),
  CHECK (amount_fen = quantity::bigint * unit_price_fen)
);

CREATE TABLE aftermarket.warranty_claims (
  id            text PRIMARY KEY,
  invoice_id    text NOT NULL,
  line_position integer NOT NULL,
  vin           text NOT NULL,
  amount_fen    bigint NOT NULL CHECK (amount_fen >= 0),
  status        text NOT NULL DEFAULT 'SUBMITTED' CHECK (status IN ('SUBMITTED', 'APPROVED', 'REJECTED')),
  submitted_at  timestamptz NOT NULL,
  decided_at    timestamptz,
  -- One claim per warranty-covered line.
  UNIQUE (invoice_id, line_position),
  FOREIGN KEY (invoice_id, line_position) REFERENCES aftermarket.invoice_lines (invoice_id, position),
  CHECK ((status = 'SUBMITTED') = (decided_at IS NULL))
);

-- Spending: the owner-paid part of each invoice. Warranty-covered lines are paid by the manufacturer,
-- so they are not the owner's spending; an invoice covered in full leaves no line at all.
CREATE VIEW aftermarket.spending_lines AS
  SELECT 'aftermarket:invoice:' || i.id AS line_id,
         i.user_id,
         i.issued_at AS occurred_at,
         'MAINTENANCE'::text AS category,
         CASE a.service_type
           WHEN 'MAINTENANCE' THEN 'Maintenance'
           WHEN 'REPAIR' THEN 'Repair'
           WHEN 'TYRES' THEN 'Tyres'
           WHEN 'FILM' THEN 'Window film'
           WHEN 'MODIFICATION' THEN 'Modification'
           WHEN 'WARRANTY_REPAIR' THEN 'Warranty repair'
         END || ' at ' || s.name AS description,
         i.owner_paid_fen AS amount_fen,
         'ServiceInvoice'::text AS subject_type,
         i.id AS subject_id
    FROM aftermarket.invoices i
    JOIN aftermarket.appointments a ON a.id = i.appointment_id
    JOIN aftermarket.stores s ON s.id = i.store_id
   WHERE i.owner_paid_fen > 0;
