-- The analytics store: a copy of every contributor's lifecycle events and of the facts analysts group by,
-- kept up to date through the contributors' lifecycle feeds (kit/lifecycle-feed.ts), never by reading
-- another subgraph's tables. The aggregates below are maintained per touched vehicle at each refresh, so
-- a view reads a few small tables instead of scanning everyone's events.

-- Where each contributor's feed was read up to: the transaction-id horizon of the last round completed.
CREATE TABLE analytics.feed_cursors (
  source     text PRIMARY KEY,
  since      text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Up to when the store holds the contributors' data: the start of the last round completed.
CREATE TABLE analytics.freshness (
  one   boolean PRIMARY KEY DEFAULT true CHECK (one),
  as_of timestamptz NOT NULL
);

-- People: their pseudonym (the one every subgraph gives analysts) and city, from orders' facts.
CREATE TABLE analytics.users (
  user_id   text PRIMARY KEY,
  pseudonym text NOT NULL,
  city      text
);

-- Catalog facts per trim: its model and battery option.
CREATE TABLE analytics.trims (
  trim_id        text PRIMARY KEY,
  model_id       text NOT NULL,
  battery_option text NOT NULL CHECK (battery_option IN ('OWNED', 'RENTAL')),
  range_km       integer
);

-- Orders, and the vehicle each delivered one became.
CREATE TABLE analytics.orders (
  order_id       text PRIMARY KEY,
  user_id        text NOT NULL,
  trim_id        text NOT NULL,
  colour_id      text,
  package_id     text,
  battery_rental boolean NOT NULL,
  status         text NOT NULL,
  total_fen      bigint NOT NULL,
  placed_at      timestamptz NOT NULL,
  vin            text UNIQUE,
  delivered_at   timestamptz
);
CREATE INDEX orders_by_user ON analytics.orders (user_id);
CREATE INDEX orders_by_trim ON analytics.orders (trim_id);

-- Every contributor's events, with what the views filter by copied in at refresh (the vehicle's order,
-- its model and trim, the person's pseudonym and city), so a view is one index-ordered read.
CREATE TABLE analytics.events (
  event_id         text PRIMARY KEY,
  source           text NOT NULL,
  user_id          text NOT NULL,
  pseudonym        text NOT NULL,
  vin              text,
  order_id         text,
  occurred_at      timestamptz NOT NULL,
  stage            text NOT NULL,
  kind             text NOT NULL,
  amount_fen       bigint,
  category         text,
  subject_type     text NOT NULL,
  subject_id       text NOT NULL,
  -- The order of the vehicle the event belongs to (its own order, or the order of the VIN it names).
  vehicle_order_id text,
  model_id         text,
  trim_id          text,
  city             text,
  -- A stable non-negative hash of the id: a partition of an export is `part % count = index`.
  part             bigint NOT NULL
);
CREATE INDEX events_by_user ON analytics.events (user_id);
CREATE INDEX events_in_order ON analytics.events (occurred_at, event_id COLLATE "C");

-- Calendar months from `a`'s month to `b`'s, in UTC: 0 within the same month.
CREATE FUNCTION analytics.months_between(a timestamptz, b timestamptz) RETURNS integer
  LANGUAGE sql IMMUTABLE STRICT
  AS $$ SELECT ((EXTRACT(YEAR FROM b AT TIME ZONE 'UTC') - EXTRACT(YEAR FROM a AT TIME ZONE 'UTC')) * 12
              + EXTRACT(MONTH FROM b AT TIME ZONE 'UTC') - EXTRACT(MONTH FROM a AT TIME ZONE 'UTC'))::integer $$;

-- Delivered vehicles with what the aggregates group them by: the owner (the order's buyer), the
-- delivery-month cohort, the model, trim and battery option (RENTAL when the order rents the battery).
CREATE TABLE analytics.vehicles (
  vin            text PRIMARY KEY,
  user_id        text NOT NULL,
  order_id       text NOT NULL,
  delivered_at   timestamptz NOT NULL,
  cohort         date NOT NULL,
  model_id       text NOT NULL,
  trim_id        text NOT NULL,
  battery_option text NOT NULL,
  part           bigint NOT NULL
);
CREATE INDEX vehicles_by_user ON analytics.vehicles (user_id);
CREATE INDEX vehicles_in_order ON analytics.vehicles (vin COLLATE "C");

-- Cost of ownership: what each vehicle's owner paid for it, per month of ownership and category.
-- Month 0 is the delivery month; it also holds what was paid for the car before delivery (deposit,
-- balance), so a vehicle's months add up to everything its owner paid for it.
CREATE TABLE analytics.vehicle_month_costs (
  vin            text NOT NULL,
  month_index    integer NOT NULL CHECK (month_index >= 0),
  category       text NOT NULL,
  amount_fen     bigint NOT NULL,
  PRIMARY KEY (vin, month_index, category)
);

-- Retention: the months after delivery in which a vehicle had maintenance, energy or finance activity.
CREATE TABLE analytics.vehicle_active_months (
  vin         text NOT NULL,
  month_index integer NOT NULL CHECK (month_index >= 0),
  PRIMARY KEY (vin, month_index)
);

-- The aggregates below are kept by adding each refreshed vehicle's rows and subtracting its old ones
-- (never by re-reading everyone): a view reads them as they are.

-- Delivered vehicles per delivery-month cohort and group (model, trim, battery option): the
-- denominators of retention and of the average cost of ownership.
CREATE TABLE analytics.cohort_vehicles (
  cohort         date NOT NULL,
  model_id       text NOT NULL,
  trim_id        text NOT NULL,
  battery_option text NOT NULL,
  vehicles       integer NOT NULL,
  PRIMARY KEY (cohort, model_id, trim_id, battery_option)
);

-- Active vehicles per cohort and month after delivery (retention's numerators).
CREATE TABLE analytics.cohort_active (
  cohort      date NOT NULL,
  month_index integer NOT NULL,
  vehicles    integer NOT NULL,
  PRIMARY KEY (cohort, month_index)
);

-- Spending per group, cohort, month of ownership and category (the average cost of ownership's numerators).
CREATE TABLE analytics.group_month_costs (
  model_id       text NOT NULL,
  trim_id        text NOT NULL,
  battery_option text NOT NULL,
  cohort         date NOT NULL,
  month_index    integer NOT NULL,
  category       text NOT NULL,
  amount_fen     bigint NOT NULL,
  PRIMARY KEY (model_id, trim_id, battery_option, cohort, month_index, category)
);
