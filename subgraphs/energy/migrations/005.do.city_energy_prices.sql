-- What energy costs in each city the network serves: the public charging price per kWh (energy plus
-- the service fee, what a driver pays at a public charger of any network there). Reference data, like
-- the battery plans: the cost-of-ownership quote prices a car's charging with it, and the app shows it
-- (`cityEnergyPrices`). Every city with a swap station or a charger has a row. A swap is priced
-- nationally (`fees.ts`, STANDARD_SWAP_FEE_FEN without a plan), the same in every city.
CREATE TABLE energy.city_energy_prices (
  city                  text PRIMARY KEY CHECK (length(city) BETWEEN 1 AND 100),
  charging_fen_per_kwh  bigint NOT NULL CHECK (charging_fen_per_kwh > 0)
);
INSERT INTO energy.city_energy_prices (city, charging_fen_per_kwh) VALUES
  ('Beijing', 160),
  ('Chengdu', 135),
  ('Guangzhou', 145),
  ('Hangzhou', 150),
  ('Shanghai', 155),
  ('Shenzhen', 140),
  ('Wuhan', 138),
  ('Xiamen', 142);
