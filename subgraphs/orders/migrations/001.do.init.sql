-- Buying a car: test drives, trade-ins, orders (price snapshot, status history) and the vehicles their
-- delivery creates. Money is bigint fen; ids are text `<kind>-<suffix>`; the application writes every
-- timestamp (from JS Date), so nothing here defaults to now().

CREATE TABLE orders.test_drives (
  id           text PRIMARY KEY,
  user_id      text NOT NULL,
  trim_id      text NOT NULL,
  city         text NOT NULL CHECK (length(city) BETWEEN 1 AND 100),
  scheduled_at timestamptz NOT NULL,
  status       text NOT NULL CHECK (status IN ('BOOKED', 'CANCELLED')),
  booked_at    timestamptz NOT NULL,
  cancelled_at timestamptz,
  CHECK ((status = 'CANCELLED') = (cancelled_at IS NOT NULL))
);
-- User.testDrives pages newest booking first.
CREATE INDEX test_drives_user_idx ON orders.test_drives (user_id, booked_at DESC, id DESC);

CREATE TABLE orders.trade_ins (
  id                  text PRIMARY KEY,
  user_id             text NOT NULL,
  description         text NOT NULL CHECK (length(description) BETWEEN 1 AND 500),
  model_year          integer NOT NULL,
  mileage_km          integer NOT NULL CHECK (mileage_km >= 0),
  status              text NOT NULL CHECK (status IN ('REQUESTED', 'APPRAISED', 'CREDITED')),
  requested_at        timestamptz NOT NULL,
  appraised_value_fen bigint CHECK (appraised_value_fen > 0),
  appraised_at        timestamptz,
  -- Role and subject of the appraiser, kept for audit; not exposed.
  appraised_by_role   text,
  appraised_by        text,
  -- Set while the trade-in is credited to a (not cancelled) order; a trade-in is credited once.
  credited_order_id   text UNIQUE,
  CHECK ((status = 'REQUESTED') = (appraised_value_fen IS NULL)),
  CHECK ((appraised_value_fen IS NULL) = (appraised_at IS NULL)),
  CHECK ((status = 'CREDITED') = (credited_order_id IS NOT NULL))
);
CREATE INDEX trade_ins_user_idx ON orders.trade_ins (user_id, requested_at DESC, id DESC);
-- The appraisers' queue: oldest request first.
CREATE INDEX trade_ins_requested_idx ON orders.trade_ins (requested_at, id) WHERE status = 'REQUESTED';

CREATE TABLE orders.orders (
  id                  text PRIMARY KEY,
  user_id             text NOT NULL,
  -- The client's retry key and a canonical form of what it asked for: a replay with the same key
  -- returns this order, a different request under the same key is refused.
  idempotency_key     text NOT NULL,
  request_fingerprint text NOT NULL,
  status              text NOT NULL CHECK (status IN ('PLACED', 'DEPOSIT_PAID', 'BALANCE_PAID', 'DELIVERED', 'CANCELLED')),
  trim_id             text NOT NULL,
  -- Copied from the quote so spending lines read "Deposit for <trim>" without asking the catalog.
  trim_name           text NOT NULL,
  colour_id           text,
  package_id          text,
  accessory_ids       text[] NOT NULL DEFAULT '{}' CHECK (cardinality(accessory_ids) <= 20),
  battery_rental      boolean NOT NULL,
  manufacturer_org    text NOT NULL,
  total_fen           bigint NOT NULL CHECK (total_fen > 0),
  deposit_fen         bigint NOT NULL CHECK (deposit_fen > 0),
  trade_in_id         text REFERENCES orders.trade_ins (id),
  trade_in_credit_fen bigint NOT NULL CHECK (trade_in_credit_fen >= 0),
  financed_fen        bigint NOT NULL CHECK (financed_fen >= 0),
  balance_due_fen     bigint NOT NULL CHECK (balance_due_fen >= 0),
  placed_at           timestamptz NOT NULL,
  deposit_paid_at     timestamptz,
  balance_paid_at     timestamptz,
  delivered_at        timestamptz,
  cancelled_at        timestamptz,
  UNIQUE (user_id, idempotency_key),
  CHECK (deposit_fen + trade_in_credit_fen + financed_fen + balance_due_fen = total_fen),
  CHECK ((trade_in_id IS NULL) = (trade_in_credit_fen = 0)),
  CHECK ((deposit_paid_at IS NOT NULL) = (status IN ('DEPOSIT_PAID', 'BALANCE_PAID', 'DELIVERED'))),
  CHECK ((balance_paid_at IS NOT NULL) = (status IN ('BALANCE_PAID', 'DELIVERED'))),
  CHECK ((delivered_at IS NOT NULL) = (status = 'DELIVERED')),
  CHECK ((cancelled_at IS NOT NULL) = (status = 'CANCELLED'))
);
CREATE INDEX orders_user_idx ON orders.orders (user_id, placed_at DESC, id DESC);
-- A trade-in backs at most one live order (a cancelled order releases it).
CREATE UNIQUE INDEX orders_trade_in_once ON orders.orders (trade_in_id) WHERE trade_in_id IS NOT NULL AND status <> 'CANCELLED';
-- The manufacturers' delivery queue: longest-waiting first.
CREATE INDEX orders_awaiting_delivery_idx ON orders.orders (manufacturer_org, balance_paid_at, id) WHERE status = 'BALANCE_PAID';

