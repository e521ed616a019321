-- What a scheduled service is expected to bill, as aftermarket states it to a buyer before the car is
-- bought (the cost-of-ownership quote prices maintenance with it; `scheduledServicePrices` shows it).
-- A scheduled service is due every 12 months or every 10,000 km, whichever comes first; the n-th one
-- is billed at the row with the largest `every_nth_service` that divides n: every service is a basic
-- one, every second a major one. Reference data: a store's real invoice bills what the work was.
CREATE TABLE aftermarket.scheduled_service_prices (
  id                 text PRIMARY KEY,
  name               text NOT NULL UNIQUE,
  every_nth_service  integer NOT NULL UNIQUE CHECK (every_nth_service >= 1),
  expected_bill_fen  bigint NOT NULL CHECK (expected_bill_fen > 0),
  description        text NOT NULL
);
INSERT INTO aftermarket.scheduled_service_prices (id, name, every_nth_service, expected_bill_fen, description) VALUES
  ('ssp-basic', 'Basic service', 1, 46000, 'Inspection, cabin filter and wipers.'),
  ('ssp-major', 'Major service', 2, 82000, 'The basic service plus brake fluid and coolant.');
