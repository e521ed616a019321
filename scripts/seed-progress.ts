/**
 * How `npm run seed` shows a long seed's progress: on a terminal a bar per stage (cli-progress) with
 * units done, rows written, rows/s and the stage's ETA; otherwise (a pipe, CI, a log file) a plain line
 * when a stage ends and at most one every few seconds in between, so logs stay readable.
 */
import { SingleBar } from 'cli-progress';
import type { SeedProgress } from '../subgraphs/kit/seed';

/** Seconds between plain progress lines when the output is not a terminal. */
const PLAIN_EVERY_MS = 5_000;

const count = (n: number) => n.toLocaleString('en-US');

/** Seconds as "1m 05s" or "42s". */
function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

interface StageState {
  name: string;
  units: number;
  unit: string;
  started: number;
  done: number;
  rows: number;
}

/** What a progress line says: stage n/N, units done of total, rows, rows/s, ETA from the units' pace. */
function describe(s: StageState, index: number, stages: number, now: number): { rate: number; eta: string; text: string } {
  const seconds = (now - s.started) / 1000;
  const rate = seconds > 0 ? s.rows / seconds : 0;
  const eta = s.done > 0 ? duration(((s.units - s.done) * seconds) / s.done) : '?';
  const text = `stage ${index}/${stages} ${s.name}: ${count(s.done)}/${count(s.units)} ${s.unit}, ${count(s.rows)} rows, ${count(Math.round(rate))} rows/s, ETA ${eta}`;
  return { rate, eta, text };
}

/**
 * A progress reporter for `stages` seed stages. `tty` picks the bar (written to `stream`, stderr by
 * default) or plain lines (to `log`, stdout by default); call `stop()` when the seed ends.
 */
export function seedProgress(stages: number, opts: { tty?: boolean; log?: (line: string) => void } = {}): SeedProgress & { stop(): void } {
  const tty = opts.tty ?? Boolean(process.stderr.isTTY);
  const log = opts.log ?? ((line: string) => console.log(line));
  let index = 0;
  let current: StageState | null = null;
  let lastLine = 0;
  let bar: SingleBar | null = null;

  const finishStage = () => {
    if (!current) return;
    if (bar) bar.stop();
    else log(describe(current, index, stages, Date.now()).text);
    bar = null;
  };

  return {
    stage(name, units, unit) {
      finishStage();
      index++;
      current = { name, units, unit, started: Date.now(), done: 0, rows: 0 };
      if (tty) {
        bar = new SingleBar({
          format: `stage ${index}/${stages} ${name.padEnd(12)} [{bar}] {value}/{total} ${unit} | {rows} rows | {rate} rows/s | ETA {eta_formatted}`,
          hideCursor: true,
          etaBuffer: 200,
        });
        bar.start(units, 0, { rows: '0', rate: '0' });
      } else {
        lastLine = Date.now(); // the first plain line comes after a few seconds, or when the stage ends
      }
    },
    update(unitsDone, rowsWritten) {
      if (!current) return;
      current.done = Math.min(unitsDone, current.units);
      current.rows = rowsWritten;
      const now = Date.now();
      if (bar) {
        const { rate } = describe(current, index, stages, now);
        bar.update(current.done, { rows: count(rowsWritten), rate: count(Math.round(rate)) });
      } else if (now - lastLine >= PLAIN_EVERY_MS) {
        log(describe(current, index, stages, now).text);
        lastLine = now;
      }
    },
    stop() {
      finishStage();
      current = null;
    },
  };
}
