-- Energy: running the car. Swap stations, battery plans and subscriptions (battery-as-a-service),
-- swap sessions and charging sessions with their fees. Money is bigint fen; ids are `<kind>-<suffix>`.

CREATE TABLE energy.swap_stations (
  id            text PRIMARY KEY,
  name          text NOT NULL,
  city          text NOT NULL,
  address       text NOT NULL,
  -- The partner organisation that runs the station; its partners record swaps here.
  operator_org  text NOT NULL,
  active        boolean NOT NULL DEFAULT true,
  bays          integer NOT NULL CHECK (bays > 0),
  created_at    timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);
-- Public listing pages by (name, id), optionally within one city.
CREATE INDEX swap_stations_name_idx ON energy.swap_stations (name, id);
CREATE INDEX swap_stations_city_name_idx ON energy.swap_stations (city, name, id);

-- The battery plans on offer. Reference data the fee rules depend on, so it ships with the schema
-- rather than with the demo seed: a fresh database can take subscriptions straight away.
CREATE TABLE energy.battery_plans (
  id                        text PRIMARY KEY,
  name                      text NOT NULL UNIQUE,
  monthly_fee_fen           bigint NOT NULL CHECK (monthly_fee_fen > 0),
  included_swaps_per_month  integer NOT NULL CHECK (included_swaps_per_month >= 0),
  per_swap_fee_fen          bigint NOT NULL CHECK (per_swap_fee_fen >= 0),
  description               text NOT NULL,
  sort_order                integer NOT NULL
);
INSERT INTO energy.battery_plans (id, name, monthly_fee_fen, included_swaps_per_month, per_swap_fee_fen, description, sort_order) VALUES
  ('bplan-lite', 'Swap Lite', 39900, 4, 6900,
   'For city driving: the battery rental plus 4 swaps a month; each further swap 69.00.', 1),
  ('bplan-standard', 'Swap Standard', 49900, 8, 5900,
   'For daily commuters: the battery rental plus 8 swaps a month; each further swap 59.00.', 2),
  ('bplan-plus', 'Swap Plus', 79900, 20, 4900,
   'For ride-hailing and long distances: the battery rental plus 20 swaps a month; each further swap 49.00.', 3);

CREATE TABLE energy.battery_subscriptions (
  id            text PRIMARY KEY,
  vin           text NOT NULL,
  -- The vehicle's owner when subscribing (from orders); the one who pays the monthly fee.
  user_id       text NOT NULL,
  plan_id       text NOT NULL REFERENCES energy.battery_plans (id),
  status        text NOT NULL CHECK (status IN ('ACTIVE', 'CANCELLED')),
  started_at    timestamptz NOT NULL,
  cancelled_at  timestamptz,
  CHECK ((status = 'CANCELLED') = (cancelled_at IS NOT NULL))
);
-- One battery, one plan: a vehicle has at most one active subscription. Concurrent subscribes race
-- on this index and exactly one wins.
CREATE UNIQUE INDEX battery_subscriptions_one_active_per_vin ON energy.battery_subscriptions (vin) WHERE status = 'ACTIVE';
CREATE INDEX battery_subscriptions_user_idx ON energy.battery_subscriptions (user_id, started_at DESC, id DESC);

CREATE TABLE energy.subscription_charges (
  id               text PRIMARY KEY,
  subscription_id  text NOT NULL REFERENCES energy.battery_subscriptions (id),
  -- The month paid for, "YYYY-MM".
  period           text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  amount_fen       bigint NOT NULL CHECK (amount_fen >= 0),
  charged_at       timestamptz NOT NULL,
  -- A month is charged once, however many times someone asks.
  UNIQUE (subscription_id, period)
);
CREATE INDEX subscription_charges_sub_idx ON energy.subscription_charges (subscription_id, period DESC, id DESC);

