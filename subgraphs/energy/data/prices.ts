/** Energy's per-city prices (`energy.city_energy_prices`): reference data the quote and the app read. */
import type { Queryable } from '../../../platform/db';
import { fenFromDb } from '../../../platform/money';
import type { Raw } from './rows';

export interface CityPriceRow {
  city: string;
  /** Public charging, energy and service fee together, per kWh. */
  chargingFenPerKwh: bigint;
}

const toCityPrice = (r: Raw): CityPriceRow => ({ city: String(r.city), chargingFenPerKwh: fenFromDb(r.charging_fen_per_kwh) });

/** Every city with prices, by name (a few dozen at most: one row per city the network serves). */
export async function listCityPrices(q: Queryable): Promise<CityPriceRow[]> {
  return (await q.query<Raw>('SELECT city, charging_fen_per_kwh FROM energy.city_energy_prices ORDER BY city COLLATE "C"')).map(toCityPrice);
}

export async function cityPricesByCities(q: Queryable, cities: readonly string[]): Promise<CityPriceRow[]> {
  return (await q.query<Raw>('SELECT city, charging_fen_per_kwh FROM energy.city_energy_prices WHERE city = ANY($1::text[])', [cities])).map(toCityPrice);
}
