/**
 * Energy's seed stage: the swap-station network, and for every delivered vehicle its life of running
 * costs up to `world.now` — a battery subscription with monthly charges for battery-rental cars, battery
 * swaps for every swap-capable car (priced exactly as `recordSwap` prices them: by the plan, or at the
 * standard fee for an owned battery without one) and charging sessions.
 *
 * Volume is the largest of the graph, so rows stream through the kit's writer as they are generated
 * (one multi-row INSERT per batch, memory bounded by the batch, not the users), the big tables bulk
 * loaded with their foreign keys and secondary indexes re-created after the load (`data/seed-load.ts`);
 * a vehicle gets at most ~10 sessions a month.
 */
import type { Db } from '../../../platform/db';
import { seedId } from '../../kit/ids';
import { DEMO_USER, type Rng, type SeedWorld } from '../../kit/seed';
import { CATALOG, ORDERS, type DeliveredVehicle } from './facts';
import { listPlans, type PlanRow } from '../data/subscriptions';
import { declareSeedTables } from '../data/seed-load';
import { monthBounds, periodOf, priceSwap } from '../fees';
import { CHARGING_NETWORKS, CITIES, makeChargers, makeStations, type SeedStation } from './network';

/** Picks a plan: most drivers take Standard, city drivers Lite, heavy drivers Plus. */
function pickPlan(rng: Rng, plans: PlanRow[]): PlanRow {
  const r = rng.next();
  return r < 0.4 ? plans[0] : r < 0.85 ? plans[Math.min(1, plans.length - 1)] : plans[plans.length - 1];
}

/** A uniformly random instant in [from, to). */
function between(rng: Rng, from: number, to: number): number {
  return from + Math.floor(rng.next() * Math.max(1, to - from));
}

