-- Catalog: what can be bought and configured, and users' stated preferences (co-creation).
-- Money is bigint fen; ids are text `<kind>-<suffix>`; `sort_order` is the merchandising order a
-- person sees (cheapest trim first is not always what the manufacturer wants to show).

CREATE TABLE catalog.vehicle_models (
  id               text PRIMARY KEY,
  name             text NOT NULL,
  manufacturer_org text NOT NULL,
  segment          text NOT NULL,
  description      text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);
CREATE INDEX vehicle_models_page ON catalog.vehicle_models (name COLLATE "C", id COLLATE "C");

CREATE TABLE catalog.trims (
  id                         text PRIMARY KEY,
  model_id                   text NOT NULL REFERENCES catalog.vehicle_models (id),
  name                       text NOT NULL,
  guide_price_fen            bigint NOT NULL CHECK (guide_price_fen > 0),
  range_km                   integer NOT NULL CHECK (range_km > 0),
  -- numeric, not float: "44.12" must come back as "44.12".
  battery_kwh                numeric(6, 2) NOT NULL CHECK (battery_kwh > 0),
  battery_option             text NOT NULL CHECK (battery_option IN ('OWNED', 'RENTAL')),
  swap_capable               boolean NOT NULL,
  battery_rental_monthly_fen bigint CHECK (battery_rental_monthly_fen > 0),
  available                  boolean NOT NULL DEFAULT true,
  sort_order                 integer NOT NULL DEFAULT 0,
  -- A rental (battery-as-a-service) trim always has a monthly fee, an owned one never does.
  CONSTRAINT trims_rental_fee CHECK ((battery_option = 'RENTAL') = (battery_rental_monthly_fen IS NOT NULL)),
  -- Rental batteries are swapped at stations, so a rental trim must be swap-capable.
  CONSTRAINT trims_rental_swaps CHECK (battery_option = 'OWNED' OR swap_capable)
);
CREATE INDEX trims_by_model ON catalog.trims (model_id, sort_order, id);

CREATE TABLE catalog.colours (
  id           text PRIMARY KEY,
  name         text NOT NULL,
  hex          text NOT NULL CHECK (hex ~ '^#[0-9A-F]{6}$'),
  surcharge_fen bigint NOT NULL CHECK (surcharge_fen >= 0),
  sort_order   integer NOT NULL DEFAULT 0
);

CREATE TABLE catalog.packages (
  id          text PRIMARY KEY,
  code        text NOT NULL UNIQUE CHECK (code IN ('STANDARD', 'CUSTOM_CAR_COVER', 'ACCESSORY_ASSEMBLY', 'MAINTENANCE_ENHANCED')),
  name        text NOT NULL,
  description text NOT NULL,
  price_fen   bigint NOT NULL CHECK (price_fen >= 0),
  includes    text[] NOT NULL DEFAULT '{}',
  sort_order  integer NOT NULL DEFAULT 0,
  -- The standard package is the default of every quote and costs nothing extra.
  CONSTRAINT packages_standard_free CHECK (code <> 'STANDARD' OR price_fen = 0)
);

CREATE TABLE catalog.accessories (
  id        text PRIMARY KEY,
  name      text NOT NULL,
  category  text NOT NULL CHECK (category IN ('EXTERIOR', 'INTERIOR', 'CHARGING', 'SAFETY', 'ELECTRONICS', 'CARE')),
  price_fen bigint NOT NULL CHECK (price_fen > 0)
);
CREATE INDEX accessories_page ON catalog.accessories (category COLLATE "C", name COLLATE "C", id COLLATE "C");

-- One row per (user, model): stating a preference again replaces the earlier one, so the demand view
-- counts each respondent once and reflects what they want now.
CREATE TABLE catalog.preferences (
  id                    text PRIMARY KEY,
  user_id               text NOT NULL,
  model_id              text NOT NULL REFERENCES catalog.vehicle_models (id),
  colour_id             text REFERENCES catalog.colours (id),
  min_range_km          integer CHECK (min_range_km BETWEEN 0 AND 2000),
  battery_option        text CHECK (battery_option IN ('OWNED', 'RENTAL')),
  price_expectation_fen bigint NOT NULL CHECK (price_expectation_fen > 0 AND price_expectation_fen <= 100000000),
  features              text[] NOT NULL DEFAULT '{}' CHECK (cardinality(features) <= 10),
  created_at            timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  updated_at            timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  CONSTRAINT preferences_one_per_model UNIQUE (user_id, model_id)
);
CREATE INDEX preferences_by_user ON catalog.preferences (user_id, created_at DESC, id COLLATE "C" DESC);
CREATE INDEX preferences_by_model ON catalog.preferences (model_id);
