/**
 * Input rules of energy's queries and mutations: event times, amounts and filters, and the arguments
 * that must name an existing station or charger. Each refusal names the field.
 */
import { badInput, notFound } from '../../platform/errors';
import { checkId, parseVin } from '../kit/ids';
import type { Ctx } from './access';
import type { ChargerRow, StationRow } from './data/network';
import { FUTURE_SKEW_MS, isPeriod, MAX_BACKDATE_DAYS, MAX_CHARGING_FEE_FEN, MAX_CHARGING_HOURS, MAX_ENERGY_WH, MIN_ENERGY_WH } from './fees';

/** Checks that an event time lies within the last MAX_BACKDATE_DAYS and not in the future. */
export function checkRecentTime(at: Date, field: string, now: Date): Date {
  if (at.getTime() > now.getTime() + FUTURE_SKEW_MS) throw badInput(`\`${field}\` is in the future`, field);
  if (at.getTime() < now.getTime() - MAX_BACKDATE_DAYS * 86_400_000) {
    throw badInput(`\`${field}\` is more than ${MAX_BACKDATE_DAYS} days ago; older events cannot be recorded`, field);
  }
  return at;
}

export function checkStateOfCharge(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 100) throw badInput(`\`${field}\` must be a whole percentage from 0 to 100`, field);
  return value;
}

/** A city filter: 1 to 100 characters, or none. */
export function checkCity(value: string | null | undefined): string | null {
  const city = value ?? null;
  if (city !== null && (city.length === 0 || city.length > 100)) throw badInput('`city` must be 1 to 100 characters', 'city');
  return city;
}

/** A month to charge: "YYYY-MM". */
export function checkPeriod(period: string): string {
  if (!isPeriod(period)) throw badInput('`period` must be a month "YYYY-MM", e.g. "2026-10"', 'period');
  return period;
}

export interface RecordChargingInput {
  vin: string;
  chargerId: string;
  startedAt: Date;
  endedAt: Date;
  energyWh: number;
  fee: bigint;
}

/** Checks a charging session as a network reports it: the VIN, a recent and plausible span, the energy and the fee. */
export function checkChargingInput(input: RecordChargingInput, now: Date): { vin: string; startedAt: Date; endedAt: Date } {
  const vin = parseVin(input.vin);
  const startedAt = checkRecentTime(input.startedAt, 'startedAt', now);
  const endedAt = checkRecentTime(input.endedAt, 'endedAt', now);
  if (endedAt.getTime() <= startedAt.getTime()) throw badInput('`endedAt` must be after `startedAt`', 'endedAt');
  if (endedAt.getTime() - startedAt.getTime() > MAX_CHARGING_HOURS * 3_600_000) {
    throw badInput(`a charging session lasts at most ${MAX_CHARGING_HOURS} hours`, 'endedAt');
  }
  if (!Number.isInteger(input.energyWh) || input.energyWh < MIN_ENERGY_WH || input.energyWh > MAX_ENERGY_WH) {
    throw badInput(`\`energyWh\` must be a whole number of watt-hours from ${MIN_ENERGY_WH} to ${MAX_ENERGY_WH}`, 'energyWh');
  }
  if (input.fee < 0n) throw badInput('`fee` must not be negative', 'fee');
  if (input.fee > MAX_CHARGING_FEE_FEN) throw badInput('`fee` must be at most 10000.00', 'fee');
  return { vin, startedAt, endedAt };
}

/** The charger an argument names; NOT_FOUND when there is none. */
export async function loadCharger(ctx: Ctx, id: string): Promise<ChargerRow> {
  const charger = await ctx.loaders.charger.load(checkId(id, 'chargerId'));
  if (!charger) throw notFound(`no charger ${id}; see \`chargers\` for the list`);
  return charger;
}

/** The swap station an argument names; NOT_FOUND when there is none. */
export async function loadStation(ctx: Ctx, id: string): Promise<StationRow> {
  const station = await ctx.loaders.station.load(checkId(id, 'stationId'));
  if (!station) throw notFound(`no swap station ${id}; see \`stations\` for the list`);
  return station;
}