CREATE TABLE energy.swap_sessions (
  id                      text PRIMARY KEY,
  station_id              text NOT NULL REFERENCES energy.swap_stations (id),
  vin                     text NOT NULL,
  -- The vehicle's owner at the time of the swap (from orders); the one who pays the fee.
  user_id                 text NOT NULL,
  swapped_at              timestamptz NOT NULL,
  fee_fen                 bigint NOT NULL CHECK (fee_fen >= 0),
  -- The subscription whose plan priced this swap (NULL: pay-as-you-go) and whether it was one of the
  -- plan's included swaps; the included count of a month is counted from these.
  subscription_id         text REFERENCES energy.battery_subscriptions (id),
  covered_by_plan         boolean NOT NULL,
  state_of_charge_before  integer NOT NULL CHECK (state_of_charge_before BETWEEN 0 AND 100),
  state_of_charge_after   integer NOT NULL CHECK (state_of_charge_after BETWEEN 0 AND 100),
  recorded_by             text NOT NULL,
  CHECK (NOT covered_by_plan OR (subscription_id IS NOT NULL AND fee_fen = 0))
);
-- Every read of a vehicle's or user's swaps (history pages, spending, counting a plan's included swaps)
-- is by the paying user, so one index serves them all; a user has a car or two, so filtering by VIN
-- within it is cheap. Fewer indexes keep the seed's bulk load fast.
CREATE INDEX swap_sessions_user_idx ON energy.swap_sessions (user_id, swapped_at DESC, id DESC);
CREATE INDEX swap_sessions_station_idx ON energy.swap_sessions (station_id, swapped_at DESC, id DESC);

CREATE TABLE energy.charging_sessions (
  id           text PRIMARY KEY,
  vin          text NOT NULL,
  -- The vehicle's owner at the time of charging (from orders); the one who pays the fee.
  user_id      text NOT NULL,
  -- The charging network (partner organisation) that ran the charger and billed the fee.
  network_org  text NOT NULL,
  location     text NOT NULL,
  started_at   timestamptz NOT NULL,
  ended_at     timestamptz NOT NULL,
  energy_wh    integer NOT NULL CHECK (energy_wh BETWEEN 1 AND 200000),
  fee_fen      bigint NOT NULL CHECK (fee_fen >= 0),
  recorded_by  text NOT NULL,
  CHECK (ended_at > started_at)
);
-- As for swaps: every read is by the paying user.
CREATE INDEX charging_sessions_user_idx ON energy.charging_sessions (user_id, started_at DESC, id DESC);

-- Spending contribution: every fen that left an owner's pocket for energy, once. Events that cost
-- nothing (a swap included in the plan, free charging) are activity, not spending, and are left out.
CREATE VIEW energy.spending_lines AS
  SELECT 'energy:swap:' || s.id AS line_id,
         s.user_id,
         s.swapped_at AS occurred_at,
         'BATTERY_SWAP'::text AS category,
         'Battery swap at ' || st.name AS description,
         s.fee_fen AS amount_fen,
         'SwapSession'::text AS subject_type,
         s.id AS subject_id
    FROM energy.swap_sessions s
    JOIN energy.swap_stations st ON st.id = s.station_id
   WHERE s.fee_fen > 0
  UNION ALL
  SELECT 'energy:charging:' || c.id,
         c.user_id,
         c.ended_at,
         'CHARGING',
         'Charging at ' || c.location,
         c.fee_fen,
         'ChargingSession',
         c.id
    FROM energy.charging_sessions c
   WHERE c.fee_fen > 0
  UNION ALL
  SELECT 'energy:subscription-charge:' || ch.id,
         sub.user_id,
         ch.charged_at,
         'BATTERY_SUBSCRIPTION',
         'Battery plan ' || p.name || ', ' || ch.period,
         ch.amount_fen,
         'BatterySubscription',
         sub.id
    FROM energy.subscription_charges ch
    JOIN energy.battery_subscriptions sub ON sub.id = ch.subscription_id
    JOIN energy.battery_plans p ON p.id = sub.plan_id
   WHERE ch.amount_fen > 0;