-- The trade-in is marked credited before the order row exists (same transaction), so the check waits for commit.
ALTER TABLE orders.trade_ins
  ADD CONSTRAINT trade_ins_credited_order_fk FOREIGN KEY (credited_order_id) REFERENCES orders.orders (id) DEFERRABLE INITIALLY DEFERRED;

CREATE TABLE orders.order_price_lines (
  order_id    text NOT NULL REFERENCES orders.orders (id),
  position    smallint NOT NULL CHECK (position >= 0),
  kind        text NOT NULL CHECK (kind IN ('TRIM', 'COLOUR', 'PACKAGE', 'ACCESSORY')),
  ref_id      text NOT NULL,
  description text NOT NULL,
  amount_fen  bigint NOT NULL,
  PRIMARY KEY (order_id, position)
);

CREATE TABLE orders.order_status_changes (
  order_id text NOT NULL REFERENCES orders.orders (id),
  -- An order never re-enters a status, so this key also refuses a transition applied twice.
  status   text NOT NULL CHECK (status IN ('PLACED', 'DEPOSIT_PAID', 'BALANCE_PAID', 'DELIVERED', 'CANCELLED')),
  at       timestamptz NOT NULL,
  by_role  text NOT NULL CHECK (by_role IN ('customer', 'partner', 'admin', 'service')),
  by_sub   text NOT NULL,
  PRIMARY KEY (order_id, status)
);

CREATE TABLE orders.vehicles (
  vin              text PRIMARY KEY CHECK (vin ~ '^[A-HJ-NPR-Z0-9]{17}$'),
  order_id         text NOT NULL UNIQUE REFERENCES orders.orders (id),
  owner_id         text NOT NULL,
  trim_id          text NOT NULL,
  battery_rental   boolean NOT NULL,
  -- Copied from the order: partners of the manufacturer may read the vehicle.
  manufacturer_org text NOT NULL,
  delivered_at     timestamptz NOT NULL
);
CREATE INDEX vehicles_owner_idx ON orders.vehicles (owner_id, delivered_at DESC, vin DESC);

-- 1234567 → '12345.67' (non-negative amounts only), for person-readable line descriptions.
CREATE FUNCTION orders.format_yuan(fen bigint) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT
  AS $$ SELECT (fen / 100)::text || '.' || lpad((fen % 100)::text, 2, '0') $$;

-- What buying cost the owner, counted once: the deposit when paid; the balance when paid, including the
-- part a trade-in settled; and that trade-in credit as a negative line at the same moment. Deposit +
-- balance + credit = cash actually paid. The financed part is spent as finance's instalments.
CREATE VIEW orders.spending_lines AS
  SELECT 'orders:deposit:' || o.id AS line_id, o.user_id, o.deposit_paid_at AS occurred_at, 'PURCHASE'::text AS category,
         'Deposit for ' || o.trim_name AS description, o.deposit_fen AS amount_fen, 'Order'::text AS subject_type, o.id AS subject_id
    FROM orders.orders o
   WHERE o.deposit_paid_at IS NOT NULL
  UNION ALL
  SELECT 'orders:balance:' || o.id, o.user_id, o.balance_paid_at, 'PURCHASE',
         'Balance for ' || o.trim_name
           || CASE WHEN o.trade_in_credit_fen > 0 THEN ', of which ' || orders.format_yuan(o.trade_in_credit_fen) || ' settled by trade-in' ELSE '' END,
         o.balance_due_fen + o.trade_in_credit_fen, 'Order', o.id
    FROM orders.orders o
   WHERE o.balance_paid_at IS NOT NULL AND o.balance_due_fen + o.trade_in_credit_fen > 0
  UNION ALL
  SELECT 'orders:trade-in-credit:' || t.id, o.user_id, o.balance_paid_at, 'TRADE_IN_CREDIT',
         'Trade-in credit for ' || t.description || ' against ' || o.trim_name,
         -o.trade_in_credit_fen, 'TradeIn', t.id
    FROM orders.orders o
    JOIN orders.trade_ins t ON t.id = o.trade_in_id
   WHERE o.balance_paid_at IS NOT NULL AND o.trade_in_credit_fen > 0;