export async function seedEnergy(db: Db, world: SeedWorld): Promise<void> {
  const rng = world.rng;
  const now = world.now.getTime();
  const plans = await listPlans(db); // cheapest first: Lite, Standard, Plus
  const stations = makeStations(rng);
  const chargers = makeChargers();
  const chargerOf = new Map(chargers.map((c) => [`${c.networkOrg}\u0000${c.city}`, c]));
  const openStations = stations.filter((s) => s.active);
  const stationsByCity = new Map<string, SeedStation[]>();
  for (const s of openStations) stationsByCity.set(s.city, [...(stationsByCity.get(s.city) ?? []), s]);

  const vehicles = world.read(ORDERS.vehicles);
  await db.tx(async (q) => {
    const writer = world.writer(q, { stage: 'energy', units: vehicles.length, unit: 'vehicles' });
    const tables = declareSeedTables(writer, { stations, chargers });
    let subscriptionCount = 0;
    let chargeCount = 0;
    let swapCount = 0;
    let chargingSessionCount = 0;

    // Rental trims are always swap-capable; some owned-battery trims are too, and their owners swap
    // without a plan, at the standard fee, as `recordSwap` prices them.
    const swapCapableTrims = new Set(world.read(CATALOG.trims).filter((t) => t.swapCapable).map((t) => t.id));
    const canSwap = (v: DeliveredVehicle) => v.batteryRental || swapCapableTrims.has(v.trimId);
    // Only swap-capable cars swap, the demo driver's included (their car is a battery-rental one): a
    // seeded swap is one `recordSwap` would accept.

    // One vehicle's running costs, straight into the writer's buffers.
    const runningCosts = (vehicle: DeliveredVehicle): void => {
      const delivered = vehicle.deliveredAt.getTime();
      if (delivered >= now) return;
      const isDemo = vehicle.ownerId === DEMO_USER;
      const home = rng.pick(CITIES);
      const homeStations = stationsByCity.get(home.city) ?? openStations;
      const swapCapable = canSwap(vehicle);
      // About one rental driver in ten drives for a living: many swaps, no plug-in charging.
      const heavy = !isDemo && vehicle.batteryRental && rng.chance(0.1);

      let plan: PlanRow | null = null;
      let subscriptionId: string | null = null;
      if (vehicle.batteryRental) {
        // The demo driver is on the Lite plan and swaps more than it includes, so their report shows all
        // three energy categories.
        plan = isDemo ? plans[0] : heavy ? plans[plans.length - 1] : pickPlan(rng, plans);
        subscriptionId = seedId('bsub', ++subscriptionCount);
        tables.subscriptions.add([subscriptionId, vehicle.vin, vehicle.ownerId, plan.id, 'ACTIVE', vehicle.deliveredAt.toISOString()]);
      }

      for (let period = periodOf(vehicle.deliveredAt); ; ) {
        const { start, end } = monthBounds(period);
        const from = Math.max(start.getTime(), delivered);
        const to = Math.min(end.getTime(), now);
        if (from >= to) break;

        if (plan && subscriptionId) {
          // The first month is charged at subscription (delivery), later months on the 1st at 01:00 UTC.
          const chargedAt = from === delivered ? delivered : start.getTime() + 3_600_000;
          if (chargedAt < now) tables.charges.add([seedId('bchg', ++chargeCount), subscriptionId, period, plan.monthlyFeeFen.toString(), new Date(chargedAt).toISOString(), vehicle.ownerId]);
        }

        if (swapCapable) {
          // Rental drivers swap as their plan invites; owners of a swap-capable battery swap on long trips and charge otherwise.
          const count = isDemo ? plans[0].includedSwapsPerMonth + rng.int(1, 2) : heavy ? rng.int(6, 10) : plan ? rng.int(2, 5) : rng.int(0, 3);
          const times = Array.from({ length: count }, () => between(rng, from, to)).sort((a, b) => a - b);
          let covered = 0;
          for (const at of times) {
            const price = priceSwap(plan, covered);
            if (price.coveredByPlan) covered++;
            const station = rng.chance(0.85) ? rng.pick(homeStations) : rng.pick(openStations);
            tables.swaps.add([
              seedId('swp', ++swapCount),
              station.id,
              vehicle.vin,
              vehicle.ownerId,
              new Date(at).toISOString(),
              price.feeFen.toString(),
              subscriptionId,
              price.coveredByPlan,
              rng.int(5, 40),
              rng.int(92, 100),
              'seed',
            ]);
          }
        }

        const chargingCount = heavy ? 0 : plan ? rng.int(isDemo ? 1 : 0, 1) : rng.int(isDemo ? 2 : 1, 3);
        for (let i = 0; i < chargingCount; i++) {
          const fast = rng.chance(0.6);
          const minutes = fast ? rng.int(25, 70) : rng.int(120, 480);
          const started = between(rng, from, to - minutes * 60_000);
          const ended = started + minutes * 60_000;
          if (started < from || ended >= now) continue;
          const energyWh = fast ? rng.int(15_000, 45_000) : rng.int(7_000, 40_000);
          // Fast chargers bill energy plus a service fee (about 1.2–2.0 yuan/kWh); slow ones less. One
          // session in twenty is free (a mall's or employer's promotion) and so is not spending.
          const fenPerKwh = fast ? rng.int(120, 200) : rng.int(60, 120);
          const fee = rng.chance(0.05) ? 0n : (BigInt(energyWh) * BigInt(fenPerKwh) + 500n) / 1000n;
          // On the network's charger in the driver's home city, so the session is one its operator recorded.
          const charger = chargerOf.get(`${rng.pick(CHARGING_NETWORKS)}\u0000${home.city}`)!;
          tables.chargingSessions.add([
            seedId('chg', ++chargingSessionCount),
            vehicle.vin,
            vehicle.ownerId,
            charger.id,
            charger.networkOrg,
            charger.name,
            new Date(started).toISOString(),
            new Date(ended).toISOString(),
            energyWh,
            fee.toString(),
            'seed',
          ]);
        }

        period = periodOf(end);
      }
    };

    for (const vehicle of vehicles) {
      runningCosts(vehicle);
      await writer.tick();
    }
    await writer.finish();
  });
}
