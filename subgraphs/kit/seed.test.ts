/** The seed world's blackboard: a fact reaches later stages once published, and a missing one names its stage. */
import { Rng, seedFact, SeedWorld, SEED_NOW } from './seed';

const VEHICLES = seedFact<ReadonlyArray<{ vin: string }>>('orders', 'vehicles');
/** The same fact as a reading folder declares it, with only what it reads. */
const VINS = seedFact<ReadonlyArray<{ vin: string }>>('orders', 'vehicles');

const world = () => new SeedWorld({ rng: new Rng(1), users: ['demo-driver'] });

test('a published fact is read back by any declaration of the same stage and name, and the clock defaults to SEED_NOW', () => {
  const w = world();
  const vehicles = [{ vin: 'LJDAG000000000001', ownerId: 'demo-driver' }];
  w.publish(VEHICLES, vehicles);
  expect(w.read(VINS)).toBe(vehicles);
  expect(w.now).toBe(SEED_NOW);
  expect(VEHICLES.key).toBe('orders.vehicles');
});

test('reading a fact nobody published names the stage that publishes it', () => {
  expect(() => world().read(VINS)).toThrow(/orders\.vehicles has not been published: the orders stage publishes it, so run that stage first/);
});

test('a fact is published once: a second publish would silently replace what earlier readers saw', () => {
  const w = world();
  w.publish(VEHICLES, []);
  expect(() => w.publish(VEHICLES, [])).toThrow(/orders\.vehicles is already published/);
});
