/** `npm run seed`'s progress when its output is not a terminal: one plain line per finished stage, with units, rows, rows/s and ETA. */
import { seedProgress } from './seed-progress';

test('off a terminal, each stage ends with one plain line of units done, rows, rows/s and ETA, and nothing is printed at its start', () => {
  const lines: string[] = [];
  const progress = seedProgress(2, { tty: false, log: (l) => lines.push(l) });
  progress.stage('catalog', 1_500, 'users');
  expect(lines).toEqual([]);
  progress.update(700, 12_000); // within the first seconds: no line yet
  progress.update(1_500, 25_000);
  progress.stage('energy', 40, 'vehicles');
  progress.update(40, 3_000);
  progress.stop();
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(/^stage 1\/2 catalog: 1,500\/1,500 users, 25,000 rows, [\d,]+ rows\/s, ETA 0s$/);
  expect(lines[1]).toMatch(/^stage 2\/2 energy: 40\/40 vehicles, 3,000 rows, [\d,]+ rows\/s, ETA 0s$/);
});
