/**
 * The seed's writes: energy's tables declared on the kit's streaming writer, parents first (stations
 * and chargers, then subscriptions, then what names them), the large ones bulk loaded (their foreign
 * keys and plain indexes re-created once after the load: about three times faster for the sessions).
 */
import type { BulkTable, BulkWriter } from '../../kit/bulk-writer';
import type { ChargerRow, StationRow } from './network';

/** Energy's seeded tables on one writer; rows are value arrays in the column order declared here. */
export interface EnergySeedTables {
  subscriptions: BulkTable;
  charges: BulkTable;
  swaps: BulkTable;
  chargingSessions: BulkTable;
}

/** Declares energy's tables on `writer` and adds the fixed network (`stations`, `chargers`); call inside the seed's transaction. */
export function declareSeedTables(writer: BulkWriter, { stations, chargers }: { stations: readonly StationRow[]; chargers: readonly ChargerRow[] }): EnergySeedTables {
  const stationTable = writer.table('energy.swap_stations', [
    ['id', 'text'],
    ['name', 'text'],
    ['city', 'text'],
    ['address', 'text'],
    ['operator_org', 'text'],
    ['active', 'boolean'],
    ['bays', 'integer'],
  ]);
  for (const s of stations) stationTable.add([s.id, s.name, s.city, s.address, s.operatorOrg, s.active, s.bays]);
  const chargerTable = writer.table('energy.chargers', [
    ['id', 'text'],
    ['network_org', 'text'],
    ['name', 'text'],
    ['city', 'text'],
    ['address', 'text'],
  ]);
  for (const c of chargers) chargerTable.add([c.id, c.networkOrg, c.name, c.city, c.address]);
  return {
    subscriptions: writer.table('energy.battery_subscriptions', [
      ['id', 'text'],
      ['vin', 'text'],
      ['user_id', 'text'],
      ['plan_id', 'text'],
      ['status', 'text'],
      ['started_at', 'timestamptz'],
    ]),
    charges: writer.table(
      'energy.subscription_charges',
      [
        ['id', 'text'],
        ['subscription_id', 'text'],
        ['period', 'text'],
        ['amount_fen', 'bigint'],
        ['charged_at', 'timestamptz'],
        // The subscriber, which subscription_charges_subscriber copies from the subscription on a live insert.
        ['user_id', 'text'],
      ],
      { bulkLoad: true, bypassTriggers: ['subscription_charges_subscriber'] },
    ),
    swaps: writer.table(
      'energy.swap_sessions',
      [
        ['id', 'text'],
        ['station_id', 'text'],
        ['vin', 'text'],
        ['user_id', 'text'],
        ['swapped_at', 'timestamptz'],
        ['fee_fen', 'bigint'],
        ['subscription_id', 'text'],
        ['covered_by_plan', 'boolean'],
        ['state_of_charge_before', 'integer'],
        ['state_of_charge_after', 'integer'],
        ['recorded_by', 'text'],
      ],
      { bulkLoad: true },
    ),
    chargingSessions: writer.table(
      'energy.charging_sessions',
      [
        ['id', 'text'],
        ['vin', 'text'],
        ['user_id', 'text'],
        ['charger_id', 'text'],
        ['network_org', 'text'],
        ['location', 'text'],
        ['started_at', 'timestamptz'],
        ['ended_at', 'timestamptz'],
        ['energy_wh', 'integer'],
        ['fee_fen', 'bigint'],
        ['recorded_by', 'text'],
      ],
      { bulkLoad: true },
    ),
  };
}
